package standards

import (
	"fmt"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"
	"github.com/expr-lang/expr/ast"
	"github.com/expr-lang/expr/checker"
	"github.com/expr-lang/expr/conf"
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

var (
	structDump = regexp.MustCompile(`type struct \{.*\} has no field (\S+)`)
	exprPos    = regexp.MustCompile(` \((\d+):(\d+)\)$`)
)

// exprError keeps expr's message but drops its multi-line source excerpt
// (the linter prints file:line itself), names an event's missing field
// without dumping the Go type, and says where in the expression.
func exprError(err error) error {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	msg = structDump.ReplaceAllString(msg, "the event has no field $1 (see the event vocabulary in docs/standard-format.md)")
	msg = exprPos.ReplaceAllString(msg, " (at column $2 of the expression)")
	if strings.Contains(msg, "exceeds maximum allowed nodes") || strings.Contains(msg, "too many nodes") {
		msg = fmt.Sprintf("the expression is too large (at most %d syntax nodes): split it or simplify", MaxExprNodes)
	}
	return fmt.Errorf("%s", msg)
}

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
	touches := func(e, t string) bool {
		return strings.HasPrefix(e, t+"-") || strings.HasSuffix(e, "-"+t)
	}
	faults := 0
	for _, n := range nets {
		exact := true
		for _, a := range n {
			for _, b := range n {
				if a < b && !have[a+"-"+b] {
					exact = false
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

// Log is one session's events as the expressions see them: per event type a
// typed list. It grows as events arrive (live scoring appends, it does not
// rebuild).
//
// The lists hold pointers to records: expr boxes each element it iterates
// over, and boxing a pointer is free where boxing a struct copies it. The
// records themselves are allocated in slabs.
type Log struct {
	ce     *compiledEnv
	lists  []reflect.Value // per slot: *[]*record
	slabs  []slab          // per slot: records not yet handed out
	order  []slotSeq       // the slotted events in log order, for cycles
	intern map[string]string

	outages []Outage // device.lost to device.back (outage.go)
	lost    int      // outages not over
}

type slotSeq struct{ slot, idx int32 }

// NewLog returns an empty log for the standard's expressions.
func (s *Standard) NewLog() *Log {
	l := &Log{ce: s.env}
	for _, et := range s.env.types {
		l.lists = append(l.lists, reflect.New(reflect.SliceOf(reflect.PointerTo(et.record))))
		l.slabs = append(l.slabs, slab{})
	}
	return l
}

// Add records an event if the standard's expressions select its type, and
// reports whether it did. The data must be a JSON object with exactly the
// fields of the vocabulary: an unknown, missing or mistyped field is an
// error naming it. device.lost and device.back are kept as outages
// (Outages) whether or not an expression selects them.
func (l *Log) Add(seq, tms int64, typ string, data []byte) (bool, error) {
	return l.AddBytes(seq, tms, []byte(typ), data)
}

// AddBytes is Add with the type as bytes (no allocation on the hot path).
func (l *Log) AddBytes(seq, tms int64, typ, data []byte) (bool, error) {
	switch {
	case isOutageType(typ):
		if err := l.addOutage(seq, tms, typ, data); err != nil {
			return false, err
		}
	case l.lost > 0:
		l.reading(seq, tms, typ)
	}
	slot, ok := l.ce.slots[string(typ)]
	if !ok {
		return false, nil
	}
	return true, l.add(slot, seq, tms, data)
}

func (l *Log) add(slot int, seq, tms int64, data []byte) error {
	if l.intern == nil {
		l.intern = map[string]string{}
	}
	et := l.ce.types[slot]
	sl := &l.slabs[slot]
	if !sl.recs.IsValid() || sl.next >= sl.recs.Len() {
		size := 64
		if sl.recs.IsValid() {
			size = min(sl.recs.Len()*2, 4096)
		}
		sl.recs, sl.next = reflect.MakeSlice(reflect.SliceOf(et.record), size, size), 0
	}
	rec := sl.recs.Index(sl.next)
	if err := decodeRecord(rec, et, data, l.intern); err != nil {
		rec.Set(reflect.Zero(rec.Type()))
		return err
	}
	sl.next++
	rec.Field(0).SetInt(seq)
	rec.Field(1).SetInt(tms)
	// Grow by hand: reflect.Append allocates a slice header on every call.
	s := l.lists[slot].Elem()
	n := s.Len()
	if n == s.Cap() {
		grown := reflect.MakeSlice(s.Type(), n, max(2*n, 64))
		reflect.Copy(grown, s)
		s.Set(grown)
	}
	s.SetLen(n + 1)
	s.Index(n).Set(rec.Addr())
	l.order = append(l.order, slotSeq{int32(slot), int32(n)})
	return nil
}

// slab is a block of records allocated at once.
type slab struct {
	recs reflect.Value // []record
	next int
}

// Env returns the expression environment over the log so far. elapsed and
// limit are milliseconds.
func (l *Log) Env(elapsed, limit int64) map[string]any {
	return l.env(l.lists, elapsed, limit)
}

// env is the environment over lists (per slot: *[]*record), the log's own
// or its records on another clock (EnvWithoutOutages).
func (l *Log) env(lists []reflect.Value, elapsed, limit int64) map[string]any {
	env := make(map[string]any, 2+len(lists)+len(l.ce.cycles))
	env["elapsed"] = int(elapsed)
	env["limit"] = int(limit)
	for i, sp := range lists {
		env[slotName(i)] = sp.Elem().Interface()
	}
	for i, c := range l.ce.cycles {
		env[cycleName(i)] = l.buildCycles(c, lists)
	}
	return env
}

// buildCycles segments the A and B events into cycles: a run of A events
// followed by a run of B events (30 compressions, then 2 breaths). A run of
// A with no B after it is not a complete cycle and is not listed.
func (l *Log) buildCycles(c cyclePair, lists []reflect.Value) any {
	as, bs := lists[c.a].Elem(), lists[c.b].Elem()
	out := reflect.MakeSlice(reflect.SliceOf(c.typ), 0, 8)
	aStart, aEnd, bStart, bEnd := -1, -1, -1, -1
	flush := func() {
		if aStart < 0 || bStart < 0 {
			return
		}
		cy := reflect.New(c.typ).Elem()
		first, lastA := as.Index(aStart).Elem(), as.Index(aEnd).Elem()
		lastB := bs.Index(bEnd).Elem()
		t0, tA, tEnd := first.Field(1).Int(), lastA.Field(1).Int(), lastB.Field(1).Int()
		cy.Field(0).SetInt(first.Field(0).Int())
		cy.Field(1).SetInt(t0)
		cy.Field(2).SetInt(lastB.Field(0).Int())
		cy.Field(3).SetInt(tEnd)
		cy.Field(4).SetInt(tEnd - t0)
		// a_ms is the time the run of A takes at its own mean pace: n
		// intervals, not n-1, so 30 compressions at 100–120/min give
		// 15–18 s exactly as the published sheets state it.
		if n := int64(aEnd - aStart + 1); n > 1 {
			cy.Field(5).SetInt((tA - t0) * n / (n - 1))
		}
		cy.Field(6).Set(as.Slice(aStart, aEnd+1))
		cy.Field(7).Set(bs.Slice(bStart, bEnd+1))
		out = reflect.Append(out, cy)
		aStart, aEnd, bStart, bEnd = -1, -1, -1, -1
	}
	for _, o := range l.order {
		switch int(o.slot) {
		case c.a:
			if bStart >= 0 {
				flush()
			}
			if aStart < 0 {
				aStart = int(o.idx)
			}
			aEnd = int(o.idx)
		case c.b:
			if aStart < 0 {
				continue // breaths before any compression belong to no cycle
			}
			if bStart < 0 {
				bStart = int(o.idx)
			}
			bEnd = int(o.idx)
		}
	}
	flush()
	return out.Interface()
}

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
