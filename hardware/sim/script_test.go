package sim

import (
	"bytes"
	"math/rand/v2"
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
