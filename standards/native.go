package standards

import (
	"reflect"
	"regexp"
	"strconv"

	"github.com/expr-lang/expr/ast"
)

// A direct evaluator for the common shapes of sensor rules, beside expr.
//
// Most rules of the published sheets are one pass over one event type
// with a predicate of field comparisons: `filter(events("cpr.compression"),
// .depth_mm < 50)`, `count(..., between(.depth_mm, 50, 60))`. expr runs
// such a predicate at about 130 ns per event (each field is fetched by
// reflection and boxed), which makes re-scoring a 2,000-event item cost
// milliseconds: the centre re-scores every upload. This file compiles the
// same checked syntax tree to Go closures over the typed records, for the
// subset below, and leaves anything else to expr:
//
//	top level:  filter|count|any|all|none(events(T), P)   len(events(T))
//	            len(filter(events(T), P))   pct(N, N)   N < N ...   B && B
//	            !B   literals   elapsed   limit
//	P:          .field   literals   == != < <= > >=   && || !   -literal
//	            between(N, N, N)
//
// Values follow expr's rules exactly: ints compare as ints, an int and a
// float as floats, == between kinds it cannot compare is refused here (and
// left to expr). TestNativeMatchesExpr runs every rule and veto of the
// library both ways over every vector, and FuzzNativeMatchesExpr over
// random logs.

// nativeProg is an expression compiled to closures; eval returns what
// expr would (bool, int, float64), or hits for a list of events.
type nativeProg struct {
	eval func(env map[string]any) any
}

// hits is a list of events as a native program returns it: only what a
// rule keeps of a list, the seq and t_ms of each element.
type hits struct{ seqs, times []int64 }

type nkind uint8

const (
	nBool nkind = iota + 1
	nInt
	nFloat
	nString
)

// nval is a compiled value over one record (inside a predicate) or over
// the environment (at top level, rec is invalid). Exactly one function is
// set, by kind.
type nval[R any] struct {
	kind nkind
	b    func(R) bool
	i    func(R) int64
	f    func(R) float64 // set for nInt too: the value as a float
	s    func(R) string
}

var slotIdent = regexp.MustCompile(`^_e(\d+)$`)

// compileNative returns the native form of a checked expression tree, or
// nil when the tree is outside the subset.
func (ce *compiledEnv) compileNative(node ast.Node) *nativeProg {
	c := nativeCompiler{ce: ce}
	if l, ok := c.list(node); ok {
		return &nativeProg{eval: func(env map[string]any) any {
			var h hits
			l(env, func(rec reflect.Value) {
				h.seqs = append(h.seqs, rec.Field(0).Int())
				h.times = append(h.times, rec.Field(1).Int())
			})
			if h.seqs == nil {
				h.seqs, h.times = []int64{}, []int64{}
			}
			return h
		}}
	}
	v, ok := compileValue(node, c.top)
	if !ok {
		return nil
	}
	switch v.kind {
	case nBool:
		return &nativeProg{eval: func(env map[string]any) any { return v.b(env) }}
	case nInt:
		return &nativeProg{eval: func(env map[string]any) any { return int(v.i(env)) }}
	case nFloat:
		return &nativeProg{eval: func(env map[string]any) any { return v.f(env) }}
	}
	return nil
}

type env = map[string]any

type nativeCompiler struct{ ce *compiledEnv }

// slot resolves events("T") as the patcher left it: an identifier _eN.
func (c *nativeCompiler) slot(n ast.Node) (int, bool) {
	id, ok := n.(*ast.IdentifierNode)
	if !ok {
		return 0, false
	}
	m := slotIdent.FindStringSubmatch(id.Value)
	if m == nil {
		return 0, false
	}
	i, err := strconv.Atoi(m[1])
	if err != nil || i >= len(c.ce.types) {
		return 0, false
	}
	return i, true
}

// listOf reads a slot's list from the environment: a []*record.
func listOf(e env, slot int) reflect.Value {
	return reflect.ValueOf(e[slotName(slot)])
}

