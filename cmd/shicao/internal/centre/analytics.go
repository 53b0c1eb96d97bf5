package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"shicao/standards"
	examsync "shicao/sync"
)

// Analytics (issue #19, feature row 28): pass rates by site, category,
// item, examiner and training institution over a period, and how often
// each 评分项 loses points. Each result is summed at ingest into one row
// per exam day and group (migration 0014: daily_rates, daily_deductions),
// so a year's figures read a few thousand rows and no result body. The
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

// addRate adds one attempt to a day's group.
func addRate(ctx context.Context, tx *sql.Tx, dim, date, key, label string, attempt int, passed bool, score int64) error {
	pass, first, firstPass, resit, resitPass := 0, 0, 0, 0, 0
	if passed {
		pass = 1
	}
	if attempt > 1 {
		resit, resitPass = 1, pass
	} else {
		first, firstPass = 1, pass
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO daily_rates (dim, date, key, label, attempts, passed, first, first_passed, resits, resit_passed, score_sum)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dim, date, key) DO UPDATE SET attempts = daily_rates.attempts + 1, passed = daily_rates.passed + excluded.passed,
			first = daily_rates.first + excluded.first, first_passed = daily_rates.first_passed + excluded.first_passed,
			resits = daily_rates.resits + excluded.resits, resit_passed = daily_rates.resit_passed + excluded.resit_passed,
			score_sum = daily_rates.score_sum + excluded.score_sum`,
		dim, date, key, label, pass, first, firstPass, resit, resitPass, score)
	if err != nil {
		return fmt.Errorf("daily rates %s %s: %w", dim, key, err)
	}
	return nil
}

// rollUp adds the result at log index n to the day's figures inside tx
// (migration 0014): by site, category, the candidate's training
// institution (from the plan the result names), each examiner and each
// item, and each 评分项 that lost points; and each examiner's
// consistency (migration 0015). It also records the
// institution on the result's row.
func rollUp(ctx context.Context, tx *sql.Tx, n int64, doc *examsync.ResultDoc) error {
	inst, err := institutionOf(ctx, tx, doc)
	if err != nil {
		return err
	}
	if inst != "" {
		if _, err := tx.ExecContext(ctx, `UPDATE results SET institution = ? WHERE log_index = ?`, inst, n); err != nil {
			return err
		}
	}
	att, date := doc.Candidate.Attempt, doc.Date
	var passed bool
	var total int64
	if doc.Paper != nil {
		passed, total = doc.Paper.Passed, int64(doc.Paper.Total)
	}
	for _, g := range [][3]string{{BySite, doc.Site, ""}, {ByCategory, doc.Category, doc.Category}, {ByInstitution, inst, inst}} {
		if err := addRate(ctx, tx, g[0], date, g[1], g[2], att, passed, total); err != nil {
			return err
		}
	}
	seen := map[string]bool{}
	for _, x := range doc.Examiners {
		if !seen[x.ID] {
			seen[x.ID] = true
			if err := addRate(ctx, tx, ByExaminer, date, x.ID, x.Name, att, passed, total); err != nil {
				return err
			}
		}
	}
	for _, it := range doc.Items {
		sh := it.Sheet
		if sh == nil {
			continue
		}
		std := it.Standard.ID
		if err := addRate(ctx, tx, ByItem, date, std, sh.Title, att, sh.Passed, int64(sh.Score)); err != nil {
			return err
		}
		for _, pt := range sh.Items {
			if pt.Score >= pt.Points {
				continue
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO daily_deductions (date, standard, point, title, deducted, deducted_sum) VALUES (?, ?, ?, ?, 1, ?)
				ON CONFLICT (date, standard, point) DO UPDATE SET deducted = daily_deductions.deducted + 1, deducted_sum = daily_deductions.deducted_sum + excluded.deducted_sum`,
				date, std, pt.ID, pt.Title, int64(pt.Points-pt.Score))
			if err != nil {
				return fmt.Errorf("daily deductions %s %s: %w", std, pt.ID, err)
			}
		}
	}
	return rollUpExaminers(ctx, tx, n, doc)
}

// institutionOf is the result's candidate's training institution, as the
// plan the result names gives it ("" when it gives none).
func institutionOf(ctx context.Context, tx *sql.Tx, doc *examsync.ResultDoc) (string, error) {
	var planDoc string
	err := tx.QueryRowContext(ctx, `SELECT doc FROM plans WHERE id = ?`, doc.Plan).Scan(&planDoc)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", err
	}
	var plan examsync.Plan
	if err := json.Unmarshal([]byte(planDoc), &plan); err != nil {
		return "", fmt.Errorf("plan %s: %w", doc.Plan, err)
	}
	for _, cand := range plan.Candidates {
		if cand.IDNumber == doc.Candidate.IDNumber {
			return cand.Institution, nil
		}
	}
	return "", nil
}
