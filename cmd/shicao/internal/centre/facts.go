package centre

import (
	"cmp"
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shicao/cmd/shicao/internal/pgdb"
	examsync "shicao/sync"
)

// facts are what one result adds to the day's figures (migration 0014:
// daily_rates, daily_deductions; 0015: daily_examiners): an attempt by
// site, category, the candidate's training institution, each examiner
// and each item, each 评分项 that lost points, and each examiner's
// consistency with their co-examiners and the sensors. They are worked
// out from the verified result before the log's lock is taken, and
// written in the append's own transaction by one statement per table,
// so the sums commit with the result or not at all: no crash can leave
// them disagreeing with the results.
type facts struct {
	institution string // the candidate's, from the plan
	rates       []rateRow
	deductions  []deductionRow
	examiners   []examinerSum
}

// rateRow is one group's attempts on one day.
type rateRow struct {
	dim, date, key, label                string
	attempts, passed, first, firstPassed int64
	resits, resitPassed, scoreSum        int64
}

// deductionRow is how often one 评分项 lost points on one day.
type deductionRow struct {
	date, standard, point, title string
	deducted, deductedSum        int64
}

// factsOf works out the facts of doc, whose candidate the plan gives
// the training institution inst ("" when it gives none; the institution
// grouping then counts the attempt under "", as it always has), and
// whose items' standards judge the points judged gives (examinerSums).
// Rows of
// one group (two items of one standard, an examiner named twice) are
// added together, since one upsert may touch a row once; an examiner
// listed twice counts once.
func factsOf(doc *examsync.ResultDoc, inst string, judged []map[string]bool) facts {
	f := facts{institution: inst, examiners: examinerSums(doc, judged)}
	rates := map[[2]string]int{} // (dim, key) -> index in f.rates
	add := func(dim, key, label string, passed bool, score int64) {
		i, ok := rates[[2]string{dim, key}]
		if !ok {
			i = len(f.rates)
			rates[[2]string{dim, key}] = i
			f.rates = append(f.rates, rateRow{dim: dim, date: doc.Date, key: key, label: label})
		}
		r := &f.rates[i]
		r.attempts++
		r.scoreSum += score
		pass := int64(0)
		if passed {
			pass = 1
		}
		r.passed += pass
		if doc.Candidate.Attempt > 1 {
			r.resits, r.resitPassed = r.resits+1, r.resitPassed+pass
		} else {
			r.first, r.firstPassed = r.first+1, r.firstPassed+pass
		}
	}
	var passed bool
	var total int64
	if doc.Paper != nil {
		passed, total = doc.Paper.Passed, int64(doc.Paper.Total)
	}
	add(BySite, doc.Site, "", passed, total)
	add(ByCategory, doc.Category, doc.Category, passed, total)
	add(ByInstitution, inst, inst, passed, total)
	seen := map[string]bool{}
	for _, x := range doc.Examiners {
		if !seen[x.ID] {
			seen[x.ID] = true
			add(ByExaminer, x.ID, x.Name, passed, total)
		}
	}
	deds := map[[2]string]int{}
	for _, it := range doc.Items {
		sh := it.Sheet
		if sh == nil {
			continue
		}
		std := it.Standard.ID
		add(ByItem, std, sh.Title, sh.Passed, int64(sh.Score))
		for _, pt := range sh.Items {
			if pt.Score >= pt.Points {
				continue
			}
			i, ok := deds[[2]string{std, pt.ID}]
			if !ok {
				i = len(f.deductions)
				deds[[2]string{std, pt.ID}] = i
				f.deductions = append(f.deductions, deductionRow{date: doc.Date, standard: std, point: pt.ID, title: pt.Title})
			}
			f.deductions[i].deducted++
			f.deductions[i].deductedSum += int64(pt.Points - pt.Score)
		}
	}
	// One order for every writer, so that two transactions upserting
	// the same rows (an append and a backfill) take their locks alike.
	slices.SortFunc(f.rates, func(a, b rateRow) int { return cmp.Or(cmp.Compare(a.dim, b.dim), cmp.Compare(a.key, b.key)) })
	slices.SortFunc(f.deductions, func(a, b deductionRow) int {
		return cmp.Or(cmp.Compare(a.standard, b.standard), cmp.Compare(a.point, b.point))
	})
	return f
}

// factsRows is how many rows one upsert statement carries at most
// (11 parameters a row: well under SQLite's and PostgreSQL's limits).
const factsRows = 64

