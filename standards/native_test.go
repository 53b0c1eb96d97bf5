package standards

import (
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"sync"
	"testing"

	"github.com/expr-lang/expr/ast"

	"shicao/standards/library"
)

// libraryStandards parses every item standard of the library (once).
func libraryStandards(t testing.TB) []*Standard {
	t.Helper()
	ss, err := parsedLibrary()
	if err != nil {
		t.Fatal(err)
	}
	return ss
}

var parsedLibrary = sync.OnceValues(func() ([]*Standard, error) {
	var out []*Standard
	for _, name := range library.Names() {
		if strings.Contains(name, "paper") {
			continue
		}
		src, err := library.Read(name)
		if err != nil {
			return nil, err
		}
		s, err := Parse(name, src)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		out = append(out, s)
	}
	return out, nil
})

// programs lists a standard's compiled expressions by name.
func programs(s *Standard) map[string]*program {
	out := map[string]*program{}
	for _, it := range s.Items {
		for _, r := range it.Rules {
			out["rule "+r.ID] = r.prog
			if r.ev != nil {
				out["rule "+r.ID+" evidence"] = r.ev
			}
		}
	}
	for _, v := range s.Veto {
		if v.prog != nil {
			out["veto "+v.ID] = v.prog
		}
		if v.ev != nil {
			out["veto "+v.ID+" evidence"] = v.ev
		}
	}
	return out
}

// compare runs every expression of s over the log both ways.
func compare(t *testing.T, s *Standard, events []Event, what string) {
	t.Helper()
	log := s.NewLog()
	var last int64
	for _, e := range events {
		if _, err := log.Add(e.Seq, e.TMs, e.Type, e.Data); err != nil {
			t.Fatalf("%s %s: event %d: %v", s.ID, what, e.Seq, err)
		}
		last = e.TMs
	}
	// Both clocks: the log's own, and the one a rule with
	// `outages: exclude` sees, which stops while a device is lost.
	envs := map[string]map[string]any{
		"":                 log.Env(last, s.TimeLimit.Millis()),
		" without outages": log.EnvWithoutOutages(last, s.TimeLimit.Millis(), s.Devices),
	}
	fast, slow := NewRunner(), NewRunner()
	slow.exprOnly = true
	for clock, env := range envs {
		for name, p := range programs(s) {
			want, err := slow.run(p, env)
			if err != nil {
				t.Fatalf("%s %s %s%s: expr: %v", s.ID, what, name, clock, err)
			}
			got, err := fast.run(p, env)
			if err != nil {
				t.Fatalf("%s %s %s%s: %v", s.ID, what, name, clock, err)
			}
			if g, w := normal(got), normal(want); g != w {
				t.Fatalf("%s %s %s%s (%s):\nnative %s\nexpr   %s", s.ID, what, name, clock, p.src, g, w)
			}
		}
	}
}

// normal prints a result so that a native list (hits) and expr's list of
// records read the same.
func normal(v any) string {
	switch x := v.(type) {
	case hits:
		return fmt.Sprintf("list %d %v %v", len(x.seqs), x.seqs, x.times)
	case float64:
		return fmt.Sprintf("float %v", math.Float64bits(x))
	case bool, int:
		return fmt.Sprintf("%T %v", x, x)
	}
	if reflect.ValueOf(v).Kind() == reflect.Slice {
		seqs, times := seqsOf(v)
		return fmt.Sprintf("list %d %v %v", reflect.ValueOf(v).Len(), seqs, times)
	}
	return fmt.Sprintf("%T %v", v, v)
}

// TestNativeMatchesExpr: over every vector of every library standard,
// every rule, veto and evidence gives the same with the native evaluator
// as with expr. And the hot rules of the CPR sheet are native, so that a
// change to the subset cannot slow the centre's re-scoring unnoticed.
func TestNativeMatchesExpr(t *testing.T) {
	native, all := 0, 0
	for _, s := range libraryStandards(t) {
		for _, p := range programs(s) {
			all++
			if p.fast != nil {
				native++
			}
		}
		for i := range s.Tests {
			compare(t, s, s.Expand(&s.Tests[i]), "vector "+s.Tests[i].Name)
		}
	}
	t.Logf("%d of %d library expressions run natively", native, all)
	for _, s := range libraryStandards(t) {
		if s.ID != "SD-DG-K42" {
			continue
		}
		ps := programs(s)
		for _, name := range []string{"rule position-error", "rule shallow", "rule deep", "rule no-recoil", "veto depth-rate", "rule breath-failed"} {
			if ps[name] == nil || ps[name].fast == nil {
				t.Errorf("SD-DG-K42 %s is not native", name)
			}
		}
	}
}

// TestNativeMatchesExpr_Random: the same over random logs whose values
// sit on and around every literal the expressions compare with.
func TestNativeMatchesExpr_Random(t *testing.T) {
	for _, s := range libraryStandards(t) {
		for seed := range uint64(20) {
			compare(t, s, randomLog(s, rand.New(rand.NewPCG(seed, 1))), fmt.Sprintf("random log %d", seed))
		}
	}
}

func FuzzNativeMatchesExpr(f *testing.F) {
	f.Add(uint64(1), uint8(0))
	f.Fuzz(func(t *testing.T, seed uint64, which uint8) {
		ss := libraryStandards(t)
		s := ss[int(which)%len(ss)]
		compare(t, s, randomLog(s, rand.New(rand.NewPCG(seed, 2))), fmt.Sprintf("random log %d", seed))
	})
}

