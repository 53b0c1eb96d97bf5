package standards

import (
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/conf"
	"github.com/expr-lang/expr/file"
	"github.com/expr-lang/expr/parser"
	"github.com/expr-lang/expr/vm"
)

// The expression environment of sensor rules and veto conditions. It is the
// contract with the province's standard authors and is documented, with an
// example per name, in docs/standard-format.md. Expressions are
// github.com/expr-lang/expr: compiled once at load, type-checked against the
// event vocabulary, no loops or recursion (only bounded builtins over finite
// lists), a node budget at compile time and a memory budget at run time.

// MaxExprNodes bounds one expression's size; the longest sample expression
// has about 30 nodes.
const MaxExprNodes = 500

// exprMemoryBudget bounds what one evaluation may allocate in ranges and
// arrays (expr counts elements).
const exprMemoryBudget = 1 << 22

// disabledBuiltins are expr builtins that would let a standard read the
// clock (scores must be a pure function of the events) or build large values.
var disabledBuiltins = []string{"now", "date", "duration", "timezone", "repeat", "fromJSON", "toJSON", "fromBase64", "toBase64", "split", "splitAfter",
	// findLast and findLastIndex carry the stack bug of expr-lang/expr#950.
	"findLast", "findLastIndex"}

// program is one compiled expression.
type program struct {
	src  string
	prog *vm.Program
	fast *nativeProg // the same expression as closures, when it is in that subset (native.go)
}

// Kinds of expression results.
const (
	kindList = "list"
	kindInt  = "int"
	kindBool = "bool"
)

func (ce *compiledEnv) compile(src, kind string) (*program, error) {
	opts := []expr.Option{
		expr.Env(ce.typedEnv()),
		expr.Patch(patcher{ce}),
		expr.MaxNodes(MaxExprNodes),
		// The optimizer rewrites last(filter(...)) into findLast, which
		// leaves a stray value on the VM stack in expr v1.17.8
		// (expr-lang/expr#950): a wrong count, silently. Scores come
		// before speed; the unoptimized programs are fast enough.
		expr.Optimize(false),
	}
	for _, b := range disabledBuiltins {
		opts = append(opts, expr.DisableBuiltin(b))
	}
	opts = append(opts, envFunctions...)
	switch kind {
	case kindList:
		opts = append(opts, expr.AsKind(reflect.Slice))
	case kindInt:
		// Not AsInt: that would truncate 2.1 to 2 silently. The result
		// is checked to be whole when the rule runs.
	case kindBool:
		opts = append(opts, expr.AsBool())
	}
	p, err := expr.Compile(src, opts...)
	if err != nil {
		e := exprError(err)
		if strings.Contains(e.Error(), "expected ") {
			want := map[string]string{kindList: "a list (each element one occurrence)", kindInt: "a whole number", kindBool: "true or false"}[kind]
			return nil, fmt.Errorf("%v: this expression must give %s", e, want)
		}
		return nil, e
	}
	t, err := recheck(p, opts)
	if err != nil {
		return nil, exprError(err)
	}
	if kind == kindInt && t != nil && t.Kind() != reflect.Interface && t.Kind() != reflect.Int && t.Kind() != reflect.Float64 {
		gives := map[reflect.Kind]string{reflect.Slice: "a list", reflect.Array: "a list", reflect.Bool: "true or false", reflect.String: "text", reflect.Map: "a map", reflect.Struct: "one event"}[t.Kind()]
		if gives == "" {
			gives = t.String()
		}
		return nil, fmt.Errorf("it gives %s: this expression must give a whole number (a list goes in each:, a condition in when:)", gives)
	}
	ce.collectNeeds(p.Node())
	return &program{src: src, prog: p, fast: ce.compileNative(p.Node())}, nil
}

// recheck type-checks a compiled program's tree once more, from scratch.
// expr checks a patched tree in passes and keeps the type a call to a
// helper got before events("...") had its typed slot; the last pass then
// does not look inside the call's arguments again, so without this
// `pct(count(events("cpr.compression"), .depht_mm < 50), 1) < 60` would
// load with a misspelt field, to fail on the first compression (or, with
// a field compared with the wrong type, silently read false). A
// standard's mistakes are load errors, never wrong scores.
func recheck(p *vm.Program, opts []expr.Option) (reflect.Type, error) {
	config := conf.CreateNew()
	for _, op := range opts {
		op(config)
	}
	for name := range config.Disabled {
		delete(config.Builtins, name)
	}
	config.Check()
	config.Visitors = nil // the tree is patched already
	node := p.Node()
	ast.Walk(&node, forgetTypes{})
	return checker.Check(&parser.Tree{Node: node, Source: p.Source()}, config)
}

// forgetTypes clears every node's type, so that a check starts afresh.
type forgetTypes struct{}

func (forgetTypes) Visit(node *ast.Node) { (*node).SetType(nil) }

// structDump finds the Go type expr prints when an event lacks a field:
// the checker says so only in its message (there is no error type for
// it), and the record types are built at load, so their text is all
// their fields.
var structDump = regexp.MustCompile(`type struct \{.*\} has no field (\S+)`)

// exprError keeps expr's message but drops its multi-line source excerpt
// (the linter prints file:line itself), names an event's missing field
// without dumping the Go type, and says where in the expression. expr's
// errors are *file.Error, with the message and the column apart; its
// parser refuses a large expression only by its message.
func exprError(err error) error {
	msg := err.Error()
	var fe *file.Error
	if errors.As(err, &fe) {
		msg = fe.Message
	}
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = structDump.ReplaceAllString(msg, "the event has no field $1 (see the event vocabulary in docs/standard-format.md)")
	if fe != nil && fe.Snippet != "" { // expr gives a column only with the excerpt
		msg += fmt.Sprintf(" (at column %d of the expression)", fe.Column+1)
	}
	if strings.Contains(msg, "exceeds maximum allowed nodes") {
		msg = fmt.Sprintf("the expression is too large (at most %d syntax nodes): split it or simplify", MaxExprNodes)
	}
	return errors.New(msg)
}
