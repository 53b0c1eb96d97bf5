package standards

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/parser"
)

// compiledEnv is a standard's view of the vocabulary: the event types and
// cycle pairs its expressions use, each given a variable slot.
type compiledEnv struct {
	vocab  *Vocabulary
	slots  map[string]int // event type -> slot
	types  []*EventType
	cycles []cyclePair
	cycIdx map[[2]string]int
	needs  map[Need]bool // event fields the compiled expressions read (needs.go)
}

type cyclePair struct {
	a, b int // slots
	typ  reflect.Type
}

func newCompiledEnv(v *Vocabulary) *compiledEnv {
	return &compiledEnv{vocab: v, slots: map[string]int{}, cycIdx: map[[2]string]int{}}
}

func slotName(i int) string  { return "_e" + strconv.Itoa(i) }
func cycleName(i int) string { return "_c" + strconv.Itoa(i) }

// Uses reports whether the standard's expressions select events of typ; the
// scoring engine keeps only those.
func (s *Standard) Uses(typ string) bool {
	if s.env == nil {
		return false
	}
	_, ok := s.env.slots[typ]
	return ok
}

func (ce *compiledEnv) slot(typ string) (int, error) {
	if i, ok := ce.slots[typ]; ok {
		return i, nil
	}
	et, ok := ce.vocab.Types[typ]
	if !ok {
		return 0, fmt.Errorf("unknown event type %q%s", typ, suggestType(typ, ce.vocab))
	}
	i := len(ce.types)
	ce.slots[typ] = i
	ce.types = append(ce.types, et)
	return i, nil
}

func suggestType(typ string, v *Vocabulary) string {
	best, bestD := "", 4
	for name := range v.Types {
		if d := editDistance(typ, name); d < bestD || (d == bestD && name < best) {
			best, bestD = name, d
		}
	}
	if best != "" {
		return fmt.Sprintf(" (did you mean %q?)", best)
	}
	return " (see the event vocabulary in docs/standard-format.md)"
}

func (ce *compiledEnv) cycle(a, b string) (int, error) {
	if i, ok := ce.cycIdx[[2]string{a, b}]; ok {
		return i, nil
	}
	if a == b {
		return 0, fmt.Errorf("cycles() needs two different event types")
	}
	sa, err := ce.slot(a)
	if err != nil {
		return 0, err
	}
	sb, err := ce.slot(b)
	if err != nil {
		return 0, err
	}
	ra, rb := ce.types[sa].record, ce.types[sb].record
	typ := reflect.StructOf([]reflect.StructField{
		{Name: "Seq", Type: reflect.TypeFor[int](), Tag: `expr:"seq"`},
		{Name: "T", Type: reflect.TypeFor[int](), Tag: `expr:"t_ms"`},
		{Name: "EndSeq", Type: reflect.TypeFor[int](), Tag: `expr:"end_seq"`},
		{Name: "EndMs", Type: reflect.TypeFor[int](), Tag: `expr:"end_ms"`},
		{Name: "DurMs", Type: reflect.TypeFor[int](), Tag: `expr:"duration_ms"`},
		{Name: "AMs", Type: reflect.TypeFor[int](), Tag: `expr:"a_ms"`},
		{Name: "A", Type: reflect.SliceOf(reflect.PointerTo(ra)), Tag: `expr:"a"`},
		{Name: "B", Type: reflect.SliceOf(reflect.PointerTo(rb)), Tag: `expr:"b"`},
	})
	i := len(ce.cycles)
	ce.cycIdx[[2]string{a, b}] = i
	ce.cycles = append(ce.cycles, cyclePair{a: sa, b: sb, typ: typ})
	return i, nil
}

// prepare parses src and gives a slot to every event type and cycle pair it
// names, so that the typed environment is complete before type-checking.
func (ce *compiledEnv) prepare(src string) error {
	tree, err := parser.Parse(src)
	if err != nil {
		return exprError(err)
	}
	var firstErr error
	ast.Find(tree.Node, func(n ast.Node) bool {
		if firstErr != nil {
			return false
		}
		switch n := n.(type) {
		case *ast.IdentifierNode:
			if strings.HasPrefix(n.Value, "_") {
				firstErr = fmt.Errorf("names starting with _ are reserved: %s", n.Value)
			}
		case *ast.CallNode:
			id, ok := n.Callee.(*ast.IdentifierNode)
			if !ok {
				return false
			}
			args, err := literalArgs(id.Value, n.Arguments)
			if err != nil {
				firstErr = err
				return false
			}
			switch id.Value {
			case "events":
				_, firstErr = ce.slot(args[0])
			case "cycles":
				_, firstErr = ce.cycle(args[0], args[1])
			}
		}
		return false
	})
	return firstErr
}

func literalArgs(fn string, args []ast.Node) ([]string, error) {
	want := map[string]int{"events": 1, "cycles": 2}[fn]
	if want == 0 {
		return nil, nil
	}
	if len(args) != want {
		return nil, fmt.Errorf("%s() takes %s, got %d argument(s)", fn, map[int]string{1: "one quoted event type", 2: "two quoted event types"}[want], len(args))
	}
	out := make([]string, want)
	for i, a := range args {
		s, ok := a.(*ast.StringNode)
		if !ok {
			return nil, fmt.Errorf("%s() takes quoted event types, such as %s(\"cpr.compression\")", fn, fn)
		}
		out[i] = s.Value
	}
	return out, nil
}

// patcher replaces events("t") and cycles("a","b") with their typed slots.
type patcher struct{ ce *compiledEnv }

func (p patcher) Visit(node *ast.Node) {
	call, ok := (*node).(*ast.CallNode)
	if !ok {
		return
	}
	id, ok := call.Callee.(*ast.IdentifierNode)
	if !ok {
		return
	}
	args, err := literalArgs(id.Value, call.Arguments)
	if err != nil || args == nil {
		return
	}
	switch id.Value {
	case "events":
		ast.Patch(node, &ast.IdentifierNode{Value: slotName(p.ce.slots[args[0]])})
	case "cycles":
		ast.Patch(node, &ast.IdentifierNode{Value: cycleName(p.ce.cycIdx[[2]string{args[0], args[1]}])})
	}
}

// typedEnv returns the compile-time environment: a typed empty value for
// every slot, so that expr checks field names and types.
func (ce *compiledEnv) typedEnv() map[string]any {
	env := map[string]any{"elapsed": 0, "limit": 0}
	for i, et := range ce.types {
		env[slotName(i)] = reflect.MakeSlice(reflect.SliceOf(reflect.PointerTo(et.record)), 0, 0).Interface()
	}
	for i, c := range ce.cycles {
		env[cycleName(i)] = reflect.MakeSlice(reflect.SliceOf(c.typ), 0, 0).Interface()
	}
	return env
}
