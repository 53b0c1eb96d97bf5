package station_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// TestResume: the station stops mid-item (its process is gone; what was
// committed is in the store), a new process finds the interrupted item,
// the examiners sign in again, the item continues where its log ended and
// the exam completes to a result that verifies.
func TestResume(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, _ := f.s.NewExam(ctx, demo.PlanID)
	signInBoth(t, ex)
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[3].IDNumber); err != nil {
		t.Fatal(err)
	}
	// The seed draws K13 for K1, whose first mark (-4) is within its
	// tolerance: one examiner's mark needs no review before the end.
	drawn, err := ex.Draw(ctx, "resume-1")
	if err != nil {
		t.Fatal(err)
	}
	d := drawn[0]
	it, err := ex.StartItem(ctx, d.Subject, allDevices())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := it.Mark(ctx, demo.Examiners[0].ID, d.Standard.Items[0].ID, firstMark(d)); err != nil {
		t.Fatal(err)
	}
	before, _ := f.s.Store().Events(ctx, it.Session)
	attempt := ex.AttemptID()
	// The power goes: the process is gone, only the store remains.
	f.s.Close()
	f.clock.Set(f.clock.Now().Add(3 * time.Minute))
	s2, err := station.OpenDir(ctx, f.dir, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	in, err := s2.Interrupted(ctx)
	if err != nil || len(in) != 1 || in[0].Events != int64(len(before)) {
		t.Fatalf("interrupted %+v %v, want one item with %d events", in, err, len(before))
	}
	rex, err := s2.ResumeExam(ctx, in[0].Session.AttemptID)
	if err != nil {
		t.Fatal(err)
	}
	if rex.AttemptID() != attempt || rex.Candidate().IDNumber != demo.Candidates[3].IDNumber {
		t.Fatalf("resumed the wrong attempt: %s %+v", rex.AttemptID(), rex.Candidate())
	}
	if _, err := rex.Continue(ctx); err == nil {
		t.Fatal("continued before the examiners signed in again")
	}
	signInBoth(t, rex)
	rit, err := rex.Continue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	after, _ := s2.Store().Events(ctx, rit.Session)
	last := after[len(after)-1]
	if last.Type != "session.resume" || last.Seq != int64(len(before)+1) {
		t.Fatalf("last event %s seq %d, want session.resume at %d", last.Type, last.Seq, len(before)+1)
	}
	if string(last.Data) != `{"down_ms":180000,"reason":"station restarted"}` {
		t.Fatalf("resume data %s", last.Data)
	}
	// The outage is not the candidate's time.
	if last.TMs != before[len(before)-1].TMs {
		t.Fatalf("t_ms %d after the outage, want %d", last.TMs, before[len(before)-1].TMs)
	}
	sheet, err := rit.Sheet()
	if err != nil {
		t.Fatal(err)
	}
	if sheet.Items[0].Manual == 0 {
		t.Fatal("the mark made before the crash is lost from the live sheet")
	}
	// Finish every item and the exam.
	for _, dd := range rex.Drawn() {
		item := rex.Item(dd.Subject)
		if item == nil {
			if item, err = rex.StartItem(ctx, dd.Subject, allDevices()); err != nil {
				t.Fatal(err)
			}
		}
		if err := item.Finish(ctx, "finished"); err != nil {
			t.Fatal(err)
		}
		for _, e := range rex.Examiners() {
			if err := item.Confirm(ctx, e.Examiner.ID); err != nil {
				t.Fatal(err)
			}
		}
		if err := item.Acknowledge(ctx, true); err != nil {
			t.Fatal(err)
		}
	}
	saved, err := rex.Finish(ctx)
	if err != nil {
		t.Fatal(err)
	}
	pub, _ := os.ReadFile(filepath.Join(f.dir, station.PubFile))
	if _, err := examsync.VerifyBundle(saved.Bundle, []string{string(pub)}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestResume_Void(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, _ := f.s.NewExam(ctx, demo.PlanID)
	signInBoth(t, ex)
	ex.VerifyCandidate(ctx, demo.Candidates[4].IDNumber)
	drawn, _ := ex.Draw(ctx, "void")
	it, err := ex.StartItem(ctx, drawn[0].Subject, allDevices())
	if err != nil {
		t.Fatal(err)
	}
	f.s.Close()
	s2, err := station.OpenDir(ctx, f.dir, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	rex, err := s2.ResumeExam(ctx, ex.AttemptID())
	if err != nil {
		t.Fatal(err)
	}
	if err := rex.Void(ctx, ""); err == nil {
		t.Fatal("voided without a reason")
	}
	if err := rex.Void(ctx, "考生突发不适，经考评组同意终止"); err != nil {
		t.Fatal(err)
	}
	sess, _ := s2.Store().SessionByID(ctx, it.Session)
	if sess.State != store.SessionVoided || sess.Note == "" {
		t.Fatalf("session %+v, want voided with the reason", sess)
	}
	evs, _ := s2.Store().Events(ctx, it.Session)
	if last := evs[len(evs)-1]; last.Type != "session.end" || string(last.Data) != `{"reason":"voided: 考生突发不适，经考评组同意终止"}` {
		t.Fatalf("last event %s %s", last.Type, last.Data)
	}
	if in, _ := s2.Interrupted(ctx); len(in) != 0 {
		t.Fatalf("still interrupted after void: %+v", in)
	}
}

func firstMark(d station.Drawn) string {
	for _, it := range d.Standard.Items[:1] {
		if len(it.Marks) > 0 {
			return it.Marks[0].ID
		}
	}
	return ""
}