// randomLog makes up to 300 events of the types s's expressions use,
// with field values drawn from the literals of the expressions, their
// neighbours and a few others.
func randomLog(s *Standard, r *rand.Rand) []Event {
	ints := []int64{0, 1, -1, 2, 1000}
	floats := []float64{0, 0.5, -1.25, 3.0, 1e6}
	strs := []string{"", "x", "ok"}
	for _, p := range programs(s) {
		ast.Find(p.prog.Node(), func(n ast.Node) bool {
			switch n := n.(type) {
			case *ast.IntegerNode:
				ints = append(ints, int64(n.Value)-1, int64(n.Value), int64(n.Value)+1)
				floats = append(floats, float64(n.Value)-0.5, float64(n.Value), float64(n.Value)+0.5)
			case *ast.FloatNode:
				floats = append(floats, n.Value, math.Nextafter(n.Value, math.Inf(1)), math.Nextafter(n.Value, math.Inf(-1)))
				ints = append(ints, int64(n.Value), int64(n.Value)+1)
			case *ast.StringNode:
				strs = append(strs, n.Value)
			}
			return false
		})
	}
	if len(s.env.types) == 0 {
		return nil // an examiner-only sheet
	}
	n := r.IntN(300)
	var out []Event
	tms := int64(0)
	for i := range n {
		// Now and then a device of the standard is lost or back, so that
		// the clock without outages stops and runs again.
		if len(s.Devices) > 0 && r.IntN(20) == 0 {
			typ := []string{TypeDeviceLost, TypeDeviceBack}[r.IntN(2)]
			b, _ := json.Marshal(map[string]string{"kind": s.Devices[r.IntN(len(s.Devices))]})
			tms += int64(r.IntN(5000))
			out = append(out, Event{Seq: int64(i + 1), TMs: tms, Type: typ, Data: b})
			continue
		}
		et := s.env.types[r.IntN(len(s.env.types))]
		data := map[string]any{}
		for _, f := range et.Fields {
			switch f.Type {
			case FieldInt:
				data[f.Name] = ints[r.IntN(len(ints))]
			case FieldFloat:
				data[f.Name] = floats[r.IntN(len(floats))]
			case FieldBool:
				data[f.Name] = r.IntN(2) == 0
			case FieldString:
				data[f.Name] = strs[r.IntN(len(strs))]
			case FieldStrings:
				l := []string{}
				for range r.IntN(3) {
					l = append(l, strs[r.IntN(len(strs))])
				}
				data[f.Name] = l
			}
		}
		b, _ := json.Marshal(data)
		tms += int64(r.IntN(2000))
		out = append(out, Event{Seq: int64(i + 1), TMs: tms, Type: et.Name, Data: b})
	}
	return out
}

// TestNative_Operators: each operator and shape of the subset, mixed int
// and float comparisons, empty lists, a zero total, against expr over
// random logs; and what lies outside the subset stays with expr.
func TestNative_Operators(t *testing.T) {
	native := []string{
		`each: 'filter(events("cpr.compression"), .depth_mm < 50 || .depth_mm >= 60.5)'`,
		`each: 'filter(events("cpr.compression"), !(.position == "ok") && .recoil != false)'`,
		`each: 'filter(events("cpr.compression"), .seq > 3 and not .recoil or .t_ms <= 1000)'`,
		`each: 'filter(events("ext.position"), .distance_m == 3 || .distance_m != 4.5 && .upwind == true)'`,
		`each: 'filter(events("ext.position"), between(.distance_m, 3, 5) && -.distance_m > -4)'`,
		`each: 'filter(events("scba.alarm"), between(.mpa, 5.0, 6))'`,
		`count: 'count(events("cpr.ventilation"), .volume_ml > 1000 || .gastric)'`,
		`count: 'len(events("cpr.compression"))'`,
		`count: 'len(filter(events("cpr.compression"), .depth_mm == 55))'`,
		`when: 'pct(count(events("cpr.compression"), between(.depth_mm, 50, 60)), len(events("cpr.compression"))) < 60'`,
		`when: 'pct(len(events("scba.alarm")), 0) == 0.0'`,
		`when: 'any(events("scba.valve"), .open) && all(events("scba.seal"), .ok) || none(events("scba.supply"), .connected)'`,
		`when: 'all(events("cpr.compression"), .depth_mm >= -1) == !any(events("cpr.compression"), .depth_mm < -1)'`,
		`when: 'elapsed > limit || elapsed >= 0 && limit != 1'`,
		`when: 'len(events("scba.breath")) > 2.5'`,
	}
	exprOnly := []string{
		`count: 'max(0, 10 - len(events("cpr.ventilation")))'`,
		`each: 'filter(cycles("cpr.compression", "cpr.ventilation"), .a_ms < 15000)'`,
		`when: 'any(events("ext.unit"), "B" in .classes)'`,
		`each: 'filter(events("cpr.compression"), .depth_mm + 1 > 50)'`,
		`each: 'take(filter(events("cpr.compression"), .recoil), 1)'`,
	}
	var rules strings.Builder
	for i, r := range append(append([]string{}, native...), exprOnly...) {
		fmt.Fprintf(&rules, "      - {id: r%d, text: 规则, %s, deduct: 1}\n", i, r)
	}
	yaml := `id: NATIVE-1
version: 1
title: 原生
category: 通用科目
effective: 2024-01-01
time_limit: 5m
devices: [cpr, extinguisher, scba]
items:
  - id: a
    title: 甲
    points: 100
    rules:
` + rules.String()
	s, err := Parse("native.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	for i, r := range s.Items[0].Rules {
		if want := i < len(native); (r.prog.fast != nil) != want {
			t.Errorf("%s: native %v, want %v", r.prog.src, r.prog.fast != nil, want)
		}
	}
	compare(t, s, nil, "empty log")
	for seed := range uint64(200) {
		compare(t, s, randomLog(s, rand.New(rand.NewPCG(seed, 3))), fmt.Sprintf("random log %d", seed))
	}
}
