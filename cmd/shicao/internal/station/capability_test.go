package station_test

import (
	"context"
	"strconv"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/hardware/profiles"
	"shicao/standards"
)

// drawStandard starts exams until the draw gives the standard id; it
// returns the exam and the subject.
func drawStandard(t *testing.T, f *fixture, id string) (*station.Exam, string) {
	t.Helper()
	ex, subject := drawUnready(t, f, id)
	passReferences(t, f.s, ex)
	return ex, subject
}

// passReferences does the reference checks the drawn items ask for (the
// library's CPR standard: the manikin held at its 50 mm gauge reads 50).
func passReferences(t *testing.T, s *station.Station, ex *station.Exam) {
	t.Helper()
	for _, r := range ex.References() {
		if _, err := ex.StartReference(r.Device); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Offer(r.Device, r.Type, map[string]any{r.Field: r.Expected}); err != nil {
			t.Fatal(err)
		}
	}
}

// drawUnready is drawStandard before the reference checks.
func drawUnready(t *testing.T, f *fixture, id string) (*station.Exam, string) {
	t.Helper()
	ctx := context.Background()
	for i := range 200 {
		ex, err := f.s.NewExam(ctx, demo.PlanID)
		if err != nil {
			t.Fatal(err)
		}
		signInBoth(t, ex)
		if _, err := ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber); err != nil {
			t.Fatal(err)
		}
		drawn, err := ex.Draw(ctx, "capability-"+strconv.Itoa(i))
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range drawn {
			if d.Standard.ID == id {
				return ex, d.Subject
			}
		}
	}
	t.Fatalf("no draw gave %s", id)
	return nil, ""
}

// unmeasuredOf is what the station wiring gives a device from its
// profile: per event type, the fields the profile cannot measure.
func unmeasuredOf(t *testing.T, name string) map[string][]string {
	t.Helper()
	p, err := profiles.Load(name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string][]string{}
	for typ := range standards.DefaultVocabulary().Types {
		if u := p.Unmeasured(typ); len(u) > 0 {
			out[typ] = u
		}
	}
	return out
}

// A standard's rules read fields; a device whose profile cannot measure
// one of them does not start the item: the refusal names the device, each
// field and the standard, in Chinese and in English. One case per
// capability refusal.
func TestStartItem_CapabilityRefusals(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		std     string
		kind    string
		profile string
		code    string   // "" starts
		fields  []string // named in the refusal
	}{
		{"PDManikinOnCPR", "SD-DG-K42", "cpr", "cpr-pd", "device-unmeasured",
			[]string{"cpr.compression.position", "cpr.compression.recoil", "cpr.ventilation.volume_ml"}},
		{"ReferenceManikinOnCPR", "SD-DG-K42", "cpr", "cpr", "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ex, subject := drawStandard(t, f, tt.std)
			devs := allDevices()
			for i := range devs {
				if devs[i].Kind == tt.kind {
					devs[i].Unmeasured = unmeasuredOf(t, tt.profile)
				}
			}
			it, err := ex.StartItem(context.Background(), subject, devs)
			if tt.code == "" {
				if err != nil {
					t.Fatalf("StartItem: %v, want it to start", err)
				}
				it.Close()
				return
			}
			if refusalCode(err) != tt.code {
				t.Fatalf("StartItem: %v, want %s", err, tt.code)
			}
			r := err.(*station.Refusal)
			for _, text := range []string{r.EN, r.ZH} {
				for _, want := range append([]string{tt.kind, tt.std}, tt.fields...) {
					if !strings.Contains(text, want) {
						t.Errorf("the refusal %q does not name %s", text, want)
					}
				}
			}
		})
	}
}
