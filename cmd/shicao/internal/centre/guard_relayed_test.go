package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
)

// TestGuard_Relayed: every standard and blueprint version on a result is
// one this centre relayed (the station had K13 from elsewhere: the demo
// seed).
func TestGuard_Relayed(t *testing.T) {
	t.Parallel()
	r := newRig(t, "sd-dg-k13-safety-signs.yaml")
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "relayed", 0)
	expectRefused(t, r, refusalCase{"K13NotRelayed", saved.Bundle, 422, centre.CodeStandard, "standard SD-DG-K13 version 1"})
}
