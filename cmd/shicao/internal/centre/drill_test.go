package centre_test

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// publishCPRDrill publishes a drill recorded from SD-DG-K42's "perfect"
// vector, the panel agreeing on -2 for 环境评估 and -1 for 呼救.
func publishCPRDrill(t *testing.T, r *rig, id string) []byte {
	t.Helper()
	ctx := context.Background()
	std, err := r.st.S.StandardVersion(ctx, "SD-DG-K42", 1)
	if err != nil {
		t.Fatal(err)
	}
	var events []standards.Event
	for i := range std.Tests {
		if std.Tests[i].Name == "perfect" {
			events = std.Expand(&std.Tests[i])
		}
	}
	signed, err := r.c.PublishDrill(ctx, examsync.Drill{ID: id, Standard: examsync.StandardRef{ID: std.ID, Version: std.Version},
		Panel: []examsync.PanelMark{{Item: "assess", Deduct: standards.PointsOf(2)}, {Item: "call", Deduct: standards.PointsOf(1)}}}, events)
	if err != nil {
		t.Fatal(err)
	}
	return signed
}

// markDrill has a demo examiner mark the drill at the station.
func markDrill(t *testing.T, r *rig, drill string, examiner demo.ExaminerSeed, marks ...examsync.Marked) *station.DrillOutcome {
	t.Helper()
	ctx := context.Background()
	run, err := r.st.S.StartDrill(ctx, drill, examiner.ID, examiner.PIN)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range marks {
		if err := run.Mark(m.Item, m.Mark); err != nil {
			t.Fatal(err)
		}
	}
	out, err := run.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func deviationOf(devs []examsync.Deviation, item string) examsync.Deviation {
	for _, d := range devs {
		if d.Item == item {
			return d
		}
	}
	return examsync.Deviation{Item: item, Panel: -999}
}

// TestDrill_Calibration: a drill published at the centre reaches the
// station on sync; an examiner marks it; the calibration record goes up
// on the next sync and the centre scores its marks again to the same
// deviations; the report lists them per 评分项. The same record sent as
// an exam result is refused (422 calibration-result), kept once as
// calibration, never logged.
func TestDrill_Calibration(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	publishCPRDrill(t, r, "DR-K42-1")
	rep, err := r.st.S.SyncDrills(ctx, r.client)
	if err != nil || len(rep.Installed) != 1 || rep.Installed[0] != "DR-K42-1" {
		t.Fatalf("sync installed %+v, %v; want DR-K42-1", rep, err)
	}
	a := demo.Examiners[0]
	out := markDrill(t, r, "DR-K42-1", a, examsync.Marked{Item: "assess", Mark: "no-tap"})
	if d := deviationOf(out.Deviations, "assess"); d.Diff() != 0 || d.Panel != standards.PointsOf(2) {
		t.Errorf("station's assess deviation %+v, want the panel's -2 matched", d)
	}
	if d := deviationOf(out.Deviations, "call"); d.Diff() != -standards.PointsOf(1) {
		t.Errorf("station's call deviation %+v, want -1 (the panel took 1 off, the examiner none)", d)
	}
	if rep, err = r.st.S.SyncDrills(ctx, r.client); err != nil || rep.Sent != 1 {
		t.Fatalf("sync sent %+v, %v; want 1 calibration record", rep, err)
	}
	rows, err := r.c.CalibrationRows(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, row := range rows {
		got[row.Item] = row.Deviation().String()
	}
	if got["assess"] != "0" || got["call"] != "-1" || len(rows) != 7 {
		t.Fatalf("centre's rows %v (%d), want assess 0 and call -1 of the 7 items with marks", got, len(rows))
	}
	var buf bytes.Buffer
	if err := centre.WriteCalibrationCSV(&buf, rows, time.UTC); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(buf.String(), a.ID+","+a.Name+",SD-DG-K42,call,") {
		t.Errorf("CSV lacks the examiner's call row:\n%s", buf.String())
	}

	t.Run("RefusedAsExamResult", func(t *testing.T) {
		held, err := r.st.S.Calibrations(ctx)
		if err != nil || len(held) != 1 {
			t.Fatalf("station holds %d calibration records, %v", len(held), err)
		}
		before, _ := r.c.VerifyLog(ctx, false)
		_, err = r.client.Upload(ctx, held[0].Signed)
		ref := refusal(t, err)
		if ref.Status != 422 || ref.Code != centre.CodeCalibrationResult || !strings.Contains(ref.Reason, "is not an exam result") {
			t.Fatalf("got %d %s %q, want 422 %s", ref.Status, ref.Code, ref.Reason, centre.CodeCalibrationResult)
		}
		after, _ := r.c.VerifyLog(ctx, false)
		if after.Records != before.Records {
			t.Errorf("log grew from %d to %d: a calibration record was logged", before.Records, after.Records)
		}
		if rows, _ := r.c.CalibrationRows(ctx, 0); len(rows) != 7 {
			t.Errorf("%d rows after sending it again, want the record kept once (7)", len(rows))
		}
	})
	t.Run("ForgedScore", func(t *testing.T) {
		held, err := r.st.S.Calibrations(ctx)
		if err != nil || len(held) != 1 {
			t.Fatalf("station holds %d calibration records, %v", len(held), err)
		}
		var rec examsync.Calibration
		if err := json.Unmarshal(standards.SplitNote(held[0].Signed), &rec); err != nil {
			t.Fatal(err)
		}
		rec.ID, rec.Score = "forged-1", rec.Score+standards.PointsOf(5)
		forged, err := examsync.Sign(rec, r.st.Signer)
		if err != nil {
			t.Fatal(err)
		}
		_, err = r.client.Calibrate(ctx, forged)
		if ref := refusal(t, err); ref.Status != 422 || ref.Code != centre.CodeUnverifiable || !strings.Contains(ref.Reason, "the record says") {
			t.Fatalf("a record whose score its marks do not give: %d %s %q, want 422 %s", ref.Status, ref.Code, ref.Reason, centre.CodeUnverifiable)
		}
	})
	t.Run("CalibrationPurposeResult", func(t *testing.T) {
		saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "calibration", 0)
		body := centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Purpose = examsync.PurposeCalibration })
		expectRefused(t, r, refusalCase{"CalibrationPurpose", body, 422, centre.CodeCalibrationResult, "signed with the calibration purpose"})
	})
}

