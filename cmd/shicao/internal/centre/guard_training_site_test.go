package centre_test

import (
	"context"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_StationAtTrainingSite (考培分离: "a station registered to a
// training institution's site runs in training mode ... such a site may
// never run exams"): a station may be registered at a training site, and
// the registry the centre signs for it says training; an exam result from
// it is refused whichever site it names, and a plan for the training site
// is not issued.
func TestGuard_StationAtTrainingSite(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "px", 0)
	if _, err := r.c.PutStation(ctx, centre.Station{Name: demo.Station, Site: demo.TrainingSite, Key: r.st.Pub}, false); err != nil {
		t.Fatalf("registering a station at a training site: %v", err)
	}
	reg, err := r.c.RegistryFor(ctx, demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	var doc examsync.Registry
	if err := examsync.Open(reg, r.c.Verifier(), examsync.KindRegistry, &doc); err != nil {
		t.Fatal(err)
	}
	if !doc.Training || doc.Site != demo.TrainingSite {
		t.Fatalf("registry for the station: site %s training %v, want %s training", doc.Site, doc.Training, demo.TrainingSite)
	}
	atTraining := centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Site = demo.TrainingSite })
	tests := []refusalCase{
		{"ExamSiteNamed", saved.Bundle, 422, centre.CodeSite, "names site TA-KD-01; station STN-01 is registered at TA-PX-01"},
		{"TrainingSiteNamed", atTraining, 422, centre.CodeSite, "site TA-PX-01 is not an accepted exam site (考培分离)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
	t.Run("Plan", func(t *testing.T) {
		_, err := r.c.ImportPlans(ctx, []centre.PlanRow{{Plan: "TA-PX-PLAN", Date: saved.Doc.Date, Site: demo.TrainingSite, Station: demo.Station, Category: demo.Category, Blueprint: demo.Paper,
			IDNumber: demo.Candidates[1].IDNumber, Name: demo.Candidates[1].Name, Attempt: 1, Examiners: []string{demo.Examiners[0].ID, demo.Examiners[1].ID}}})
		if err == nil || !strings.Contains(err.Error(), "plan TA-PX-PLAN: site TA-PX-01 (泰安市某安全培训学校（培训机构）) is not an accepted exam site (考培分离)") {
			t.Fatalf("a plan for the training site: %v, want it refused (考培分离)", err)
		}
	})
}
