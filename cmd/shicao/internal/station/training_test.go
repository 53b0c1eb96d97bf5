package station_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// importTrainingRegistry imports the demo registry as the centre signs it
// for a training institution's site (Training set).
func (f *fixture) importTrainingRegistry(t *testing.T) {
	t.Helper()
	r, err := demo.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r.Version, r.Training = 2, true
	centreSigner, _ := demo.CentreKeys()
	signed, err := examsync.Sign(r, centreSigner)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.ImportRegistry(context.Background(), signed); err != nil {
		t.Fatal(err)
	}
}

// TestTraining_SiteRunsTraining: a station whose registry says its site
// is a training institution's runs in training mode (also after a
// restart): its results are signed as training results, a trainee
// attempts the same paper again and again, on later days too, and the
// export lists each trainee's attempts in order, without exam results.
func TestTraining_SiteRunsTraining(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	chen, zhao, sun := demo.Candidates[0], demo.Candidates[1], demo.Candidates[2]
	exam := f.runExam(t, sun.IDNumber, "perfect") // before: an exam result
	if exam.Doc.Training() || f.s.Training() {
		t.Fatalf("exam result purpose %q, station training %v: want an exam", exam.Doc.Purpose, f.s.Training())
	}
	f.importTrainingRegistry(t)
	if !f.s.Training() {
		t.Fatal("the registry says training, the station is not in training mode")
	}
	again, err := station.OpenDir(ctx, f.dir, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	reopened := again.Training()
	again.Close()
	if !reopened {
		t.Error("reopened, the station forgot that its site is a training site")
	}
	wantRefusal(t, f.s.SetTraining(ctx, false), "training-site",
		"site TA-KD-01 is a training institution's site: the station runs in training mode only (考培分离)",
		"本站所在考点 TA-KD-01 是培训机构考点，只能以培训模式运行（考培分离）")

	first := f.runExam(t, chen.IDNumber, "perfect")
	second := f.runExam(t, chen.IDNumber, "perfect") // no once-per-attempt rule
	f.runExam(t, zhao.IDNumber, "perfect")
	f.clock.Set(examDay.AddDate(0, 0, 1)) // the next day, on the same plan
	third := f.runExam(t, chen.IDNumber, "perfect")

	pub, _ := os.ReadFile(filepath.Join(f.dir, station.PubFile))
	for _, s := range []*station.Saved{first, second, third} {
		v, err := examsync.VerifyBundle(s.Bundle, []string{string(pub)}, nil)
		if err != nil {
			t.Fatal(err)
		}
		if !v.Doc.Training() || v.Doc.Purpose != "training" {
			t.Errorf("result %s: signed purpose %q, want training", s.ID, v.Doc.Purpose)
		}
	}

	attempts, err := f.s.TrainingAttempts(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, a := range attempts {
		got = append(got, a.Name+" "+a.Result+" "+string(rune('0'+a.N)))
	}
	want := []string{"陈明 " + first.ID + " 1", "陈明 " + second.ID + " 2", "陈明 " + third.ID + " 3"}
	for _, a := range attempts {
		if a.IDNumber == zhao.IDNumber {
			want = append(want, "赵丽 "+a.Result+" 1")
		}
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("attempts\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}

	var buf bytes.Buffer
	if err := station.WriteTrainingCSV(&buf, attempts, time.Local); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 5 || strings.Join(rows[0], ",") != strings.Join(station.TrainingCSVHeader, ",") {
		t.Fatalf("csv %q", rows)
	}
	if r := rows[3]; r[0] != station.MaskID(chen.IDNumber) || r[1] != "陈明" || r[2] != "3" || r[3] != first.Doc.Date || r[5] != third.Total.String() || r[8] != third.ID {
		t.Errorf("third attempt row %q", r)
	}
	if strings.Contains(buf.String(), exam.ID) || strings.Contains(buf.String(), chen.IDNumber) {
		t.Errorf("the export holds an exam result or a whole 身份证号:\n%s", buf.String())
	}
}

// TestTraining_NotOnExamDay: an accepted exam site's station cannot
// switch to training mode while a plan for today is loaded (by call or
// by its config), and can on a day without one; its training result is
// then signed as such.
func TestTraining_NotOnExamDay(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	const en = "today (2026-11-28) is an exam day at site TA-KD-01 (exam plan TA-2026-DG-001 is loaded): the station cannot switch to training mode on an exam day"
	const zh = "今天（2026-11-28）是考点 TA-KD-01 的考试日（已载入考试计划 TA-2026-DG-001）：考试日不得切换到培训模式"
	wantRefusal(t, f.s.SetTraining(ctx, true), "training-exam-day", en, zh)
	if f.s.Training() {
		t.Fatal("refused, and in training mode all the same")
	}
	_, err := station.OpenDirConfig(ctx, f.dir, station.Config{Now: f.clock.Now, Training: true})
	wantRefusal(t, err, "training-exam-day", en, zh)

	f.clock.Set(examDay.AddDate(0, 0, 2)) // no plan that day
	if err := f.s.SetTraining(ctx, true); err != nil {
		t.Fatal(err)
	}
	saved := f.runExam(t, demo.Candidates[0].IDNumber, "perfect")
	if !saved.Doc.Training() {
		t.Fatalf("purpose %q, want training", saved.Doc.Purpose)
	}
	// Back to exam mode: an exam again (the plan's date is checked again).
	if err := f.s.SetTraining(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := f.s.NewExam(ctx, demo.PlanID); refusalCode(err) != "plan-date" {
		t.Fatalf("out of training mode, yesterday's plan: %v, want plan-date", err)
	}
}

// TestTraining_Script: a scripted exam at a training institution's
// station says it runs in training mode and signs a training result.
func TestTraining_Script(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	f.importTrainingRegistry(t)
	var script strings.Builder
	fmt.Fprintf(&script, "plan %s\nsignin %s %s\nsignin %s %s\ncandidate %s\ndraw training-1\nreference cpr 50\n", demo.PlanID,
		demo.Examiners[0].ID, demo.Examiners[0].PIN, demo.Examiners[1].ID, demo.Examiners[1].PIN, demo.Candidates[0].IDNumber)
	for _, subj := range []string{"K1", "K2", "K3", "K4"} {
		fmt.Fprintf(&script, "item %s\nplay perfect\nfinish\nconfirm\nack yes\n", subj)
	}
	script.WriteString("done\n")
	var out strings.Builder
	r := &station.ScriptRunner{S: f.s, Out: &out, Devices: allDevices, Advance: func(d time.Duration) { f.clock.Set(f.clock.Now().Add(d)) }, Lang: "en"}
	if err := r.Run(context.Background(), strings.NewReader(script.String()), "training.txt"); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	saved := r.Result()
	if saved == nil {
		t.Fatalf("no result\n%s", out.String())
	}
	if !saved.Doc.Training() {
		t.Fatalf("result %s purpose %q, want training", saved.ID, saved.Doc.Purpose)
	}
	for _, want := range []string{"\ntraining mode: the result is a training result, never an exam result (考培分离)\n", "result " + saved.ID + " total 100 PASS (training)\n"} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("printed\n%s\nwant %q", out.String(), want)
		}
	}
}
