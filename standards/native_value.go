package standards

import (
	"reflect"

	"github.com/expr-lang/expr/ast"
)

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
