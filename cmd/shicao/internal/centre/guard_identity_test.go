package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_Identity: the identity check (人证核验) a result records is of
// its candidate, as the station's rules require: the 身份证号 identified
// is the result's; a card is in the planned name and valid on the exam
// date; a number typed in has a reason and is confirmed by examiners on
// the plan. Each case is the genuine result with its identity
// check edited, signed again with the registered station key.
func TestGuard_Identity(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "identity", 0)
	cand := demo.Candidates[0]
	card := func() *examsync.Identity {
		return &examsync.Identity{Method: examsync.IdentityCard, IDNumber: cand.IDNumber, Name: cand.Name, ValidFrom: "20190308", ValidTo: "长期", ConfirmedBy: []string{}}
	}
	manual := func() *examsync.Identity {
		return &examsync.Identity{Method: examsync.IdentityManual, IDNumber: cand.IDNumber, Reason: "证件损坏", ConfirmedBy: []string{demo.Examiners[0].ID, demo.Examiners[1].ID}}
	}
	with := func(id *examsync.Identity, f func(*examsync.Identity)) []byte {
		f(id)
		return centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Identity = id })
	}
	tests := []refusalCase{
		{"CardOfAnother", with(card(), func(id *examsync.Identity) {
			id.IDNumber, id.Name = demo.Candidates[1].IDNumber, demo.Candidates[1].Name
		}), 422, centre.CodeCandidate,
			"the identity check (card) identified " + demo.Candidates[1].IDNumber + "; the result is of candidate " + cand.IDNumber},
		{"CardOtherName", with(card(), func(id *examsync.Identity) { id.Name = "张三" }), 422, centre.CodeCandidate, "the ID card read is in the name of 张三; the plan's candidate " + cand.IDNumber + " is " + cand.Name + " (人证不一致)"},
		{"CardExpired", with(card(), func(id *examsync.Identity) { id.ValidTo = "20250101" }), 422, centre.CodeCandidate, "(valid 20190308 to 20250101) was not valid on the exam date"},
		{"CardNotYetValid", with(card(), func(id *examsync.Identity) { id.ValidFrom = "20990101" }), 422, centre.CodeCandidate, "was not valid on the exam date"},
		{"ManualNoReason", with(manual(), func(id *examsync.Identity) { id.Reason = " " }), 422, centre.CodeCandidate, "typed in with no reason"},
		{"ManualUnconfirmed", with(manual(), func(id *examsync.Identity) { id.ConfirmedBy = nil }), 422, centre.CodeCandidate, "confirmed by no examiner"},
		{"ManualConfirmedByOther", with(manual(), func(id *examsync.Identity) { id.ConfirmedBy = []string{demo.Examiners[2].ID} }), 422, centre.CodeCandidate,
			"confirmed by " + demo.Examiners[2].ID + ", who is not an examiner on plan " + demo.PlanID},
		{"OtherMethod", with(card(), func(id *examsync.Identity) { id.Method = "face" }), 422, centre.CodeCandidate, `method "face" is neither card nor manual`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
	// The same result with a card in the planned name, valid that day, is
	// received.
	if _, err := r.client.Upload(t.Context(), with(card(), func(*examsync.Identity) {})); err != nil {
		t.Fatalf("a result identified by the candidate's own card: %v", err)
	}
}
