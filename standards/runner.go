package standards

import (
	"fmt"
	"math"
	"reflect"

	"github.com/expr-lang/expr/vm"
)

// Runner evaluates a standard's compiled expressions; it reuses one VM and
// is not safe for concurrent use.
type Runner struct {
	vm       vm.VM
	exprOnly bool // tests: run every expression with expr, for comparison
}

// NewRunner returns a Runner.
func NewRunner() *Runner { return &Runner{vm: vm.VM{MemoryBudget: exprMemoryBudget}} }

func (r *Runner) run(p *program, env map[string]any) (any, error) {
	if p.fast != nil && !r.exprOnly {
		return p.fast.eval(env), nil
	}
	out, err := r.vm.Run(p.prog, env)
	if err != nil {
		return nil, exprError(err)
	}
	return out, nil
}

// Occurrences is what a rule or veto found: how many times it applies and
// the seq numbers of the events that prove it.
type Occurrences struct {
	Count    int
	Evidence []int64 // seq numbers
	Times    []int64 // t_ms of each evidence event
}

// EvalRule evaluates a rule over env.
func (r *Runner) EvalRule(rule *Rule, env map[string]any) (Occurrences, error) {
	out, err := r.run(rule.prog, env)
	if err != nil {
		return Occurrences{}, fmt.Errorf("rule %s: %w", rule.ID, err)
	}
	var oc Occurrences
	switch {
	case rule.Each != "":
		oc.Count = listLen(out)
		oc.Evidence, oc.Times = seqsOf(out)
	case rule.Count != "":
		var n int
		switch x := out.(type) {
		case int:
			n = x
		case float64:
			if x != math.Trunc(x) || math.IsInf(x, 0) || math.Abs(x) > 1e9 {
				return Occurrences{}, fmt.Errorf("rule %s: count gave %v, not a whole number: use floor, ceil or round", rule.ID, x)
			}
			n = int(x)
		default:
			return Occurrences{}, fmt.Errorf("rule %s: count gave %T, not a number", rule.ID, out)
		}
		oc.Count = max(n, 0)
	case rule.When != "":
		if b, _ := out.(bool); b {
			oc.Count = 1
		}
	}
	if rule.ev != nil && oc.Count > 0 {
		ev, err := r.run(rule.ev, env)
		if err != nil {
			return Occurrences{}, fmt.Errorf("rule %s evidence: %w", rule.ID, err)
		}
		oc.Evidence, oc.Times = seqsOf(ev)
	}
	return oc, nil
}

// EvalVeto evaluates a veto's condition; a mark-only veto never fires here.
func (r *Runner) EvalVeto(v *Veto, env map[string]any) (bool, Occurrences, error) {
	if v.prog == nil {
		return false, Occurrences{}, nil
	}
	out, err := r.run(v.prog, env)
	if err != nil {
		return false, Occurrences{}, fmt.Errorf("veto %s: %w", v.ID, err)
	}
	fired, _ := out.(bool)
	if !fired || v.ev == nil {
		return fired, Occurrences{Count: 1}, nil
	}
	ev, err := r.run(v.ev, env)
	if err != nil {
		return false, Occurrences{}, fmt.Errorf("veto %s evidence: %w", v.ID, err)
	}
	oc := Occurrences{Count: 1}
	oc.Evidence, oc.Times = seqsOf(ev)
	return true, oc, nil
}

// listLen is the length of a list as expr or a native program gives it.
func listLen(list any) int {
	if h, ok := list.(hits); ok {
		return len(h.seqs)
	}
	return reflect.ValueOf(list).Len()
}

// seqsOf returns the seq and t_ms of every element of a list of records
// or cycles (as expr gives it) or of hits (as a native program does).
func seqsOf(list any) (seqs, times []int64) {
	if h, ok := list.(hits); ok {
		return h.seqs, h.times
	}
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return nil, nil
	}
	for i := 0; i < v.Len(); i++ {
		e := v.Index(i)
		if e.Kind() == reflect.Interface {
			e = e.Elem()
		}
		e = reflect.Indirect(e)
		if e.Kind() == reflect.Struct && e.NumField() > 1 && e.Type().Field(0).Name == "Seq" {
			seqs = append(seqs, e.Field(0).Int())
			times = append(times, e.Field(1).Int())
		}
	}
	return seqs, times
}
