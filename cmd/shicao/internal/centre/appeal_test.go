package centre_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
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

// appealRig is a centre holding three results of three candidates.
type appealRig struct {
	*rig
	saved    []*station.Saved
	receipts [][]byte
}

func newAppealRig(t *testing.T) *appealRig {
	t.Helper()
	r := &appealRig{rig: newRig(t)}
	for i := range 3 {
		s := r.st.Exam(t, demo.Candidates[i].IDNumber, "appeal-"+demo.Candidates[i].IDNumber, 0)
		rcpt, err := r.client.Upload(context.Background(), s.Bundle)
		if err != nil {
			t.Fatal(err)
		}
		r.saved, r.receipts = append(r.saved, s), append(r.receipts, rcpt)
	}
	return r
}

const reviewer = "370902197505053456" // 张伟: examined none of the demo results

// reviewerMark is one deduction the reviewer records on the result's
// first subject: the first item with a mark in its standard.
func reviewerMark(t *testing.T, bundle []byte, by string) (map[string][]standards.Event, standards.Points) {
	t.Helper()
	b, err := examsync.DecodeBundle(bundle)
	if err != nil {
		t.Fatal(err)
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		t.Fatal(err)
	}
	for _, it := range doc.Items {
		key := it.Standard.ID + "@" + strconv.Itoa(it.Standard.Version)
		std, err := standards.Parse(key, standards.SplitNote([]byte(b.Standards[key])))
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range std.Items {
			if len(item.Marks) == 0 {
				continue
			}
			data, _ := json.Marshal(map[string]string{"item": item.ID, "mark": item.Marks[0].ID})
			return map[string][]standards.Event{it.Subject: {{Type: standards.TypeMark, Source: "examiner:" + by, Data: data}}}, item.Marks[0].Deduct
		}
	}
	t.Fatal("no subject of the result has a mark")
	return nil, 0
}

func appealCode(t *testing.T, err error) string {
	t.Helper()
	var r *examsync.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want a refusal", err)
	}
	return r.Code
}

// TestAppeal_ReviewerExamined: the result's own examiner, and an
// examiner who examined the same candidate on another result, cannot
// review; someone who did not can.
func TestAppeal_ReviewerExamined(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newAppealRig(t)
	id := r.saved[0].ID
	if _, err := r.c.FileAppeal(ctx, id, "误判：未站在上风方向", 0); err != nil {
		t.Fatal(err)
	}
	for _, x := range demo.Examiners[:2] {
		_, err := r.c.AssignAppeal(ctx, id, x.ID)
		if code := appealCode(t, err); code != centre.CodeAppealReviewer {
			t.Errorf("assign %s (examined the candidate): code %q, want %q", x.Name, code, centre.CodeAppealReviewer)
		}
		if err != nil && !strings.Contains(err.Error(), "examined this candidate") {
			t.Errorf("assign %s: %v, want it to say the reviewer examined this candidate", x.Name, err)
		}
	}
	if _, err := r.c.AssignAppeal(ctx, id, "110101190001011234"); appealCode(t, err) != centre.CodeAppealReviewer {
		t.Errorf("an unregistered reviewer: %v, want %s", err, centre.CodeAppealReviewer)
	}
	if _, err := r.c.AssignAppeal(ctx, id, reviewer); err != nil {
		t.Fatalf("assign %s (examined none): %v", reviewer, err)
	}
}