// TestDrill_OverTolerance: an examiner who marks far from the panel is
// over the standard's tolerance (2 points on SD-DG-K42): flagged in the
// report and an alarm; one who matches it is not.
func TestDrill_OverTolerance(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	if _, _, err := r.st.S.InstallDrill(ctx, publishCPRDrill(t, r, "DR-K42-2")); err != nil {
		t.Fatal(err)
	}
	good, harsh := demo.Examiners[0], demo.Examiners[1]
	markDrill(t, r, "DR-K42-2", good, examsync.Marked{Item: "assess", Mark: "no-tap"}, examsync.Marked{Item: "call", Mark: "no-aed"})
	out := markDrill(t, r, "DR-K42-2", harsh, examsync.Marked{Item: "call", Mark: "no-call"}, examsync.Marked{Item: "call", Mark: "no-aed"},
		examsync.Marked{Item: "call", Mark: "wrong-posture"}, examsync.Marked{Item: "call", Mark: "no-loosen"})
	if d := deviationOf(out.Deviations, "call"); d.Diff() != standards.PointsOf(3) {
		t.Fatalf("harsh examiner's call deviation %+v, want +3", d)
	}
	if rep, err := r.st.S.SyncDrills(ctx, r.client); err != nil || rep.Sent != 2 {
		t.Fatalf("sync %+v, %v; want 2 records sent", rep, err)
	}
	rows, err := r.c.CalibrationRows(ctx, 0)
	if err != nil {
		t.Fatal(err)
	}
	sum := centre.Summarize(rows, 0)
	var over []string
	for _, s := range sum {
		if s.Over {
			over = append(over, s.Examiner+" "+s.Item+" "+s.MeanAbs.String())
		}
	}
	if len(over) != 1 || over[0] != harsh.ID+" call 3" {
		t.Fatalf("over the tolerance: %v, want only %s on call by 3", over, harsh.ID)
	}
	alarms, err := r.c.Alarms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var raised []string
	for _, a := range alarms {
		if a.Kind == centre.AlarmCalibration {
			raised = append(raised, a.Subject)
		}
	}
	if len(raised) != 1 || raised[0] != "examiner "+harsh.ID {
		t.Errorf("calibration alarms %v, want one for %s", raised, harsh.ID)
	}
	// A tighter tolerance given for the report flags the harsh
	// examiner's 2-point miss on assess too.
	if n := countOver(centre.Summarize(rows, standards.Points(5))); n != 2 {
		t.Errorf("%d over a 0.5 tolerance, want 2", n)
	}
	var buf bytes.Buffer
	if err := centre.WriteCalibrationText(&buf, sum, time.UTC); err != nil {
		t.Fatal(err)
	}
	if first := strings.SplitN(buf.String(), "\n", 3)[1]; !strings.HasPrefix(first, "OVER") || !strings.Contains(first, harsh.ID) {
		t.Errorf("report's first row %q, want the harsh examiner flagged OVER", first)
	}
	ans, _ := json.Marshal(out.Deviations)
	t.Logf("harsh examiner's deviations: %s", ans)
}

func countOver(sum []centre.Calibrated) int {
	n := 0
	for _, s := range sum {
		if s.Over {
			n++
		}
	}
	return n
}
