package centre_test

import (
	"context"
	"slices"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestRegistryFor_PlanExaminersOnly: a station's registry carries the PIN
// hashes of the examiners on its plans and of nobody else; a new plan
// brings its examiners with a higher registry version.
func TestRegistryFor_PlanExaminersOnly(t *testing.T) {
	ctx := context.Background()
	r := newRig(t)
	_, centreKey := demo.CentreKeys()
	registry := func(stationName string) examsync.Registry {
		t.Helper()
		signed, err := r.c.RegistryFor(ctx, stationName)
		if err != nil {
			t.Fatal(err)
		}
		var reg examsync.Registry
		if err := examsync.Open(signed, centreKey, examsync.KindRegistry, &reg); err != nil {
			t.Fatal(err)
		}
		return reg
	}
	ids := func(reg examsync.Registry) []string {
		var out []string
		for _, x := range reg.Examiners {
			out = append(out, x.ID)
		}
		return out
	}

	reg := registry(demo.Station)
	if got, want := ids(reg), []string{demo.Examiners[0].ID, demo.Examiners[1].ID}; !slices.Equal(got, want) {
		t.Fatalf("%s's registry holds examiners %v, want the plan's %v", demo.Station, got, want)
	}
	if len(reg.Equipment) != len(demo.Equipment) || reg.Examiners[0].PinHash == "" || len(reg.Examiners[0].Certificates) == 0 {
		t.Fatalf("registry: %d devices, PIN hash %q, %d certificates", len(reg.Equipment), reg.Examiners[0].PinHash, len(reg.Examiners[0].Certificates))
	}

	// A second station at the site, with no plan yet: no examiner at all.
	_, pub, err := standards.GenerateKey("STN-02")
	if err != nil {
		t.Fatal(err)
	}
	if err := r.c.AddStation(ctx, "STN-02", demo.Site, pub); err != nil {
		t.Fatal(err)
	}
	before := registry("STN-02")
	if len(before.Examiners) != 0 {
		t.Fatalf("STN-02 has no plan but gets examiners %v", ids(before))
	}
	_, err = r.c.ImportPlans(ctx, []centre.PlanRow{{Plan: "TA-2026-DG-002", Date: r.st.S.Today().String(), Site: demo.Site, Station: "STN-02",
		Category: demo.Category, Blueprint: demo.Paper, IDNumber: demo.Candidates[0].IDNumber, Name: demo.Candidates[0].Name,
		Examiners: []string{demo.Examiners[1].ID}}})
	if err != nil {
		t.Fatal(err)
	}
	after := registry("STN-02")
	if got := ids(after); !slices.Equal(got, []string{demo.Examiners[1].ID}) {
		t.Fatalf("after its plan, STN-02 gets examiners %v, want %s only", got, demo.Examiners[1].ID)
	}
	if after.Version <= before.Version {
		t.Fatalf("registry version %d after the plan, %d before: a station would keep the old one", after.Version, before.Version)
	}
	if got := ids(registry(demo.Station)); len(got) != 2 {
		t.Fatalf("%s's registry changed to %v", demo.Station, got)
	}
}