// pass compiles `builtin(events(T), P)` to a loop calling visit with each
// record for which P holds.
func (c *nativeCompiler) pass(n *ast.BuiltinNode) (slot int, pred func(reflect.Value) bool, ok bool) {
	// Map and Threshold are the optimizer's rewrites (filter+map folded,
	// count stopping early); it is off, and a rewritten node is not the
	// plain pass this evaluates.
	if len(n.Arguments) != 2 || n.Map != nil || n.Threshold != nil {
		return 0, nil, false
	}
	slot, ok = c.slot(n.Arguments[0])
	if !ok {
		return 0, nil, false
	}
	cl, ok := n.Arguments[1].(*ast.PredicateNode)
	if !ok {
		return 0, nil, false
	}
	rc := recordCompiler{et: c.ce.types[slot]}
	p, ok := compileValue(cl.Node, rc.leaf)
	if !ok || p.kind != nBool {
		return 0, nil, false
	}
	return slot, p.b, true
}

// list compiles filter(events(T), P).
func (c *nativeCompiler) list(n ast.Node) (func(env, func(reflect.Value)), bool) {
	b, ok := n.(*ast.BuiltinNode)
	if !ok || b.Name != "filter" {
		return nil, false
	}
	slot, pred, ok := c.pass(b)
	if !ok {
		return nil, false
	}
	return func(e env, visit func(reflect.Value)) {
		l := listOf(e, slot)
		for i := range l.Len() {
			if rec := l.Index(i).Elem(); pred(rec) {
				visit(rec)
			}
		}
	}, true
}

// top compiles the nodes only the top level has: passes over lists,
// len, pct, elapsed and limit.
func (c *nativeCompiler) top(n ast.Node) (nval[env], bool) {
	switch n := n.(type) {
	case *ast.IdentifierNode:
		if n.Value == "elapsed" || n.Value == "limit" {
			name := n.Value
			get := func(e env) int64 { x, _ := e[name].(int); return int64(x) }
			return intVal(get), true
		}
	case *ast.BuiltinNode:
		return c.builtin(n)
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "pct" || len(n.Arguments) != 2 {
			break
		}
		a, ok1 := compileValue(n.Arguments[0], c.top)
		b, ok2 := compileValue(n.Arguments[1], c.top)
		if !ok1 || !ok2 || !isNum(a) || !isNum(b) {
			break
		}
		return nval[env]{kind: nFloat, f: func(e env) float64 {
			total := b.f(e)
			if total == 0 {
				return 0
			}
			return a.f(e) * 100 / total
		}}, true
	}
	return nval[env]{}, false
}

// builtin compiles the builtins that pass over a list of events: len,
// count, any, all, none.
func (c *nativeCompiler) builtin(n *ast.BuiltinNode) (nval[env], bool) {
	switch n.Name {
	case "len":
		if len(n.Arguments) != 1 {
			break
		}
		if slot, ok := c.slot(n.Arguments[0]); ok {
			return intVal(func(e env) int64 { return int64(listOf(e, slot).Len()) }), true
		}
		if l, ok := c.list(n.Arguments[0]); ok {
			return intVal(func(e env) int64 {
				var k int64
				l(e, func(reflect.Value) { k++ })
				return k
			}), true
		}
	case "count":
		slot, pred, ok := c.pass(n)
		if !ok {
			break
		}
		return intVal(func(e env) int64 {
			l := listOf(e, slot)
			var k int64
			for i := range l.Len() {
				if pred(l.Index(i).Elem()) {
					k++
				}
			}
			return k
		}), true
	case "any", "all", "none":
		slot, pred, ok := c.pass(n)
		if !ok {
			break
		}
		// any: stop at the first true; all and none: at the first
		// that decides. want is the predicate value that decides.
		want, decided := true, true
		switch n.Name {
		case "all":
			want, decided = false, false
		case "none":
			want, decided = true, false
		}
		return nval[env]{kind: nBool, b: func(e env) bool {
			l := listOf(e, slot)
			for i := range l.Len() {
				if pred(l.Index(i).Elem()) == want {
					return decided
				}
			}
			return !decided
		}}, true
	}
	return nval[env]{}, false
}
