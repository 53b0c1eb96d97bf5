package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_Duplicate: one result per id and one per candidate, plan and
// attempt; the first is kept.
func TestGuard_Duplicate(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "duplicate", 0)
	if _, err := r.client.Upload(t.Context(), saved.Bundle); err != nil {
		t.Fatal(err)
	}
	tests := []refusalCase{
		{"SameIDOtherBytes", centretest.Resign(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.SignedMs++ }), 409, examsync.CodeDuplicate, "held already"},
		{"SecondResultForAttempt", centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.ID = "second-attempt-run" }), 409, centre.CodeDuplicateAttempt, "already has result " + saved.ID},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
}
