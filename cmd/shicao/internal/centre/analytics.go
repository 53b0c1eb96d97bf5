package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"shicao/standards"
	examsync "shicao/sync"
)

// Analytics (issue #19, feature row 28): pass rates by site, category,
// item, examiner and training institution over a period, and how often
// each 评分项 loses points. Every figure is one GROUP BY over narrow rows
// (migration 0014) filled at ingest from the signed result: no figure
// reads a result body. The SQL is plain (no SQLite-only function), so
// that it runs on PostgreSQL too.

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

// passRateSQL is each grouping's query: the key, its label, then the
// figures. Passed is 0 or 1 in every backend, so SUM counts passes.
var passRateSQL = map[string]string{
	BySite:        `SELECT r.site, coalesce(MIN(s.name), r.site), %s FROM results r LEFT JOIN sites s ON s.id = r.site WHERE r.date >= ? AND r.date <= ? GROUP BY r.site ORDER BY r.site`,
	ByCategory:    `SELECT r.category, r.category, %s FROM results r WHERE r.date >= ? AND r.date <= ? GROUP BY r.category ORDER BY r.category`,
	ByInstitution: `SELECT r.institution, r.institution, %s FROM results r WHERE r.date >= ? AND r.date <= ? GROUP BY r.institution ORDER BY r.institution`,
	ByExaminer:    `SELECT e.examiner, MIN(e.name), %s FROM result_examiners e JOIN results r ON r.log_index = e.log_index WHERE r.date >= ? AND r.date <= ? GROUP BY e.examiner ORDER BY e.examiner`,
	ByItem:        `SELECT i.standard, MIN(i.title), %s FROM result_items i JOIN results r ON r.log_index = i.log_index WHERE r.date >= ? AND r.date <= ? GROUP BY i.standard ORDER BY i.standard`,
}

// figuresSQL counts attempts, passes, first attempts and resits; the
// passed column and the score are the paper's, or the item's for ByItem.
func figuresSQL(passed, score string) string {
	return fmt.Sprintf(`COUNT(*), SUM(%[1]s), SUM(CASE WHEN r.attempt = 1 THEN 1 ELSE 0 END), SUM(CASE WHEN r.attempt = 1 THEN %[1]s ELSE 0 END),
		SUM(CASE WHEN r.attempt > 1 THEN 1 ELSE 0 END), SUM(CASE WHEN r.attempt > 1 THEN %[1]s ELSE 0 END), AVG(%[2]s)`, passed, score)
}