// TestAppeal_Outcomes: the three outcomes, one per result. The re-score
// is a new document the centre signs and logs; the original's bytes and
// receipt are unchanged and both verify; an upheld appeal and a re-exam
// never change the score; a pending appeal shows the original score,
// marked pending; every state is in the log, which verifies, and in the
// export.
func TestAppeal_Outcomes(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newAppealRig(t)
	ids := []string{r.saved[0].ID, r.saved[1].ID, r.saved[2].ID}
	for _, id := range ids {
		if _, err := r.c.FileAppeal(ctx, id, "申请复核", 0); err != nil {
			t.Fatal(err)
		}
	}
	// A second appeal on the same result is refused.
	if _, err := r.c.FileAppeal(ctx, ids[0], "again", 0); appealCode(t, err) != centre.CodeAppealOpen {
		t.Errorf("second appeal: %v, want %s", err, centre.CodeAppealOpen)
	}
	// Pending: the original score, marked pending.
	st, err := r.c.AppealStanding(ctx, ids[0])
	if err != nil {
		t.Fatal(err)
	}
	if !st.Pending || st.Total != r.saved[0].Total.String() || st.State != centre.AppealFiled {
		t.Errorf("filed: %+v, want pending with the original total %s", st, r.saved[0].Total)
	}
	// A decision before assignment is refused.
	if _, err := r.c.DecideAppeal(ctx, ids[0], centre.AppealUpheld, "", nil, ""); appealCode(t, err) != centre.CodeAppealState {
		t.Errorf("decide before assign: %v, want %s", err, centre.CodeAppealState)
	}
	for _, id := range ids {
		if _, err := r.c.AssignAppeal(ctx, id, reviewer); err != nil {
			t.Fatal(err)
		}
	}

	// Upheld (a rejected appeal): the score is the original's, never 0.
	if _, err := r.c.DecideAppeal(ctx, ids[0], centre.AppealUpheld, "评分无误", nil, ""); err != nil {
		t.Fatal(err)
	}
	// Re-exam ordered: the score stays the original's.
	d, err := r.c.DecideAppeal(ctx, ids[2], centre.AppealReexam, "设备故障", nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if d.Attempt != 2 {
		t.Errorf("re-exam attempt %d, want 2", d.Attempt)
	}
	// Re-scored with the reviewer's marks: marks by someone else refused.
	if _, err := r.c.DecideAppeal(ctx, ids[1], centre.AppealRescored, "", mustMarks(t, r.saved[1].Bundle, demo.Examiners[0].ID), ""); appealCode(t, err) != centre.CodeAppealMarks {
		t.Errorf("marks by an examiner of the result: %v, want %s", err, centre.CodeAppealMarks)
	}
	marks, deduct := reviewerMark(t, r.saved[1].Bundle, reviewer)
	d, err = r.c.DecideAppeal(ctx, ids[1], centre.AppealRescored, "复核扣分", marks, "")
	if err != nil {
		t.Fatal(err)
	}
	// Anyone can redo the re-score from the bundle and the document.
	again, err := centre.Rescore(r.saved[1].Bundle, d.Marks)
	if err != nil {
		t.Fatal(err)
	}
	if again.Total.String() != d.Total || d.Total == r.saved[1].Total.String() {
		t.Errorf("re-score %s, redone %s, original %s (deducting %s): want the same, and not the original", d.Total, again.Total, r.saved[1].Total, deduct)
	}

	want := []struct {
		state, total, label string
	}{
		{centre.AppealUpheld, r.saved[0].Total.String(), "维持原成绩"},
		{centre.AppealRescored, d.Total, "复核改分"},
		{centre.AppealReexam, r.saved[2].Total.String(), "已安排补考（第2次）"},
	}
	for i, w := range want {
		st, err := r.c.AppealStanding(ctx, ids[i])
		if err != nil {
			t.Fatal(err)
		}
		if st.State != w.state || st.Total != w.total || st.Label != w.label || st.Pending || len(st.History) != 3 {
			t.Errorf("%s: state %s total %s label %s pending %v, %d states; want %s %s %s, 3 states", ids[i], st.State, st.Total, st.Label, st.Pending, len(st.History), w.state, w.total, w.label)
		}
		for _, e := range st.History {
			if _, _, err := examsync.VerifyAppealReceipt(e.Receipt, r.c.Verifier(), e.Doc.ID(), e.Signed); err != nil {
				t.Errorf("%s state %d: receipt: %v", ids[i], e.Doc.Seq, err)
			}
		}
	}

	// The originals: the same bytes, the same receipts, and both verify.
	for i, id := range ids {
		body, err := r.c.ResultBody(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(body, r.saved[i].Bundle) {
			t.Errorf("result %s: the held bytes changed", id)
		}
		var rcpt []byte
		if err := r.c.DB().QueryRowContext(ctx, `SELECT receipt FROM results WHERE id = ?`, id).Scan(&rcpt); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(rcpt, r.receipts[i]) {
			t.Errorf("result %s: the receipt changed", id)
		}
		if _, _, err := examsync.VerifyReceipt(rcpt, r.c.Verifier(), id, demo.Station, body); err != nil {
			t.Errorf("result %s: %v", id, err)
		}
	}
	rep, err := r.c.VerifyLog(ctx, true)
	if err != nil {
		t.Fatalf("log: %v", err)
	}
	if rep.Records != 3+9 || rep.Appeals != 9 || rep.Receipts != 12 || rep.Rescored != 3 {
		t.Errorf("log report %+v, want 12 records: 3 results, 9 appeal states", rep)
	}

	// The export: the original 总分 and, beside it, the state and the
	// score that stands.
	tbl, err := r.c.ResultsTable(ctx, standards.Date{})
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int { return slices.Index(tbl.Header, name) }
	for i, row := range rowsOf(t, tbl) {
		if row[col("总分")] != r.saved[i].Total.String() || row[col("复核状态")] != want[i].label || row[col("现行总分")] != want[i].total {
			t.Errorf("export row %d: 总分 %s 复核状态 %s 现行总分 %s; want %s %s %s", i+1, row[col("总分")], row[col("复核状态")], row[col("现行总分")], r.saved[i].Total, want[i].label, want[i].total)
		}
		if h := row[col("复核记录")]; strings.Count(h, "#") != 3 {
			t.Errorf("export row %d: 复核记录 %q, want three states with log indexes", i+1, h)
		}
	}
}

func mustMarks(t *testing.T, bundle []byte, by string) map[string][]standards.Event {
	m, _ := reviewerMark(t, bundle, by)
	return m
}

// TestAppeal_Late: an appeal is filed within the window after the exam
// date, and refused after it; one without a reason is refused.
func TestAppeal_Late(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	saved := st.Exam(t, demo.Candidates[0].IDNumber, "late-1", 0)
	if _, err := c.Ingest(ctx, demo.Station, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	if _, err := c.FileAppeal(ctx, saved.ID, " ", 0); appealCode(t, err) != centre.CodeAppealState {
		t.Errorf("no reason: %v, want %s", err, centre.CodeAppealState)
	}
	if _, err := c.FileAppeal(ctx, "nope", "x", 0); appealCode(t, err) != "result-unknown" {
		t.Errorf("unknown result: %v, want result-unknown", err)
	}
	_, zone := centretest.Zone()
	later := func(days int) *centre.Centre {
		c, err := centre.Open(ctx, dir, centre.Options{Zone: zone, Now: func() time.Time { return st.Clock.Now().AddDate(0, 0, days) }})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	_, err := later(4).FileAppeal(ctx, saved.ID, "误判", 3)
	if appealCode(t, err) != centre.CodeAppealLate {
		t.Errorf("4 days after, a 3-day window: %v, want %s", err, centre.CodeAppealLate)
	}
	if _, err := later(3).FileAppeal(ctx, saved.ID, "误判", 3); err != nil {
		t.Errorf("3 days after, a 3-day window: %v, want it filed", err)
	}
}

// TestAppeal_ReexamPlan: a re-exam ordered onto an issued 补考 plan adds
// the candidate with the next attempt; onto a plan not issued it is
// refused (and may be ordered without a plan, recorded as owed).
func TestAppeal_ReexamPlan(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "reexam-1", 0)
	if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	p, _, err := r.c.PlanByID(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	const bk = "TA-2026-DG-BK1"
	other := demo.Candidates[4]
	if _, err := r.c.ImportPlans(ctx, []centre.PlanRow{{Plan: bk, Date: p.Date, Site: p.Site, Station: p.Station, Category: p.Category, Blueprint: p.Blueprint,
		IDNumber: other.IDNumber, Name: other.Name, Attempt: 1, Examiners: p.Examiners}}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.FileAppeal(ctx, saved.ID, "设备故障", 0); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.AssignAppeal(ctx, saved.ID, reviewer); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.DecideAppeal(ctx, saved.ID, centre.AppealReexam, "", nil, "NO-SUCH-PLAN"); appealCode(t, err) != centre.CodeAppealState {
		t.Errorf("re-exam on a plan not issued: %v, want %s", err, centre.CodeAppealState)
	}
	d, err := r.c.DecideAppeal(ctx, saved.ID, centre.AppealReexam, "设备故障", nil, bk)
	if err != nil {
		t.Fatal(err)
	}
	if d.Plan != bk || d.Attempt != 2 {
		t.Errorf("re-exam on plan %q attempt %d, want %s attempt 2", d.Plan, d.Attempt, bk)
	}
	got, _, err := r.c.PlanByID(ctx, bk)
	if err != nil {
		t.Fatal(err)
	}
	i := slices.IndexFunc(got.Candidates, func(x examsync.Candidate) bool { return x.IDNumber == demo.Candidates[0].IDNumber })
	if i < 0 || got.Candidates[i].Attempt != 2 {
		t.Errorf("plan %s candidates %+v: want %s with attempt 2", bk, got.Candidates, demo.Candidates[0].IDNumber)
	}
	st, err := r.c.AppealStanding(ctx, saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	if st.Total != saved.Total.String() || st.Label != "已安排补考（第2次，计划"+bk+"）" {
		t.Errorf("standing %s %q, want the original %s, re-exam on %s", st.Total, st.Label, saved.Total, bk)
	}
}
