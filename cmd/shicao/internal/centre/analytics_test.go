package centre_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestAnalytics_InstitutionAndBackfill: a result ingested counts for the
// training institution its plan gives the candidate; and a centre whose
// figures predate migration 0014 (its sums gone) sums its results again
// from their bodies when opened, to the same figures.
func TestAnalytics_InstitutionAndBackfill(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	cand := demo.Candidates[0]
	saved := st.Exam(t, cand.IDNumber, "analytics", 0)
	// The demo's plans name no institution: give this candidate one.
	var doc string
	if err := c.DB().QueryRowContext(ctx, `SELECT doc FROM plans WHERE id = ?`, saved.Doc.Plan).Scan(&doc); err != nil {
		t.Fatal(err)
	}
	var p examsync.Plan
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		t.Fatal(err)
	}
	for i := range p.Candidates {
		if p.Candidates[i].IDNumber == cand.IDNumber {
			p.Candidates[i].Institution = "泰安市某安全培训学校"
		}
	}
	b, _ := json.Marshal(p)
	if _, err := c.DB().ExecContext(ctx, `UPDATE plans SET doc = ? WHERE id = ?`, string(b), p.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Ingest(ctx, demo.Station, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	period, err := centre.ParsePeriod(saved.Doc.Date, saved.Doc.Date)
	if err != nil {
		t.Fatal(err)
	}
	figures := func(c *centre.Centre) string { return dayFigures(t, c, period) }
	inst, err := c.PassRates(ctx, centre.ByInstitution, period)
	if err != nil || len(inst) != 1 || inst[0].Key != "泰安市某安全培训学校" || inst[0].Attempts != 1 || inst[0].First != 1 {
		t.Fatalf("by institution: %+v %v", inst, err)
	}
	want := figures(c)
	for _, q := range []string{`DELETE FROM daily_rates`, `DELETE FROM daily_deductions`, `DELETE FROM meta WHERE key = 'analytics_rollup'`} {
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
	if got := figures(again); got != want {
		t.Errorf("summed again when opened:\n got %s\nwant %s", got, want)
	}
}

// TestDrawIndex: the random pull's rule is fixed: the same seed and day
// give the same plan, as a person redoing it by hand would find.
func TestDrawIndex(t *testing.T) {
	t.Parallel()
	// printf 'seed-1\n2026-12-07' | sha256sum: c3b91bdcf8a5bc6c…, as a
	// number 14103334343965785196: modulo 7, 10 and 3 it is 5, 6 and 1.
	for _, tc := range []struct {
		n, want int
	}{{7, 5}, {10, 6}, {3, 1}, {1, 0}, {0, -1}} {
		if got := centre.DrawIndex("seed-1", "2026-12-07", tc.n); got != tc.want {
			t.Errorf("DrawIndex(n=%d) = %d, want %d", tc.n, got, tc.want)
		}
	}
}

// dayFigures is the console's day-to-day figures of period as text: the
// pass rates by every grouping and the deduction rates.
func dayFigures(t *testing.T, c *centre.Centre, period centre.Period) string {
	t.Helper()
	ctx := context.Background()
	var out string
	for _, by := range centre.Groupings {
		rows, err := c.PassRates(ctx, by, period)
		if err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s %+v\n", by, rows)
	}
	d, err := c.DeductionRates(ctx, period, 100)
	if err != nil {
		t.Fatal(err)
	}
	return out + fmt.Sprintf("%+v", d)
}
