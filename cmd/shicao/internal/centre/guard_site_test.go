package centre_test

import (
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_Site: a result comes from its station's own site, an
// accepted exam site (考培分离), and names the station that sent it.
func TestGuard_Site(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "site", 0)
	remake := func(f func(*examsync.ResultDoc)) []byte { return centretest.Remake(t, saved.Bundle, r.st.Signer, f) }
	tests := []refusalCase{
		{"TrainingSite", remake(func(d *examsync.ResultDoc) { d.Site = demo.TrainingSite }), 422, centre.CodeSite, "names site TA-PX-01; station STN-01 is registered at TA-KD-01"},
		{"UnknownSite", remake(func(d *examsync.ResultDoc) { d.Site = "TA-XX-99" }), 422, centre.CodeSite, "names site TA-XX-99"},
		{"OtherStationName", remake(func(d *examsync.ResultDoc) { d.Station = "STN-02" }), 422, centre.CodeOtherStation, "names station STN-02 but was sent by STN-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
	t.Run("SiteNoLongerAccepted", func(t *testing.T) {
		// The site was found to be a training institution's after the exam.
		if err := r.c.AddSite(t.Context(), centre.Site{ID: demo.Site, Name: demo.SiteName, Accepted: false}); err != nil {
			t.Fatal(err)
		}
		expectRefused(t, r, refusalCase{"SiteNoLongerAccepted", saved.Bundle, 422, centre.CodeSite, "site TA-KD-01 is not an accepted exam site (考培分离)"})
	})
}
