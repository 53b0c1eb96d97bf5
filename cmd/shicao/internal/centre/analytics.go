package centre

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"shicao/standards"
)

// Analytics (issue #19, feature row 28): pass rates by site, category,
// item, examiner and training institution over a period, and how often
// each 评分项 loses points. Each result is summed at ingest into one row
// per exam day and group (migration 0014: daily_rates, daily_deductions;
// facts.go), so a year's figures read a few thousand rows and no result body. The
// SQL is plain (no SQLite-only function; the upsert is ON CONFLICT DO
// UPDATE, which PostgreSQL has too).

// Groupings of PassRates.
const (
	BySite        = "site"
	ByCategory    = "category"
	ByItem        = "item"
	ByExaminer    = "examiner"
	ByInstitution = "institution"
)

// Groupings lists PassRates' groupings in the order a page shows them.
var Groupings = []string{BySite, ByCategory, ByItem, ByExaminer, ByInstitution}

// ErrBadPeriod is a period whose dates are not YYYY-MM-DD or run backwards.
var ErrBadPeriod = errors.New("the period needs two dates as YYYY-MM-DD, the first not after the second")

// Period is the exam days from From to To, both included.
type Period struct{ From, To standards.Date }

// ParsePeriod reads a period from two dates as YYYY-MM-DD.
func ParsePeriod(from, to string) (Period, error) {
	f, err1 := standards.ParseDate(from)
	t, err2 := standards.ParseDate(to)
	if err1 != nil || err2 != nil || t.Before(f) {
		return Period{}, ErrBadPeriod
	}
	return Period{f, t}, nil
}

// PassRate is one group's figures over a period. For ByItem an attempt
// is one drawn item and its score is the item's; otherwise an attempt
// is one paper and its score the paper's total.
type PassRate struct {
	Key, Label          string // the group (a site id, a category, an examiner's 身份证号…) and its name
	Attempts, Passed    int
	First, FirstPassed  int // first attempts (正考) and how many passed
	Resits, ResitPassed int // 补考
	MeanScore           float64
}

// Rate is the share that passed, 0 to 1 (0 with no attempts).
func (p PassRate) Rate() float64 { return ratio(p.Passed, p.Attempts) }

// FirstRate is the first attempts' pass rate.
func (p PassRate) FirstRate() float64 { return ratio(p.FirstPassed, p.First) }

// ResitRate is the resits' pass rate.
func (p PassRate) ResitRate() float64 { return ratio(p.ResitPassed, p.Resits) }

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

// PassRates returns the pass rates of the exams held in p, one row per
// group of by (one of Groupings), in the order of the groups' keys.
func (c *Centre) PassRates(ctx context.Context, by string, p Period) ([]PassRate, error) {
	if !slices.Contains(Groupings, by) {
		return nil, fmt.Errorf("pass rates by %q: want one of %v", by, Groupings)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT d.key, coalesce(MAX(s.name), MAX(d.label)), SUM(d.attempts), SUM(d.passed), SUM(d.first), SUM(d.first_passed),
		SUM(d.resits), SUM(d.resit_passed), SUM(d.score_sum)
		FROM daily_rates d LEFT JOIN sites s ON d.dim = 'site' AND s.id = d.key
		WHERE d.dim = ? AND d.date >= ? AND d.date <= ? GROUP BY d.key ORDER BY d.key`, by, p.From.String(), p.To.String())
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []PassRate
	for rows.Next() {
		var r PassRate
		var sum int64
		if err := rows.Scan(&r.Key, &r.Label, &r.Attempts, &r.Passed, &r.First, &r.FirstPassed, &r.Resits, &r.ResitPassed, &sum); err != nil {
			return nil, err
		}
		if r.Label == "" {
			r.Label = r.Key // a site not registered: its id
		}
		if r.Attempts > 0 {
			r.MeanScore = float64(sum) / 10 / float64(r.Attempts)
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// DeductionRate is how often one 评分项 of a standard lost points over a
// period: in Deducted of the Items attempts at its standard, with
// MeanDeducted points taken off when it did.
type DeductionRate struct {
	Standard, StandardTitle string
	Point, Title            string
	Items, Deducted         int
	MeanDeducted            float64
}

// Rate is the share of the standard's attempts that lost points here.
func (d DeductionRate) Rate() float64 { return ratio(d.Deducted, d.Items) }

// DeductionRates returns the 评分项 that lost points in the exams held in
// p, the most often first (at most limit of them).
func (c *Centre) DeductionRates(ctx context.Context, p Period, limit int) ([]DeductionRate, error) {
	items, err := c.PassRates(ctx, ByItem, p)
	if err != nil {
		return nil, err
	}
	byStd := map[string]PassRate{}
	for _, it := range items {
		byStd[it.Key] = it
	}
	rows, err := c.db.QueryContext(ctx, `SELECT standard, point, MAX(title), SUM(deducted), SUM(deducted_sum) FROM daily_deductions
		WHERE date >= ? AND date <= ? GROUP BY standard, point ORDER BY SUM(deducted) DESC, standard, point LIMIT ?`, p.From.String(), p.To.String(), limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []DeductionRate
	for rows.Next() {
		var d DeductionRate
		var sum int64
		if err := rows.Scan(&d.Standard, &d.Point, &d.Title, &d.Deducted, &sum); err != nil {
			return nil, err
		}
		if d.Deducted > 0 {
			d.MeanDeducted = float64(sum) / 10 / float64(d.Deducted)
		}
		d.Items, d.StandardTitle = byStd[d.Standard].Attempts, byStd[d.Standard].Label
		out = append(out, d)
	}
	return out, rows.Err()
}
