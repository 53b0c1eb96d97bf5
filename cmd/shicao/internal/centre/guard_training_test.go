package centre_test

import (
	"context"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_TrainingResult: a result signed with the training purpose
// (考培分离) is refused as an exam result with its own code and an
// alarm, never receipted nor logged, and kept as sent (once, with one
// alarm, however often the station sends it again).
func TestGuard_TrainingResult(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "training", 0)
	body := centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Purpose = examsync.PurposeTraining })
	expectRefused(t, r, refusalCase{"Training", body, 422, centre.CodeTrainingResult, "is a training result (purpose training) of candidate " + demo.Candidates[0].IDNumber})
	expectRefusedAgain(t, r, body, "a training result is never an exam result; it is kept, not logged")
	kept, err := r.c.TrainingResults(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := resultID(t, body)
	if len(kept) != 1 || kept[0].Result != id || kept[0].Station != demo.Station || kept[0].Site != demo.Site || string(kept[0].Body) != string(body) {
		t.Fatalf("kept %+v, want result %s once, as sent", kept, id)
	}
	alarms, err := r.c.Alarms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, a := range alarms {
		if a.Kind == centre.CodeTrainingResult {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d training-result alarms for one result sent twice, want 1", n)
	}
	// The genuine exam result is still received.
	if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
		t.Fatalf("the exam result: %v", err)
	}
}

// TestGuard_TrainingStation: the centre turns the station's site into a
// training institution's; the registry it signs says so, the station
// imports it and runs in training mode, and the result it signs is
// refused as a training result, not as an exam at the wrong site.
func TestGuard_TrainingStation(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	if err := r.c.AddSite(ctx, centre.Site{ID: demo.Site, Name: demo.SiteName, Accepted: false}); err != nil {
		t.Fatal(err)
	}
	reg, err := r.c.RegistryFor(ctx, demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	got, err := r.st.S.ImportRegistry(ctx, reg)
	if err != nil {
		t.Fatal(err)
	}
	if !got.Training || !r.st.S.Training() {
		t.Fatalf("registry training %v, station training %v: want both", got.Training, r.st.S.Training())
	}
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "training", 0)
	if !saved.Doc.Training() {
		t.Fatalf("purpose %q, want %q", saved.Doc.Purpose, examsync.PurposeTraining)
	}
	expectRefused(t, r, refusalCase{"TrainingStation", saved.Bundle, 422, centre.CodeTrainingResult, "is a training result"})
}
