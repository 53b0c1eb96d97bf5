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

// recordCompiler compiles predicate leaves: the fields of one event type.
type recordCompiler struct{ et *EventType }

func (rc *recordCompiler) leaf(n ast.Node) (nval[reflect.Value], bool) {
	switch n := n.(type) {
	case *ast.MemberNode:
		p, ok := n.Node.(*ast.PointerNode)
		name, ok2 := n.Property.(*ast.StringNode)
		if !ok || !ok2 || p.Name != "" || n.Optional || n.Method {
			break
		}
		idx, t, ok := recordField(rc.et, name.Value)
		if !ok {
			break
		}
		switch t {
		case FieldInt:
			return intVal(func(r reflect.Value) int64 { return r.Field(idx).Int() }), true
		case FieldFloat:
			f := func(r reflect.Value) float64 { return r.Field(idx).Float() }
			return nval[reflect.Value]{kind: nFloat, f: f}, true
		case FieldBool:
			return nval[reflect.Value]{kind: nBool, b: func(r reflect.Value) bool { return r.Field(idx).Bool() }}, true
		case FieldString:
			return nval[reflect.Value]{kind: nString, s: func(r reflect.Value) string { return r.Field(idx).String() }}, true
		}
	case *ast.CallNode:
		id, ok := n.Callee.(*ast.IdentifierNode)
		if !ok || id.Value != "between" || len(n.Arguments) != 3 {
			break
		}
		var args [3]nval[reflect.Value]
		for i, a := range n.Arguments {
			v, ok := compileValue(a, rc.leaf)
			if !ok || !isNum(v) {
				return nval[reflect.Value]{}, false
			}
			args[i] = v
		}
		x, lo, hi := args[0].f, args[1].f, args[2].f
		return nval[reflect.Value]{kind: nBool, b: func(r reflect.Value) bool {
			v := x(r)
			return v >= lo(r) && v <= hi(r)
		}}, true
	}
	return nval[reflect.Value]{}, false
}

// recordField finds a data field (or seq, t_ms) of an event type: its
// index in the record struct and its type.
func recordField(et *EventType, name string) (int, FieldType, bool) {
	switch name {
	case "seq":
		return 0, FieldInt, true
	case "t_ms":
		return 1, FieldInt, true
	}
	for i, f := range et.Fields {
		if f.Name == name {
			return i + 2, f.Type, true
		}
	}
	return 0, "", false
}

func intVal[R any](i func(R) int64) nval[R] {
	return nval[R]{kind: nInt, i: i, f: func(r R) float64 { return float64(i(r)) }}
}

func isNum[R any](v nval[R]) bool { return v.kind == nInt || v.kind == nFloat }

// compileValue compiles the operators and literals both levels share;
// leaf compiles what is particular to the level.
func compileValue[R any](n ast.Node, leaf func(ast.Node) (nval[R], bool)) (nval[R], bool) {
	var none nval[R]
	switch n := n.(type) {
	case *ast.IntegerNode:
		v := int64(n.Value)
		return intVal(func(R) int64 { return v }), true
	case *ast.FloatNode:
		v := n.Value
		return nval[R]{kind: nFloat, f: func(R) float64 { return v }}, true
	case *ast.BoolNode:
		v := n.Value
		return nval[R]{kind: nBool, b: func(R) bool { return v }}, true
	case *ast.StringNode:
		v := n.Value
		return nval[R]{kind: nString, s: func(R) string { return v }}, true
	case *ast.UnaryNode:
		x, ok := compileValue(n.Node, leaf)
		if !ok {
			return none, false
		}
		switch {
		case (n.Operator == "!" || n.Operator == "not") && x.kind == nBool:
			return nval[R]{kind: nBool, b: func(r R) bool { return !x.b(r) }}, true
		case n.Operator == "-" && x.kind == nInt:
			return intVal(func(r R) int64 { return -x.i(r) }), true
		case n.Operator == "-" && x.kind == nFloat:
			return nval[R]{kind: nFloat, f: func(r R) float64 { return -x.f(r) }}, true
		}
		return none, false
	case *ast.BinaryNode:
		return compileBinary(n, leaf)
	}
	return leaf(n)
}

func compileBinary[R any](n *ast.BinaryNode, leaf func(ast.Node) (nval[R], bool)) (nval[R], bool) {
	var none nval[R]
	a, ok1 := compileValue(n.Left, leaf)
	b, ok2 := compileValue(n.Right, leaf)
	if !ok1 || !ok2 {
		return none, false
	}
	boolOf := func(f func(R) bool) (nval[R], bool) { return nval[R]{kind: nBool, b: f}, true }
	switch n.Operator {
	case "&&", "and", "||", "or":
		if a.kind != nBool || b.kind != nBool {
			return none, false
		}
		if n.Operator == "&&" || n.Operator == "and" {
			return boolOf(func(r R) bool { return a.b(r) && b.b(r) })
		}
		return boolOf(func(r R) bool { return a.b(r) || b.b(r) })
	case "==", "!=":
		var eq func(R) bool
		switch {
		case a.kind == nInt && b.kind == nInt:
			eq = func(r R) bool { return a.i(r) == b.i(r) }
		case isNum(a) && isNum(b):
			eq = func(r R) bool { return a.f(r) == b.f(r) }
		case a.kind == nString && b.kind == nString:
			eq = func(r R) bool { return a.s(r) == b.s(r) }
		case a.kind == nBool && b.kind == nBool:
			eq = func(r R) bool { return a.b(r) == b.b(r) }
		default:
			return none, false
		}
		if n.Operator == "!=" {
			return boolOf(func(r R) bool { return !eq(r) })
		}
		return boolOf(eq)
	case "<", "<=", ">", ">=":
		if !isNum(a) || !isNum(b) {
			return none, false
		}
		if a.kind == nInt && b.kind == nInt {
			return boolOf(ordered(n.Operator, a.i, b.i))
		}
		return boolOf(ordered(n.Operator, a.f, b.f))
	}
	return none, false
}

// ordered returns x op y for one of < <= > >=.
func ordered[R any, T int64 | float64](op string, x, y func(R) T) func(R) bool {
	switch op {
	case "<":
		return func(r R) bool { return x(r) < y(r) }
	case "<=":
		return func(r R) bool { return x(r) <= y(r) }
	case ">":
		return func(r R) bool { return x(r) > y(r) }
	default:
		return func(r R) bool { return x(r) >= y(r) }
	}
}
