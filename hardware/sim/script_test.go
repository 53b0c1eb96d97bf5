package sim

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"shicao/hardware"
)

// TestScripts_Reproducible: the same seed gives the same bytes, another
// seed other bytes.
func TestScripts_Reproducible(t *testing.T) {
	flat := func(kind hardware.Kind, scenario string, seed uint64) []byte {
		var steps []step
		rng := rand.New(rand.NewPCG(seed, 0xc0de))
		switch kind {
		case hardware.KindCPR:
			steps, _ = cprScript(scenario, rng)
		default:
			steps, _ = lineScript(kind, scenario, rng)
		}
		var b []byte
		for _, s := range steps {
			b = append(b, byte(s.at), byte(s.at>>8), byte(s.at>>16))
			b = append(b, s.data...)
		}
		return b
	}
	for _, kind := range []hardware.Kind{hardware.KindCPR, hardware.KindExtinguisher, hardware.KindPPE, hardware.KindHarness} {
		for _, sc := range Scenarios(kind) {
			a, b, c := flat(kind, sc, 7), flat(kind, sc, 7), flat(kind, sc, 8)
			if !bytes.Equal(a, b) {
				t.Errorf("%s/%s: seed 7 twice gave different bytes", kind, sc)
			}
			if bytes.Equal(a, c) {
				t.Errorf("%s/%s: seeds 7 and 8 gave the same bytes", kind, sc)
			}
		}
	}
}

// TestBoardWires_Reproducible: the board's wiring order follows the seed,
// and whatever the order, each scenario makes the same set of wires.
func TestBoardWires_Reproducible(t *testing.T) {
	wires := func(scenario string, seed uint64) []string {
		return boardWires(scenario, rand.New(rand.NewPCG(seed, 0xc0de)))
	}
	for _, sc := range Scenarios(hardware.KindBoard) {
		a, b, c := wires(sc, 7), wires(sc, 7), wires(sc, 8)
		if !slices.Equal(a, b) {
			t.Errorf("%s: seed 7 twice gave %v and %v", sc, a, b)
		}
		if slices.Equal(a, c) {
			t.Errorf("%s: seeds 7 and 8 gave the same order", sc)
		}
		// Chains differ with the seed, the nodes they make do not: 28 wires
		// for the 22 nodes of 50 terminals, one more for the short.
		want := 28
		if sc == "short-circuit" {
			want = 29
		}
		if len(a) != want || len(c) != want {
			t.Errorf("%s: %d and %d wires, want %d", sc, len(a), len(c), want)
		}
	}
}
