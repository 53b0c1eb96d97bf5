package station_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// drillNote signs a drill of SD-DG-K42's perfect run with signerKey.
func drillNote(t *testing.T, f *fixture, id, signerKey string, edit func(*examsync.Drill)) []byte {
	t.Helper()
	std, err := f.s.StandardVersion(context.Background(), "SD-DG-K42", 1)
	if err != nil {
		t.Fatal(err)
	}
	d := examsync.Drill{Kind: examsync.KindDrill, ID: id, Standard: examsync.StandardRef{ID: std.ID, Version: std.Version, SHA256: std.SHA256()},
		Panel: []examsync.PanelMark{{Item: "call", Deduct: standards.PointsOf(1)}}}
	for _, ev := range examsync.PanelLog(std.Expand(&std.Tests[0])) {
		line, err := json.Marshal(ev)
		if err != nil {
			t.Fatal(err)
		}
		d.Events = append(d.Events, line)
	}
	if edit != nil {
		edit(&d)
	}
	signed, err := examsync.Sign(d, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// TestStation_InstallDrill: a drill installs once; one signed by another
// key than the pinned centre's, or naming another text of its standard,
// is refused.
func TestStation_InstallDrill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	centreKey, _ := demo.CentreKeys()
	good := drillNote(t, f, "DR-1", centreKey, nil)
	if _, fresh, err := f.s.InstallDrill(ctx, good); err != nil || !fresh {
		t.Fatalf("install: fresh %v, %v", fresh, err)
	}
	if _, fresh, err := f.s.InstallDrill(ctx, good); err != nil || fresh {
		t.Fatalf("install again: fresh %v, %v; want kept once", fresh, err)
	}
	province, _ := demo.ProvinceKeys()
	if _, _, err := f.s.InstallDrill(ctx, drillNote(t, f, "DR-2", province, nil)); !errors.Is(err, examsync.ErrNotCentre) {
		t.Errorf("a drill not signed by the centre: %v, want ErrNotCentre", err)
	}
	other := drillNote(t, f, "DR-3", centreKey, func(d *examsync.Drill) { d.Standard.SHA256 = "00" })
	if _, _, err := f.s.InstallDrill(ctx, other); refusalCode(err) != "drill-standard" {
		t.Errorf("a drill on another text of its standard: %v, want drill-standard", err)
	}
}

// TestStation_DrillRun: an examiner signs in with their PIN (a wrong one
// refused and counted), replays the drill, marks within the standard's
// limits, undoes, and finishes with a calibration record whose
// deviations are the examiner's against the panel's.
func TestStation_DrillRun(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	centreKey, _ := demo.CentreKeys()
	if _, _, err := f.s.InstallDrill(ctx, drillNote(t, f, "DR-1", centreKey, nil)); err != nil {
		t.Fatal(err)
	}
	x := demo.Examiners[0]
	if _, err := f.s.StartDrill(ctx, "DR-1", x.ID, "000000"); refusalCode(err) != "pin-wrong" {
		t.Fatalf("wrong PIN: %v, want pin-wrong", err)
	}
	if _, err := f.s.StartDrill(ctx, "DR-9", x.ID, x.PIN); refusalCode(err) != "drill-unknown" {
		t.Fatalf("unknown drill: %v", err)
	}
	run, err := f.s.StartDrill(ctx, "DR-1", x.ID, x.PIN)
	if err != nil {
		t.Fatal(err)
	}
	if shown, total := run.Replayed(); shown != 0 || total == 0 {
		t.Fatalf("replayed %d of %d at the start, want 0 of some", shown, total)
	}
	run.ReplayTo(run.EndMs())
	if shown, total := run.Replayed(); shown != total {
		t.Fatalf("replayed %d of %d at the end", shown, total)
	}
	if err := run.Mark("call", "no-call"); err != nil {
		t.Fatal(err)
	}
	if err := run.Mark("call", "no-call"); refusalCode(err) != "drill-mark-max" {
		t.Errorf("a mark twice (max 1): %v, want drill-mark-max", err)
	}
	if err := run.Mark("compressions", "x"); refusalCode(err) != "drill-mark" {
		t.Errorf("a mark the item has not: %v, want drill-mark", err)
	}
	if err := run.Mark("assess", "no-tap"); err != nil {
		t.Fatal(err)
	}
	if !run.Undo() {
		t.Fatal("undo found no mark")
	}
	out, err := run.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]standards.Points{}
	for _, d := range out.Deviations {
		got[d.Item] = d.Diff()
	}
	if got["call"] != 0 || got["assess"] != 0 {
		t.Errorf("deviations %v, want call 0 (as the panel) and assess 0 (the mark undone)", got)
	}
	recs, err := f.s.Calibrations(ctx)
	if err != nil || len(recs) != 1 || recs[0].ID != out.ID || !examsync.IsCalibration(recs[0].Signed) {
		t.Fatalf("records %+v, %v; want the one signed", recs, err)
	}
}
