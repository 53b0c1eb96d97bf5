package centre_test

import (
	"context"
	"fmt"
	"math"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
)

// TestExaminerConsistency: two results of the day — one whose CPR item
// the first examiner marked 6 points down alone (sent to review, then
// resolved), one whose CPR pulse check the sensors found too short with
// no examiner marking it — give each examiner a mean difference of ±6
// points over their pairs, one review, and one point where the sensors
// deducted and they did not; a centre that lost those sums (from before
// migration 0015) sums them again from the bodies when opened.
func TestExaminerConsistency(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	a := st.ExamVectors(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("agree-a"), 0, map[string]string{"SD-DG-K42": "review-resolved"})
	b := st.ExamVectors(t, demo.Candidates[1].IDNumber, centretest.CPRSeed("agree-b"), 0, map[string]string{"SD-DG-K42": "pulse-too-short"})
	for _, s := range [][]byte{a.Bundle, b.Bundle} {
		if _, err := c.Ingest(ctx, demo.Station, s); err != nil {
			t.Fatal(err)
		}
	}
	p, err := centre.ParsePeriod(a.Doc.Date, a.Doc.Date)
	if err != nil {
		t.Fatal(err)
	}
	list, err := c.ExaminerConsistency(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if len(list) != 2 {
		t.Fatalf("%d examiners, want the plan's 2: %+v", len(list), list)
	}
	var diffs []float64
	for _, x := range list {
		sheets := len(a.Doc.Items) + len(b.Doc.Items)
		if x.Sheets != sheets || x.Pairs != sheets || x.Reviews != 1 || x.SensorOnly != 1 || x.ExaminerOnly != 0 || x.BothPoints < 6 {
			t.Errorf("examiner %s: %+v; want %d sheets and pairs, 1 review, 1 point the sensors alone deducted, ≥ 6 points both judge", x.Examiner, x, sheets)
		}
		if math.Abs(x.MeanAbsDiff*float64(x.Pairs)-6) > 1e-9 {
			t.Errorf("examiner %s: mean |difference| %v over %d pairs, want 6 points in all", x.Examiner, x.MeanAbsDiff, x.Pairs)
		}
		diffs = append(diffs, x.MeanDiff*float64(x.Pairs))
		if x.Name == "" {
			t.Errorf("examiner %s has no name", x.Examiner)
		}
	}
	if math.Abs(diffs[0]+diffs[1]) > 1e-9 || math.Abs(math.Abs(diffs[0])-6) > 1e-9 {
		t.Errorf("differences summed over pairs: %v, want +6 and -6", diffs)
	}

	want := fmt.Sprintf("%+v", list)
	for _, q := range []string{`DELETE FROM daily_examiners`, `DELETE FROM standard_points`, `DELETE FROM meta WHERE key = 'examiner_rollup'`} {
		if _, err := c.DB().ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()
	again, err := centre.Open(ctx, dir, centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	got, err := again.ExaminerConsistency(ctx, p)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprintf("%+v", got) != want {
		t.Errorf("summed again when opened:\n got %+v\nwant %s", got, want)
	}
}
