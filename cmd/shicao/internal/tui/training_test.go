package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// trainingSite makes the fixture's station a training institution's (the
// centre's registry says so): its exams are training attempts.
func (f *fixture) trainingSite(t *testing.T) {
	t.Helper()
	r, err := demo.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r.Version, r.Training = 2, true
	signer, _ := demo.CentreKeys()
	signed, err := examsync.Sign(r, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportRegistry(context.Background(), signed); err != nil {
		t.Fatal(err)
	}
	if !f.s.Training() {
		t.Fatal("the station is not in training mode")
	}
}

// shallowFast is the trainee pressing 42 mm deep at 150 a minute.
func shallowFast(t *testing.T, f *fixture) {
	for range 6 {
		f.clock.Add(400 * time.Millisecond)
		f.run(t, ReadingMsg{Kind: "cpr", Type: "cpr.compression", Fields: map[string]any{"depth_mm": 42, "position": "ok", "recoil": true}})
	}
}

// TestLive_TrainingCoach (issue 16): in training mode the live screen says
// so in a banner, and the CPR panel coaches the compressions being given
// (too shallow, in the UI's language); an exam shows neither.
func TestLive_TrainingCoach(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, banner, coach string }{
		{"zh", "培训模式", "指导 ✗ 按压过浅，用力按深至 5–6 厘米 · 按压过快"},
		{"en", "TRAINING MODE", "coach ✗ too shallow: press to 5–6 cm · too fast"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			exam := newFixture(t, tt.lang)
			exam.toCPR(t)
			exam.playVector(t, "twelve-shallow")
			f := newFixture(t, tt.lang)
			f.trainingSite(t)
			f.toCPR(t)
			f.playVector(t, "twelve-shallow")
			shallowFast(t, f)
			shallowFast(t, exam)
			for _, sz := range [][2]int{{80, 24}, {120, 40}} {
				v := f.view(t, sz[0], sz[1])
				checkFits(t, v, sz[0], sz[1])
				for _, want := range []string{tt.banner, tt.coach} {
					if !strings.Contains(v, want) {
						t.Errorf("%dx%d training: %q is not on the live screen:\n%s", sz[0], sz[1], want, v)
					}
				}
				if v := exam.view(t, sz[0], sz[1]); strings.Contains(v, tt.banner) || strings.Contains(v, tt.coach) {
					t.Errorf("%dx%d exam: the training banner or coaching is shown:\n%s", sz[0], sz[1], v)
				}
			}
		})
	}
}
