package standards_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"shicao/standards"
)

// evalStd compiles a one-rule standard with expression src (a count) and
// evaluates it over events.
func evalCount(t *testing.T, src string, events []standards.Event) int {
	t.Helper()
	yaml := `id: ENV-1
version: 1
title: 环境
category: 通用科目
effective: 2024-01-01
time_limit: 5m
devices: [extinguisher, board]
items:
  - id: a
    title: 甲
    points: 100
    rules:
      - {id: r, text: 规则, count: '` + src + `', deduct: 1}
`
	s, err := standards.Parse("env.yaml", []byte(yaml))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	log := s.NewLog()
	for _, e := range events {
		if _, err := log.Add(e.Seq, e.TMs, e.Type, e.Data); err != nil {
			t.Fatal(err)
		}
	}
	oc, err := standards.NewRunner().EvalRule(&s.Items[0].Rules[0], log.Env(0, 300000))
	if err != nil {
		t.Fatalf("%s: %v", src, err)
	}
	return oc.Count
}

func ev(seq int64, typ, data string) standards.Event {
	return standards.Event{Seq: seq, TMs: seq * 100, Type: typ, Data: json.RawMessage(data)}
}

// TestEnv_LastOfFilterInsideMap guards against expr-lang/expr#950: with
// the optimizer on, last(filter(...)) inside another list function gave 1
// here instead of 2.
func TestEnv_LastOfFilterInsideMap(t *testing.T) {
	spray := `{"aim":"base","sweep":"near-far","remaining_pct":50}`
	events := []standards.Event{
		ev(1, "ext.spray", spray),
		ev(2, "ext.spray", spray),
		ev(3, "ext.unit", `{"agent":"co2","classes":["B","E"]}`),
		ev(4, "ext.spray", spray),
	}
	src := `len(filter(map(events("ext.spray"), {let e = #.seq; let u = last(filter(events("ext.unit"), .seq < e)); u?.seq ?? 0}), # == 0))`
	if got := evalCount(t, src, events); got != 2 {
		t.Fatalf("count %d, want 2 (two sprays before any unit was taken)", got)
	}
	// The same with preceding(): the helper made for "the last state before".
	src = `len(filter(events("ext.spray"), len(preceding(events("ext.unit"), #)) == 0))`
	if got := evalCount(t, src, events); got != 2 {
		t.Fatalf("preceding(): count %d, want 2", got)
	}
	src = `len(following(events("ext.spray"), 2))`
	if got := evalCount(t, src, events); got != 1 {
		t.Fatalf("following(): count %d, want 1", got)
	}
}

// TestEnv_DiffWithWrittenList: diff() takes the vocabulary's lists and
// lists written in the expression alike.
func TestEnv_DiffWithWrittenList(t *testing.T) {
	events := []standards.Event{ev(1, "board.continuity", `{"edges":["A-B","B-C","C-D"]}`)}
	src := `len(diff(last(events("board.continuity")).edges, ["A-B", "B-C"])) + 10 * len(diff(["A-B", "X-Y"], last(events("board.continuity")).edges))`
	if got := evalCount(t, src, events); got != 11 {
		t.Fatalf("count %d, want 11 (C-D extra, X-Y missing)", got)
	}
}

// TestEnv_Miswired: the miswired() helper counts exactly what SD-DG-K21's
// first netlist expression counted, written out in the language (kept here
// as the oracle), over the correct board, boards one or a few wires off,
// and random boards.
func TestEnv_Miswired(t *testing.T) {
	nets := `[["L1", "QS1.1"], ["L2", "QS1.3"], ["FU1.2", "KM1.1", "FU2.1"], ["SB1.2", "SB2.3", "SB3.3", "KM1.13"], ["KM1.A2", "FU2.4"]]`
	oracle := `let s = events("board.continuity"); let got = len(s) == 0 ? [] : last(s).edges; let nets = ` + nets + `;
	  count(nets, {let n = #; !(all(n, {let a = #; all(n, {a >= # || (a + "-" + #) in got})})
	    && 2 * count(got, {let e = #; any(n, hasPrefix(e, # + "-") || hasSuffix(e, "-" + #))}) == len(n) * (len(n) - 1))})
	  + count(got, {let e = #; none(flatten(nets), hasPrefix(e, # + "-") || hasSuffix(e, "-" + #))})`
	helper := `let s = events("board.continuity"); miswired(len(s) == 0 ? [] : last(s).edges, ` + nets + `)`
	terminals := []string{"L1", "QS1.1", "L2", "QS1.3", "FU1.2", "KM1.1", "FU2.1", "SB1.2", "SB2.3", "SB3.3", "KM1.13", "KM1.A2", "FU2.4", "M.PE", "PE", "X.1"}
	correct := []string{"L1-QS1.1", "L2-QS1.3", "FU1.2-FU2.1", "FU1.2-KM1.1", "FU2.1-KM1.1", "KM1.13-SB1.2", "KM1.13-SB2.3", "KM1.13-SB3.3",
		"SB1.2-SB2.3", "SB1.2-SB3.3", "SB2.3-SB3.3", "FU2.4-KM1.A2"}
	boards := [][]string{nil, correct, correct[1:], append(slices.Clone(correct), "M.PE-PE"), append(slices.Clone(correct), "KM1.1-L1")}
	r := rand.New(rand.NewPCG(7, 7))
	for range 60 {
		var b []string
		for _, e := range correct {
			if r.IntN(6) > 0 {
				b = append(b, e)
			}
		}
		for range r.IntN(4) {
			x, y := terminals[r.IntN(len(terminals))], terminals[r.IntN(len(terminals))]
			if x != y {
				b = append(b, min(x, y)+"-"+max(x, y))
			}
		}
		boards = append(boards, b)
	}
	for i, b := range boards {
		var events []standards.Event
		if b != nil {
			data, _ := json.Marshal(map[string]any{"edges": b})
			events = []standards.Event{ev(1, "board.continuity", string(data))}
		}
		want, got := evalCount(t, oracle, events), evalCount(t, helper, events)
		if got != want {
			t.Fatalf("board %d %v: miswired %d, the expression %d", i, b, got, want)
		}
		if i == 1 && got != 0 {
			t.Fatalf("the correct board: %d faults", got)
		}
	}
}
