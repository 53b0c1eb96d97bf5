package centre_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestGuard_Unverifiable: the signature, the chains and the re-score.
// A result signed by another key, or whose events, sheets or paper do
// not re-score to what the station signed, is refused; with the
// registered key, only a result that re-scores exactly is judged on.
func TestGuard_Unverifiable(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "unverifiable", 0)
	forger, _, err := standards.GenerateKey("station-STN-01")
	if err != nil {
		t.Fatal(err)
	}
	editEvent := func(b *examsync.Bundle) {
		for subj, lines := range b.Events {
			lines = append([]json.RawMessage(nil), lines...)
			lines[len(lines)/2] = json.RawMessage(strings.Replace(string(lines[len(lines)/2]), `"t_ms":`, `"t_ms":1`, 1))
			b.Events[subj] = lines
			return
		}
	}
	var b examsync.Bundle
	if err := json.Unmarshal(saved.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	editEvent(&b)
	edited, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	tests := []refusalCase{
		{"OtherKey", centretest.Resign(t, saved.Bundle, forger, func(*examsync.ResultDoc) {}), 422, centre.CodeUnverifiable, "not signed by the station key"},
		{"EditedEvent", edited, 422, centre.CodeUnverifiable, "an event was edited"},
		{"EditedScoreUnsigned", bytes.Replace(saved.Bundle, []byte(`\"total\":100`), []byte(`\"total\":99`), 1), 422, centre.CodeUnverifiable, "signature does not verify"},
		{"EditedScoreResigned", centretest.Resign(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Items[0].Sheet.Score -= 10 }), 422, centre.CodeUnverifiable, "the score was edited"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
}
