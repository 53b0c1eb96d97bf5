package centre

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"

	"shicao/cmd/shicao/internal/pgdb"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Examiner consistency (issue #19, analytics ask 6): each examiner's
// mean difference from their co-examiners, the reviews on the sheets
// they marked, and their disagreement with the sensors on the scoring
// points that both judge. Summed at ingest into daily_examiners
// (migration 0015) as the pass rates are, so a year's figures read no
// result body.

// ExaminerAgreement is one examiner's consistency over a period.
type ExaminerAgreement struct {
	Examiner, Name string
	Sheets         int // item sheets marked
	Pairs          int // (sheet, co-examiner) pairs
	// MeanDiff is their manual deduction on a sheet minus the
	// co-examiner's, in points, averaged over pairs: positive, they take
	// off more than their colleagues; MeanAbsDiff the same, each
	// difference taken positive.
	MeanDiff, MeanAbsDiff float64
	Reviews               int // scoring points sent to review on their sheets
	// BothPoints are the scoring points both they and the sensors judged;
	// ExaminerOnly of those they deducted and the sensors did not,
	// SensorOnly the sensors did and they did not.
	BothPoints, ExaminerOnly, SensorOnly int
}

// Disagreement is the share of the points both judged on which one of
// examiner and sensors deducted and the other did not, 0 to 1.
func (a ExaminerAgreement) Disagreement() float64 {
	return ratio(a.ExaminerOnly+a.SensorOnly, a.BothPoints)
}

// ExaminerConsistency returns each examiner's consistency over the exams
// held in p, by 身份证号.
func (c *Centre) ExaminerConsistency(ctx context.Context, p Period) ([]ExaminerAgreement, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT examiner, MAX(name), SUM(sheets), SUM(pairs), SUM(diff_sum), SUM(abs_diff_sum), SUM(reviews),
		SUM(both_points), SUM(examiner_only), SUM(sensor_only)
		FROM daily_examiners WHERE date >= ? AND date <= ? GROUP BY examiner ORDER BY examiner`, p.From.String(), p.To.String())
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []ExaminerAgreement
	for rows.Next() {
		var a ExaminerAgreement
		var diff, abs int64
		if err := rows.Scan(&a.Examiner, &a.Name, &a.Sheets, &a.Pairs, &diff, &abs, &a.Reviews, &a.BothPoints, &a.ExaminerOnly, &a.SensorOnly); err != nil {
			return nil, err
		}
		if a.Pairs > 0 {
			a.MeanDiff = float64(diff) / 10 / float64(a.Pairs)
			a.MeanAbsDiff = float64(abs) / 10 / float64(a.Pairs)
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// examinerDay is one examiner's figures from one result, as
// daily_examiners sums them.
type examinerDay struct {
	name                                 string
	sheets, pairs                        int
	diff, abs                            int64
	reviews, both, examinerOnly, sensors int
}

// examinerSum is one examiner's figures from one result on its day: a
// row of daily_examiners' upsert.
type examinerSum struct {
	date, examiner string
	examinerDay
}

// examinerSums works out what doc adds to its day's examiner
// consistency, one row per examiner in the order of their 身份证号 (one
// order for every writer, as factsOf's rows). judged gives, for each of
// doc's items by index, the scoring points of its standard that both
// examiners mark and rules judge (judgedPoints). It reads nothing: the
// ingest works it out before the log's lock, from the standards the
// re-score parsed.
func examinerSums(doc *examsync.ResultDoc, judged []map[string]bool) []examinerSum {
	names := map[string]string{}
	for _, x := range doc.Examiners {
		names[x.ID] = x.Name
	}
	days := map[string]*examinerDay{}
	for i, it := range doc.Items {
		sh := it.Sheet
		if sh == nil {
			continue
		}
		for id, f := range sheetFigures(sh, judged[i]) {
			d := days[id]
			if d == nil {
				d = &examinerDay{name: names[id]}
				days[id] = d
			}
			d.sheets++
			d.pairs += f.pairs
			d.diff += f.diff
			d.abs += f.abs
			d.reviews += f.reviews
			d.both += f.both
			d.examinerOnly += f.examinerOnly
			d.sensors += f.sensors
		}
	}
	out := make([]examinerSum, 0, len(days))
	for id, d := range days {
		out = append(out, examinerSum{date: doc.Date, examiner: id, examinerDay: *d})
	}
	slices.SortFunc(out, func(a, b examinerSum) int { return cmp.Compare(a.examiner, b.examiner) })
	return out
}

// queueExaminers queues on w the adding of rows to daily_examiners, in
// one statement (per factsRows rows).
func queueExaminers(w *pgdb.Batch, rows []examinerSum) {
	for chunk := range slices.Chunk(rows, factsRows) {
		args := make([]any, 0, 11*len(chunk))
		for _, r := range chunk {
			args = append(args, r.date, r.examiner, r.name, r.sheets, r.pairs, r.diff, r.abs, r.reviews, r.both, r.examinerOnly, r.sensors)
		}
		w.Exec(`INSERT INTO daily_examiners (date, examiner, name, sheets, pairs, diff_sum, abs_diff_sum, reviews, both_points, examiner_only, sensor_only)
			VALUES `+placeholders(len(chunk), 11)+`
			ON CONFLICT (date, examiner) DO UPDATE SET sheets = daily_examiners.sheets + excluded.sheets, pairs = daily_examiners.pairs + excluded.pairs,
				diff_sum = daily_examiners.diff_sum + excluded.diff_sum, abs_diff_sum = daily_examiners.abs_diff_sum + excluded.abs_diff_sum,
				reviews = daily_examiners.reviews + excluded.reviews, both_points = daily_examiners.both_points + excluded.both_points,
				examiner_only = daily_examiners.examiner_only + excluded.examiner_only, sensor_only = daily_examiners.sensor_only + excluded.sensor_only`, args...)
	}
}

// rollUpExaminers adds the result at log index n, held already, to its
// day's examiner consistency inside tx (the backfills: the ingest sums
// a result with the rest of its facts, factsOf).
func rollUpExaminers(ctx context.Context, tx *sql.Tx, n int64, doc *examsync.ResultDoc) error {
	judged, err := storedJudged(ctx, tx, n, doc)
	if err != nil {
		return err
	}
	var w pgdb.Batch
	queueExaminers(&w, examinerSums(doc, judged))
	return pgdb.Send(ctx, tx, &w, false)
}

// storedJudged returns judgedPoints for each item of doc, the result
// held at log index n, from standard_points or its body (pointsJudged).
func storedJudged(ctx context.Context, tx *sql.Tx, n int64, doc *examsync.ResultDoc) ([]map[string]bool, error) {
	judged := make([]map[string]bool, len(doc.Items))
	for i := range doc.Items {
		it := &doc.Items[i]
		if it.Sheet == nil {
			continue
		}
		var err error
		if judged[i], err = pointsJudged(ctx, tx, n, it); err != nil {
			return nil, fmt.Errorf("subject %s: %w", it.Subject, err)
		}
	}
	return judged, nil
}

// judgedPoints returns the scoring points of std that both examiners
// mark and rules judge: a result's sheet lists every point, but not what
// could have deducted on it.
func judgedPoints(std *standards.Standard) map[string]bool {
	judged := make(map[string]bool, len(std.Items))
	for _, it := range std.Items {
		judged[it.ID] = len(it.Marks) > 0 && len(it.Rules) > 0
	}
	return judged
}

// sheetFigures returns each examiner's figures from one item sheet;
// judged says which of its points both examiners and rules judge.
func sheetFigures(sh *scoring.Sheet, judged map[string]bool) map[string]*examinerDay {
	out := map[string]*examinerDay{}
	total := map[string]standards.Points{}
	var ids []string
	reviews := 0
	for _, pt := range sh.Items {
		if pt.Resolved != nil {
			reviews++
		}
		sensed := false
		for _, d := range pt.Deductions {
			sensed = sensed || (d.By == "rule" && d.Points > 0)
		}
		for _, m := range pt.Examiners {
			f := out[m.Examiner]
			if f == nil {
				f = &examinerDay{}
				out[m.Examiner] = f
				ids = append(ids, m.Examiner)
			}
			total[m.Examiner] += m.Deduct
			if judged[pt.ID] {
				f.both++
				switch {
				case m.Deduct > 0 && !sensed:
					f.examinerOnly++
				case m.Deduct == 0 && sensed:
					f.sensors++
				}
			}
		}
	}
	// Points still awaiting review are listed apart from the resolved.
	reviews += len(sh.Review)
	for _, a := range ids {
		out[a].reviews = reviews
		for _, b := range ids {
			if a == b {
				continue
			}
			d := int64(total[a] - total[b])
			out[a].pairs++
			out[a].diff += d
			out[a].abs += max(d, -d)
		}
	}
	return out
}

// pointsJudged returns judgedPoints of the standard that scored a held
// result's item, for a backfill, from standard_points, reading the
// standard's text from the result's body (the bundle carries it) the
// first time a backfill sums a result scored by it, parsed with the
// vocabulary the item names (a standard using a published vocabulary's
// event types does not parse with the base one). The ingest needs none
// of it: the re-score parsed the standard already.
func pointsJudged(ctx context.Context, tx *sql.Tx, n int64, it *examsync.ItemResult) (map[string]bool, error) {
	ref := it.Standard
	judged, found, err := knownPoints(ctx, tx, ref.SHA256)
	if err != nil || found {
		return judged, err
	}
	var body []byte
	if err := tx.QueryRowContext(ctx, `SELECT body FROM result_bodies WHERE log_index = ?`, n).Scan(&body); err != nil {
		return nil, fmt.Errorf("result %d: %w", n, translate(err))
	}
	b, err := examsync.DecodeBundle(body)
	if err != nil {
		return nil, fmt.Errorf("result %d: %w", n, err)
	}
	key := fmt.Sprintf("%s@%d", ref.ID, ref.Version)
	std, err := examsync.ItemStandard(&b, it, nil)
	if err != nil {
		return nil, fmt.Errorf("result %d: %w", n, err)
	}
	for _, it := range std.Items {
		marks, rules := len(it.Marks) > 0, len(it.Rules) > 0
		_, err := tx.ExecContext(ctx, `INSERT INTO standard_points (sha256, point, marks, rules) VALUES (?, ?, ?, ?) ON CONFLICT (sha256, point) DO NOTHING`,
			ref.SHA256, it.ID, boolInt(marks), boolInt(rules))
		if err != nil {
			return nil, fmt.Errorf("standard %s: %w", key, err)
		}
	}
	return judgedPoints(std), nil
}

// knownPoints reads a standard's points from standard_points; found is
// false when the standard was never read.
func knownPoints(ctx context.Context, tx *sql.Tx, sha string) (judged map[string]bool, found bool, err error) {
	rows, err := tx.QueryContext(ctx, `SELECT point, marks, rules FROM standard_points WHERE sha256 = ?`, sha)
	if err != nil {
		return nil, false, translate(err)
	}
	defer rows.Close()
	judged = map[string]bool{}
	for rows.Next() {
		var p string
		var m, r int
		if err := rows.Scan(&p, &m, &r); err != nil {
			return nil, false, err
		}
		found = true
		judged[p] = m == 1 && r == 1
	}
	return judged, found, rows.Err()
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
