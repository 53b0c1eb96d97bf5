package standards

import (
	"reflect"
	"slices"
	"sort"

	"github.com/expr-lang/expr/ast"
)

// The fields a standard relies on. Every sensor rule, veto and evidence
// expression is type-checked against the vocabulary, so the (event type,
// field) pairs it reads are known at load: a station can refuse to start
// an item on a device that cannot measure one of them (its profile marks
// the field unmeasured), instead of scoring what is not there as 0 or as
// perfect. seq and t_ms are the log's, never a device's, and are not
// listed.

// Need is one field of one event type that a standard's expressions read.
type Need struct {
	Type  string // event type, "cpr.compression"
	Field string // "depth_mm"
}

// collectNeeds records the event fields a checked expression tree reads.
func (ce *compiledEnv) collectNeeds(root ast.Node) {
	byRecord := make(map[reflect.Type]string, len(ce.types))
	for _, et := range ce.types {
		byRecord[et.record] = et.Name
	}
	ast.Find(root, func(n ast.Node) bool {
		m, ok := n.(*ast.MemberNode)
		if !ok || m.Node == nil {
			return false
		}
		prop, ok := m.Property.(*ast.StringNode)
		if !ok {
			return false
		}
		t := m.Node.Type()
		for t != nil && t.Kind() == reflect.Pointer {
			t = t.Elem()
		}
		typ, ok := byRecord[t]
		if !ok || prop.Value == "seq" || prop.Value == "t_ms" {
			return false
		}
		if ce.needs == nil {
			ce.needs = map[Need]bool{}
		}
		ce.needs[Need{typ, prop.Value}] = true
		return false
	})
}

// Needs returns the event fields the standard's expressions read, sorted
// by event type and field.
func (s *Standard) Needs() []Need {
	if s.env == nil {
		return nil
	}
	out := make([]Need, 0, len(s.env.needs))
	for n := range s.env.needs {
		out = append(out, n)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Type != out[j].Type {
			return out[i].Type < out[j].Type
		}
		return out[i].Field < out[j].Field
	})
	return slices.Clip(out)
}

// NeedsOf returns the fields of one event type the standard reads.
func (s *Standard) NeedsOf(typ string) []string {
	var out []string
	for _, n := range s.Needs() {
		if n.Type == typ {
			out = append(out, n.Field)
		}
	}
	return out
}