// queue queues on w the adding of f to the day's figures, in one
// statement per table (and per factsRows rows).
func (f facts) queue(w *pgdb.Batch) {
	for rows := range slices.Chunk(f.rates, factsRows) {
		args := make([]any, 0, 11*len(rows))
		for _, r := range rows {
			args = append(args, r.dim, r.date, r.key, r.label, r.attempts, r.passed, r.first, r.firstPassed, r.resits, r.resitPassed, r.scoreSum)
		}
		w.Exec(`INSERT INTO daily_rates (dim, date, key, label, attempts, passed, first, first_passed, resits, resit_passed, score_sum)
		VALUES `+placeholders(len(rows), 11)+`
		ON CONFLICT (dim, date, key) DO UPDATE SET attempts = daily_rates.attempts + excluded.attempts, passed = daily_rates.passed + excluded.passed,
			first = daily_rates.first + excluded.first, first_passed = daily_rates.first_passed + excluded.first_passed,
			resits = daily_rates.resits + excluded.resits, resit_passed = daily_rates.resit_passed + excluded.resit_passed,
			score_sum = daily_rates.score_sum + excluded.score_sum`, args...)
	}
	for rows := range slices.Chunk(f.deductions, factsRows) {
		args := make([]any, 0, 6*len(rows))
		for _, d := range rows {
			args = append(args, d.date, d.standard, d.point, d.title, d.deducted, d.deductedSum)
		}
		w.Exec(`INSERT INTO daily_deductions (date, standard, point, title, deducted, deducted_sum) VALUES `+placeholders(len(rows), 6)+`
			ON CONFLICT (date, standard, point) DO UPDATE SET deducted = daily_deductions.deducted + excluded.deducted, deducted_sum = daily_deductions.deducted_sum + excluded.deducted_sum`, args...)
	}
	queueExaminers(w, f.examiners)
}

// placeholders returns rows groups of cols placeholders, "(?, ?), (?, ?)".
func placeholders(rows, cols int) string {
	row := "(" + strings.Repeat("?, ", cols-1) + "?)"
	return strings.Repeat(row+", ", rows-1) + row
}

// institutionIn is the training institution plan gives the candidate
// idNumber ("" when it gives none).
func institutionIn(plan *examsync.Plan, idNumber string) string {
	for _, cand := range plan.Candidates {
		if cand.IDNumber == idNumber {
			return cand.Institution
		}
	}
	return ""
}

// planInstitutions finds results' candidates' training institutions, as
// the plans the results name give them now, decoding each plan once
// while it is in use: a backfill walks the results in log order, where a
// plan's results come close together, and a plan of many candidates
// decoded for each of its results made the walk quadratic. It keeps at
// most planCache plans, so that a walk over years holds a few days'.
type planInstitutions struct {
	byPlan map[string]map[string]string // plan id -> 身份证号 -> institution
}

const planCache = 64

// of is doc's candidate's institution ("" when the plan gives none, or
// when there is no such plan).
func (p *planInstitutions) of(ctx context.Context, q queryer, doc *examsync.ResultDoc) (string, error) {
	byID, ok := p.byPlan[doc.Plan]
	if !ok {
		var planDoc string
		err := q.QueryRowContext(ctx, `SELECT doc FROM plans WHERE id = ?`, doc.Plan).Scan(&planDoc)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return "", err
		}
		byID = map[string]string{}
		if err == nil {
			var plan examsync.Plan
			if err := json.Unmarshal([]byte(planDoc), &plan); err != nil {
				return "", fmt.Errorf("plan %s: %w", doc.Plan, err)
			}
			for _, cand := range slices.Backward(plan.Candidates) {
				byID[cand.IDNumber] = cand.Institution // the first wins, as in institutionIn
			}
		}
		if p.byPlan == nil || len(p.byPlan) >= planCache {
			p.byPlan = map[string]map[string]string{}
		}
		p.byPlan[doc.Plan] = byID
	}
	return byID[doc.Candidate.IDNumber], nil
}

// backfillResult adds the result at log index n to the day's figures and
// its examiners' consistency, from its body, and records its institution
// on its row.
func backfillResult(ctx context.Context, tx *sql.Tx, plans *planInstitutions, n int64) error {
	doc, err := storedDoc(ctx, tx, n)
	if err != nil {
		return err
	}
	inst, err := plans.of(ctx, tx, doc)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE results SET institution = ? WHERE log_index = ?`, inst, n); err != nil {
		return err
	}
	judged, err := storedJudged(ctx, tx, n, doc)
	if err != nil {
		return err
	}
	var w pgdb.Batch
	factsOf(doc, inst, judged).queue(&w)
	return pgdb.Send(ctx, tx, &w, false)
}
