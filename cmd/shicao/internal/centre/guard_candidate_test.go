package centre_test

import (
	"encoding/json"
	"errors"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// TestGuard_Candidate: the candidate on a result is the plan's, every
// field as the plan holds it (身份证号, name, attempt), and every item's
// log was recorded for this result's attempt and candidate: a result
// naming another person under a planned 身份证号 (冒名顶替), or carrying a
// log moved in from another candidate's result, is refused.
func TestGuard_Candidate(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// Two genuine results, the same draw: the same items.
	a := r.st.Exam(t, demo.Candidates[0].IDNumber, "candidate", 0)
	b := r.st.Exam(t, demo.Candidates[1].IDNumber, "candidate", 0)
	var bb examsync.Bundle
	if err := json.Unmarshal(b.Bundle, &bb); err != nil {
		t.Fatal(err)
	}
	subject := a.Doc.Items[0].Subject
	transplant := centretest.Edit(t, a.Bundle, r.st.Signer, func(_ *examsync.ResultDoc, ab *examsync.Bundle) {
		ab.Events[subject] = bb.Events[subject]
	})
	unbound := centretest.Edit(t, a.Bundle, r.st.Signer, func(_ *examsync.ResultDoc, ab *examsync.Bundle) {
		// A log as stations wrote it before logs were bound.
		lines := append([]json.RawMessage(nil), ab.Events[subject]...)
		var ev map[string]any
		if err := json.Unmarshal(lines[0], &ev); err != nil {
			t.Fatal(err)
		}
		data := ev["data"].(map[string]any)
		delete(data, "attempt_id")
		delete(data, "candidate")
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		lines[0] = line
		ab.Events[subject] = lines
	})
	remake := func(f func(*examsync.ResultDoc)) []byte { return centretest.Remake(t, a.Bundle, r.st.Signer, f) }
	tests := []refusalCase{
		{"OtherName", remake(func(d *examsync.ResultDoc) { d.Candidate.Name = "张三" }), 422, centre.CodeCandidate, "names candidate 370902199903081216 as 张三 (attempt 1); plan TA-2026-DG-001 has 陈明 (attempt 1)"},
		{"OtherAttempt", remake(func(d *examsync.ResultDoc) { d.Candidate.Attempt = 2 }), 422, centre.CodeCandidate, "as 陈明 (attempt 2); plan TA-2026-DG-001 has 陈明 (attempt 1)"},
		{"NotOnPlan", remake(func(d *examsync.ResultDoc) { d.Candidate.IDNumber = "370902199601016769" }), 422, centre.CodeCandidate, "not on plan"},
		{"LogTransplanted", transplant, 422, centre.CodeCandidate, "subject " + subject + ": the item's log was not recorded for this result's attempt and candidate: its session.start names attempt " + b.ID + " of candidate " + demo.Candidates[1].IDNumber},
		{"LogUnbound", unbound, 422, centre.CodeCandidate, "its session.start names attempt none of candidate none"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
	// shicao verify runs the same check: the transplant verifies and
	// re-scores, and is not bound.
	v, err := examsync.VerifyBundle(transplant, []string{r.st.Pub}, nil)
	if err != nil {
		t.Fatalf("the transplanted result should verify and re-score: %v", err)
	}
	if err := v.CheckBound(); !errors.Is(err, examsync.ErrForeignLog) {
		t.Errorf("CheckBound of the transplant: %v, want ErrForeignLog", err)
	}
	// The genuine results are received.
	for _, s := range []*station.Saved{a, b} {
		if _, err := r.client.Upload(t.Context(), s.Bundle); err != nil {
			t.Fatalf("genuine result %s: %v", s.ID, err)
		}
	}
}
