package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestGuard_Plan: a result names a plan this centre issued to the
// station that sent it, and matches its site, date, category and
// blueprint.
func TestGuard_Plan(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "plan", 0)
	// A second station at the same site with its own plan.
	_, pub2, err := standards.GenerateKey("station-STN-02")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.AddStation(ctx, "STN-02", demo.Site, pub2); err != nil {
		t.Fatal(err)
	}
	p := demo.Plan(r.st.S.Today().String())
	var rows []centre.PlanRow
	for _, cand := range p.Candidates {
		rows = append(rows, centre.PlanRow{Plan: "TA-2026-DG-002", Date: p.Date, Site: p.Site, Station: "STN-02", Category: p.Category, Blueprint: p.Blueprint,
			IDNumber: cand.IDNumber, Name: cand.Name, Attempt: cand.Attempt, Examiners: p.Examiners})
	}
	if _, err := r.c.ImportPlans(ctx, rows); err != nil {
		t.Fatal(err)
	}
	remake := func(f func(*examsync.ResultDoc)) []byte { return centretest.Remake(t, saved.Bundle, r.st.Signer, f) }
	tests := []refusalCase{
		{"NotIssued", remake(func(d *examsync.ResultDoc) { d.Plan = "TA-1999-XX-001" }), 422, centre.CodePlanUnknown, "names plan TA-1999-XX-001, which this centre did not issue"},
		{"OtherStationsPlan", remake(func(d *examsync.ResultDoc) { d.Plan = "TA-2026-DG-002" }), 422, centre.CodePlanOther, "plan TA-2026-DG-002 was issued to station STN-02, not STN-01"},
		{"OtherDate", remake(func(d *examsync.ResultDoc) { d.Date = dayPlus(r.st.S.Today(), 1) }), 422, centre.CodePlanMismatch, "does not match plan TA-2026-DG-001"},
		{"OtherCategory", remake(func(d *examsync.ResultDoc) { d.Category = "熔化焊接与热切割作业" }), 422, centre.CodePlanMismatch, "熔化焊接与热切割作业"},
		{"OtherBlueprint", remake(func(d *examsync.ResultDoc) { d.Blueprint.ID = "SD-HJ-BP" }), 422, centre.CodePlanMismatch, "SD-HJ-BP"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
}
