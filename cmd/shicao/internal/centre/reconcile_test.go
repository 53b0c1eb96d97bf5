package centre_test

import (
	"context"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// startAttempt signs in, verifies the candidate, draws and starts the
// first item: an attempt that is then left running.
func startAttempt(t *testing.T, st *centretest.Station, candidate string) *station.Exam {
	t.Helper()
	ctx := context.Background()
	ex, err := st.S.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range demo.Examiners[:2] {
		if _, err := ex.SignIn(ctx, e.ID, e.PIN); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ex.VerifyCandidate(ctx, candidate); err != nil {
		t.Fatal(err)
	}
	drawn, err := ex.Draw(ctx, "recon-"+candidate)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ex.StartItem(ctx, drawn[0].Subject, centretest.Devices()); err != nil {
		t.Fatal(err)
	}
	return ex
}

// TestReconcile_Day: a day on the demo plan with one result receipted,
// one still queued, a voided attempt, an interrupted one and an absent
// candidate. The station's signed reconciliation reports each; the
// centre raises an alarm for the queued result that stays open until
// the result arrives, and none for what matches.
func TestReconcile_Day(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	c := demo.Candidates
	sent := r.st.Exam(t, c[0].IDNumber, "recon-sent", 0)
	if _, err := r.client.Upload(ctx, sent.Bundle); err != nil {
		t.Fatal(err)
	}
	// The uploader marks a result sent only with a verified receipt; the
	// test does what it does.
	rcpt, err := r.client.Upload(ctx, sent.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.S.Store().MarkSent(ctx, sent.ID, rcpt, 0); err != nil {
		t.Fatal(err)
	}
	queued := r.st.Exam(t, c[1].IDNumber, "recon-queued", 0)
	ex := startAttempt(t, r.st, c[2].IDNumber)
	rex, err := r.st.S.ResumeExam(ctx, ex.AttemptID())
	if err != nil {
		t.Fatal(err)
	}
	const why = "考生突发不适，经考评组同意终止"
	if err := rex.Void(ctx, why); err != nil {
		t.Fatal(err)
	}
	startAttempt(t, r.st, c[3].IDNumber) // interrupted: left running

	rec, signed, err := r.st.S.Reconcile(ctx, r.st.S.Today())
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{c[0].IDNumber: examsync.ReconSat, c[1].IDNumber: examsync.ReconSat, c[2].IDNumber: examsync.ReconVoided,
		c[3].IDNumber: examsync.ReconInterrupted, c[4].IDNumber: examsync.ReconAbsent}
	seen := 0
	for _, x := range rec.Candidates {
		if x.Plan != demo.PlanID {
			continue
		}
		seen++
		if x.State != want[x.IDNumber] {
			t.Errorf("candidate %s: %s, want %s", x.IDNumber, x.State, want[x.IDNumber])
		}
		if x.IDNumber == c[2].IDNumber && x.Reason != why {
			t.Errorf("voided candidate: reason %q, want %q", x.Reason, why)
		}
	}
	if seen != len(c) {
		t.Errorf("%d candidates of plan %s reported, want %d", seen, demo.PlanID, len(c))
	}
	states := map[string]string{}
	for _, x := range rec.Results {
		states[x.ID] = x.State
		if x.ID == sent.ID && (x.Index == nil || *x.Index != 0) {
			t.Errorf("receipted result: index %v, want 0", x.Index)
		}
	}
	if states[sent.ID] != examsync.ReconReceipted || states[queued.ID] != examsync.ReconQueued || len(states) != 2 {
		t.Errorf("results %v: want %s receipted and %s queued", states, sent.ID, queued.ID)
	}

	rep, err := r.c.Reconcile(ctx, demo.Station, signed)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 1 || rep.Differences[0].Kind != centre.AlarmReconQueued || rep.Differences[0].Subject != "result "+queued.ID {
		t.Fatalf("differences %+v, want one: %s for %s", rep.Differences, centre.AlarmReconQueued, queued.ID)
	}
	open := func() []centre.Alarm {
		t.Helper()
		all, err := r.c.Alarms(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var out []centre.Alarm
		for _, a := range all {
			if a.Kind == centre.AlarmReconQueued && a.ResolvedMs == 0 {
				out = append(out, a)
			}
		}
		return out
	}
	// Reconciling again does not raise a second alarm; it stays open.
	if _, err := r.c.Reconcile(ctx, demo.Station, signed); err != nil {
		t.Fatal(err)
	}
	if n := len(open()); n != 1 {
		t.Fatalf("%d open queued-result alarms, want 1", n)
	}
	// The result arrives: the alarm is resolved.
	if _, err := r.client.Upload(ctx, queued.Bundle); err != nil {
		t.Fatal(err)
	}
	if n := len(open()); n != 0 {
		t.Errorf("%d open queued-result alarms after the result arrived, want 0", n)
	}

	// A forged reconciliation (another key) is refused.
	if _, err := r.c.Reconcile(ctx, demo.Station, append([]byte("x"), signed...)); err == nil {
		t.Error("an altered reconciliation was accepted")
	}
}

// TestReconcile_Missing: a result the station says is receipted but the
// centre does not hold raises an alarm.
func TestReconcile_Missing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "recon-missing", 0)
	// A receipt from another centre (restored from a backup: it lost the result).
	other := centretest.NewCentre(t, r.st)
	rcpt, err := other.Ingest(ctx, demo.Station, saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.st.S.Store().MarkSent(ctx, saved.ID, rcpt, 0); err != nil {
		t.Fatal(err)
	}
	_, signed, err := r.st.S.Reconcile(ctx, r.st.S.Today())
	if err != nil {
		t.Fatal(err)
	}
	rep, err := r.c.Reconcile(ctx, demo.Station, signed)
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Differences) != 1 || rep.Differences[0].Kind != centre.AlarmReconMissing {
		t.Errorf("differences %+v, want one %s", rep.Differences, centre.AlarmReconMissing)
	}
}
