package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_Examiner: a result is signed by examiners, each on the plan
// (their certificates: guard_certificate_test.go).
func TestGuard_Examiner(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "examiner", 0)
	remake := func(f func(*examsync.ResultDoc)) []byte { return centretest.Remake(t, saved.Bundle, r.st.Signer, f) }
	tests := []refusalCase{
		{"NotOnPlan", remake(func(d *examsync.ResultDoc) { d.Examiners[1].ID = demo.Examiners[2].ID }), 422, centre.CodeExaminer, "(" + demo.Examiners[2].ID + ") is not on plan TA-2026-DG-001"},
		{"None", remake(func(d *examsync.ResultDoc) { d.Examiners = nil }), 422, centre.CodeExaminer, "names no examiner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
}