// PassRates returns the pass rates of the exams held in p, one row per
// group of by (one of Groupings).
func (c *Centre) PassRates(ctx context.Context, by string, p Period) ([]PassRate, error) {
	q, ok := passRateSQL[by]
	if !ok {
		return nil, fmt.Errorf("pass rates by %q: want one of %v", by, Groupings)
	}
	figures := figuresSQL("r.passed", "CAST(r.total AS DOUBLE PRECISION)")
	if by == ByItem {
		figures = figuresSQL("i.passed", "i.score / 10.0")
	}
	rows, err := c.db.QueryContext(ctx, fmt.Sprintf(q, figures), p.From.String(), p.To.String())
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []PassRate
	for rows.Next() {
		var r PassRate
		var mean sql.NullFloat64
		if err := rows.Scan(&r.Key, &r.Label, &r.Attempts, &r.Passed, &r.First, &r.FirstPassed, &r.Resits, &r.ResitPassed, &mean); err != nil {
			return nil, err
		}
		r.MeanScore = mean.Float64
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
	items := map[string]int{}
	titles := map[string]string{}
	rows, err := c.db.QueryContext(ctx, `SELECT i.standard, MIN(i.title), COUNT(*) FROM result_items i JOIN results r ON r.log_index = i.log_index
		WHERE r.date >= ? AND r.date <= ? GROUP BY i.standard`, p.From.String(), p.To.String())
	if err != nil {
		return nil, translate(err)
	}
	for rows.Next() {
		var std, title string
		var n int
		if err := rows.Scan(&std, &title, &n); err != nil {
			rows.Close()
			return nil, err
		}
		items[std], titles[std] = n, title
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	rows, err = c.db.QueryContext(ctx, `SELECT d.standard, d.point, MIN(d.title), COUNT(*), AVG(d.deducted / 10.0) FROM result_deductions d JOIN results r ON r.log_index = d.log_index
		WHERE r.date >= ? AND r.date <= ? GROUP BY d.standard, d.point ORDER BY COUNT(*) DESC, d.standard, d.point LIMIT ?`, p.From.String(), p.To.String(), limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []DeductionRate
	for rows.Next() {
		var d DeductionRate
		if err := rows.Scan(&d.Standard, &d.Point, &d.Title, &d.Deducted, &d.MeanDeducted); err != nil {
			return nil, err
		}
		d.Items, d.StandardTitle = items[d.Standard], titles[d.Standard]
		out = append(out, d)
	}
	return out, rows.Err()
}

// insertFacts writes the narrow analytics rows of the result at log
// index n inside tx (migration 0014): its examiners, each item's score,
// each 评分项 that lost points, and the candidate's training institution
// from the plan the result names.
func insertFacts(ctx context.Context, tx *sql.Tx, n int64, doc *examsync.ResultDoc) error {
	seen := map[string]bool{}
	for _, x := range doc.Examiners {
		if seen[x.ID] {
			continue
		}
		seen[x.ID] = true
		if _, err := tx.ExecContext(ctx, `INSERT INTO result_examiners (log_index, examiner, name) VALUES (?, ?, ?)`, n, x.ID, x.Name); err != nil {
			return fmt.Errorf("result examiners: %w", err)
		}
	}
	for i, it := range doc.Items {
		sh := it.Sheet
		if sh == nil {
			continue
		}
		std := it.Standard.ID
		if _, err := tx.ExecContext(ctx, `INSERT INTO result_items (log_index, item, standard, title, score, passed) VALUES (?, ?, ?, ?, ?, ?)`,
			n, i, std, sh.Title, int64(sh.Score), sh.Passed); err != nil {
			return fmt.Errorf("result items: %w", err)
		}
		for _, pt := range sh.Items {
			if pt.Score >= pt.Points {
				continue
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO result_deductions (log_index, item, standard, point, title, deducted) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`,
				n, i, std, pt.ID, pt.Title, int64(pt.Points-pt.Score)); err != nil {
				return fmt.Errorf("result deductions: %w", err)
			}
		}
	}
	var planDoc string
	err := tx.QueryRowContext(ctx, `SELECT doc FROM plans WHERE id = ?`, doc.Plan).Scan(&planDoc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil
	}
	if err != nil {
		return err
	}
	var plan examsync.Plan
	if err := json.Unmarshal([]byte(planDoc), &plan); err != nil {
		return fmt.Errorf("plan %s: %w", doc.Plan, err)
	}
	for _, cand := range plan.Candidates {
		if cand.IDNumber == doc.Candidate.IDNumber && cand.Institution != "" {
			_, err := tx.ExecContext(ctx, `UPDATE results SET institution = ? WHERE log_index = ?`, cand.Institution, n)
			return err
		}
	}
	return nil
}

// backfillFacts fills the analytics rows of results received before
// migration 0014, once: it reads each such result's body (a centre
// upgraded with 100,000 results reads them once, at that opening).
func (c *Centre) backfillFacts(ctx context.Context) error {
	if _, err := meta(ctx, c.db, "analytics_facts"); err == nil {
		return nil
	} else if !errors.Is(err, ErrNotFound) {
		return err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT r.log_index FROM results r WHERE NOT EXISTS (SELECT 1 FROM result_items i WHERE i.log_index = r.log_index) ORDER BY r.log_index`)
	if err != nil {
		return translate(err)
	}
	var todo []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return err
		}
		todo = append(todo, n)
	}
	if err := rows.Close(); err != nil {
		return err
	}
	for _, n := range todo {
		err := inTx(ctx, c.db, func(tx *sql.Tx) error {
			var body []byte
			if err := tx.QueryRowContext(ctx, `SELECT body FROM result_bodies WHERE log_index = ?`, n).Scan(&body); err != nil {
				return err
			}
			doc, err := signedDoc(body)
			if err != nil {
				return err
			}
			return insertFacts(ctx, tx, n, doc)
		})
		if err != nil {
			return fmt.Errorf("analytics rows of result %d: %w", n, err)
		}
	}
	return setMeta(ctx, c.db, "analytics_facts", "1")
}
