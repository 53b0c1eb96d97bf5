package centre

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	examsync "shicao/sync"
)

// The figures summed at ingest (analytics.go, consistency.go) for the
// results a centre held before the migrations that made their tables:
// each summed once, from the bodies, when the centre is opened.

// backfillFacts sums the results received before migration 0014 into
// the day's figures, once (a meta row says it is done), in one
// transaction: a centre upgraded with 100,000 results reads each body
// once, at that opening.
func (c *Centre) backfillFacts(ctx context.Context) error {
	if err := c.backfillExaminers(ctx); err != nil {
		return err
	}
	if _, err := meta(ctx, c.db, "analytics_rollup"); err == nil {
		return nil // done: no write lock taken at every opening
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := meta(ctx, tx, "analytics_rollup"); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		todo, err := logIndexes(ctx, tx)
		if err != nil {
			return err
		}
		var plans planInstitutions
		for _, n := range todo {
			if err := backfillResult(ctx, tx, &plans, n); err != nil {
				return fmt.Errorf("result %d: %w", n, err)
			}
		}
		return setMeta(ctx, tx, "analytics_rollup", "1")
	})
}

// backfillExaminers sums the results received before migration 0015
// into daily_examiners, once (a meta row says it is done). When the
// analytics were never summed (a centre from before 0014), backfillFacts
// sums everything, examiners included, right after: nothing to do here.
func (c *Centre) backfillExaminers(ctx context.Context) error {
	if _, err := meta(ctx, c.db, "examiner_rollup"); err == nil {
		return nil
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := meta(ctx, tx, "examiner_rollup"); err == nil {
			return nil
		} else if !errors.Is(err, ErrNotFound) {
			return err
		}
		if _, err := meta(ctx, tx, "analytics_rollup"); errors.Is(err, ErrNotFound) {
			return setMeta(ctx, tx, "examiner_rollup", "1")
		} else if err != nil {
			return err
		}
		todo, err := logIndexes(ctx, tx)
		if err != nil {
			return err
		}
		for _, n := range todo {
			doc, err := storedDoc(ctx, tx, n)
			if err != nil {
				return fmt.Errorf("result %d: %w", n, err)
			}
			if err := rollUpExaminers(ctx, tx, n, doc); err != nil {
				return fmt.Errorf("result %d: %w", n, err)
			}
		}
		return setMeta(ctx, tx, "examiner_rollup", "1")
	})
}

// logIndexes returns every held result's log index, in order.
func logIndexes(ctx context.Context, tx *sql.Tx) ([]int64, error) {
	rows, err := tx.QueryContext(ctx, `SELECT log_index FROM results ORDER BY log_index`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []int64
	for rows.Next() {
		var n int64
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, rows.Err()
}

// storedDoc reads the signed result held at log index n from its body.
func storedDoc(ctx context.Context, tx *sql.Tx, n int64) (*examsync.ResultDoc, error) {
	var body []byte
	if err := tx.QueryRowContext(ctx, `SELECT body FROM result_bodies WHERE log_index = ?`, n).Scan(&body); err != nil {
		return nil, translate(err)
	}
	return signedDoc(body)
}
