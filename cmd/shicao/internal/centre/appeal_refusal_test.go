package centre_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
)

// appealRefusal returns err as an AppealRefusal, or fails.
func appealRefusal(t *testing.T, err error) *centre.AppealRefusal {
	t.Helper()
	var r *centre.AppealRefusal
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want an appeal refusal", err)
	}
	return r
}

// TestAppealRefusal_Chinese: the appeal refusals people read say what is
// wrong in Chinese, with English available, and keep their codes.
func TestAppealRefusal_Chinese(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newAppealRig(t)
	id := r.saved[0].ID
	_, err := r.c.DecideAppeal(ctx, id, centre.AppealUpheld, "", nil, "")
	if ref := appealRefusal(t, err); ref.Code != centre.CodeAppealState || ref.Text("zh") != "成绩 "+id+" 没有申诉：请先提出申诉（shicao centre appeal file）" {
		t.Errorf("decide without an appeal: %s %q", ref.Code, ref.Text("zh"))
	}
	if _, err := r.c.FileAppeal(ctx, id, "误判：未站在上风方向", 0); err != nil {
		t.Fatal(err)
	}
	x := demo.Examiners[0]
	_, err = r.c.AssignAppeal(ctx, id, x.ID)
	ref := appealRefusal(t, err)
	if ref.Code != centre.CodeAppealReviewer || !strings.Contains(ref.Text("zh"), x.Name+"（"+x.ID+"）考评过该考生") ||
		!strings.Contains(ref.Text("zh"), "复核人员须为未考评过该考生的人员") {
		t.Errorf("the examiner as reviewer, in Chinese: %s %q", ref.Code, ref.Text("zh"))
	}
	if !strings.Contains(ref.Text("en"), "examined this candidate") {
		t.Errorf("in English: %q", ref.Text("en"))
	}
	if _, err := r.c.FileAppeal(ctx, id, "again", 0); !strings.Contains(appealRefusal(t, err).Text("zh"), "已有申诉") {
		t.Errorf("a second appeal: %q", appealRefusal(t, err).Text("zh"))
	}
}

// TestAppealRefusal_Late: an appeal after the window is refused in
// Chinese with the dates.
func TestAppealRefusal_Late(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	_, dir := centretest.NewCentreDir(t, st)
	saved := st.Exam(t, demo.Candidates[0].IDNumber, "late-zh", 0)
	_, zone := centretest.Zone()
	c, err := centre.Open(ctx, dir, centre.Options{Zone: zone, Now: func() time.Time { return st.Clock.Now().AddDate(0, 0, 4) }})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := c.Ingest(ctx, demo.Station, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	_, err = c.FileAppeal(ctx, saved.ID, "误判", 3)
	ref := appealRefusal(t, err)
	if ref.Code != centre.CodeAppealLate || !strings.Contains(ref.Text("zh"), "申诉须在考试后 3 天内提出") || !strings.Contains(ref.Text("en"), "appeals close 3 days after it") {
		t.Errorf("late: %s %q / %q", ref.Code, ref.Text("zh"), ref.Text("en"))
	}
}
