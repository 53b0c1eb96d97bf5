package standards

import (
	"fmt"
	"math"
	"reflect"
	"slices"

	"github.com/expr-lang/expr"
)

// envFunctions are the helper functions of the environment beyond expr's
// own builtins (count, filter, all, any, none, len, first, last, map, sum,
// min, max, abs, ceil, floor, round...).
var envFunctions = []expr.Option{
	expr.Function("span", func(p ...any) (any, error) {
		t, err := times(p[0])
		if err != nil || len(t) < 2 {
			return 0, err
		}
		return t[len(t)-1] - t[0], nil
	}, new(func(any) int)),
	expr.Function("rate", func(p ...any) (any, error) {
		t, err := times(p[0])
		if err != nil || len(t) < 2 || t[len(t)-1] == t[0] {
			return 0.0, err
		}
		return float64(len(t)-1) * 60000 / float64(t[len(t)-1]-t[0]), nil
	}, new(func(any) float64)),
	expr.Function("pct", func(p ...any) (any, error) {
		n, total := toFloat(p[0]), toFloat(p[1])
		if total == 0 {
			return 0.0, nil
		}
		return n * 100 / total, nil
	}, new(func(any, any) float64)),
	expr.Function("between", func(p ...any) (any, error) {
		x := toFloat(p[0])
		return x >= toFloat(p[1]) && x <= toFloat(p[2]), nil
	}, new(func(any, any, any) bool)),
	expr.Function("diff", func(p ...any) (any, error) {
		a, err := stringList(p[0])
		if err != nil {
			return nil, fmt.Errorf("diff: first list: %w", err)
		}
		b, err := stringList(p[1])
		if err != nil {
			return nil, fmt.Errorf("diff: second list: %w", err)
		}
		out := []string{}
		for _, s := range a {
			if !slices.Contains(b, s) && !slices.Contains(out, s) {
				out = append(out, s)
			}
		}
		return out, nil
	}, new(func(any, any) []string)),
	expr.Function("miswired", func(p ...any) (any, error) {
		edges, err := stringList(p[0])
		if err != nil {
			return nil, fmt.Errorf("miswired: edges: %w", err)
		}
		nets, err := netList(p[1])
		if err != nil {
			return nil, fmt.Errorf("miswired: nets: %w", err)
		}
		return miswired(edges, nets), nil
	}, new(func(any, any) int)),
	expr.Function("preceding", func(p ...any) (any, error) {
		return window(p[0], p[1], func(seq, at int64) bool { return seq < at })
	}, new(func(any, any) []any)),
	expr.Function("following", func(p ...any) (any, error) {
		return window(p[0], p[1], func(seq, at int64) bool { return seq > at })
	}, new(func(any, any) []any)),
}

// miswired counts the wiring faults of a scanned board against its
// diagram: each net (a list of terminals that must be joined) the scan
// does not reproduce exactly — a pair of it missing, or a scanned pair
// joining it to any other terminal — and each scanned pair between
// terminals no net uses. A scanned pair is written "A-B" with A < B, as
// board.continuity gives it. One wire on the wrong terminal breaks two
// nets (-2); three wires landed one terminal on break three.
func miswired(edges []string, nets [][]string) int {
	have := make(map[string]bool, len(edges))
	for _, e := range edges {
		have[e] = true
	}
	// touches is HasPrefix(e, t+"-") || HasSuffix(e, "-"+t), without
	// building either string: it runs for every pair of scanned pair and
	// terminal, at every re-score of the item.
	touches := func(e, t string) bool {
		if len(e) <= len(t) {
			return false
		}
		return (e[:len(t)] == t && e[len(t)] == '-') || (e[len(e)-len(t):] == t && e[len(e)-len(t)-1] == '-')
	}
	var pair []byte
	faults := 0
	for _, n := range nets {
		exact := true
		for _, a := range n {
			for _, b := range n {
				if a < b {
					pair = append(append(append(pair[:0], a...), '-'), b...)
					if !have[string(pair)] {
						exact = false
					}
				}
			}
		}
		joined := 0
		for _, e := range edges {
			if slices.ContainsFunc(n, func(t string) bool { return touches(e, t) }) {
				joined++
			}
		}
		if !exact || 2*joined != len(n)*(len(n)-1) {
			faults++
		}
	}
	for _, e := range edges {
		used := false
		for _, n := range nets {
			if slices.ContainsFunc(n, func(t string) bool { return touches(e, t) }) {
				used = true
				break
			}
		}
		if !used {
			faults++
		}
	}
	return faults
}

// netList accepts a list of lists of terminal names.
func netList(v any) ([][]string, error) {
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Slice {
		return nil, fmt.Errorf("want a list of lists of terminals, got %T", v)
	}
	out := make([][]string, rv.Len())
	for i := range out {
		n, err := stringList(rv.Index(i).Interface())
		if err != nil {
			return nil, fmt.Errorf("net %d: %w", i+1, err)
		}
		out[i] = n
	}
	return out, nil
}

// stringList accepts a list of strings as the vocabulary holds it
// ([]string) or as an expression writes it (["A-B", "B-C"], []any).
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case []string:
		return x, nil
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, fmt.Errorf("element %d is %T, not a string", i, e)
			}
			out[i] = s
		}
		return out, nil
	case nil:
		return nil, nil
	}
	return nil, fmt.Errorf("want a list of strings, got %T", v)
}

// window returns the elements of a list of events whose seq stands in
// relation keep to at (an event's seq, or an event itself).
func window(list, at any, keep func(seq, at int64) bool) ([]any, error) {
	var pivot int64
	switch x := at.(type) {
	case int:
		pivot = int64(x)
	default:
		seqs, _ := seqsOf([]any{at})
		if len(seqs) != 1 {
			return nil, fmt.Errorf("want an event or a seq number, got %T", at)
		}
		pivot = seqs[0]
	}
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return nil, fmt.Errorf("want a list of events, got %T", list)
	}
	out := []any{}
	seqs, _ := seqsOf(list)
	if len(seqs) != v.Len() {
		return nil, fmt.Errorf("want a list of events")
	}
	for i, s := range seqs {
		if keep(s, pivot) {
			out = append(out, v.Index(i).Interface())
		}
	}
	return out, nil
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case int:
		return float64(x)
	case int64:
		return float64(x)
	case float64:
		return x
	}
	return math.NaN()
}

// times returns the t_ms of each element of a list of records or cycles.
func times(list any) ([]int, error) {
	v := reflect.ValueOf(list)
	if v.Kind() != reflect.Slice {
		return nil, fmt.Errorf("want a list of events, got %T", list)
	}
	out := make([]int, v.Len())
	for i := range out {
		e := reflect.Indirect(v.Index(i))
		if e.Kind() == reflect.Interface {
			e = reflect.Indirect(e.Elem())
		}
		if e.Kind() != reflect.Struct || e.NumField() < 2 || e.Type().Field(1).Name != "T" {
			return nil, fmt.Errorf("want a list of events, got an element of %s", e.Type())
		}
		out[i] = int(e.Field(1).Int())
	}
	return out, nil
}
