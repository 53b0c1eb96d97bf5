package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// Result is a signed paper result as the station keeps it.
type Result struct {
	ID        string
	AttemptID string
	Candidate string
	PlanID    string
	Total     string
	Passed    bool
	Signed    []byte
	CreatedMs int64
}

// Outbox states.
const (
	OutboxQueued = "queued" // waiting to be sent, or to be retried
	OutboxSent   = "sent"   // the centre's receipt verified
	OutboxParked = "parked" // refused by the centre for good; a person must look
)

// OutboxRow is a result waiting for (or done with) the centre.
type OutboxRow struct {
	ResultID  string
	State     string
	Attempts  int
	NextMs    int64
	LastError string
}

// SaveResult writes the signed result and its outbox row in one
// transaction: a result is never kept without being queued for the centre,
// nor queued without being kept.
func (s *Store) SaveResult(ctx context.Context, r Result, body []byte) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO results (id, attempt_id, candidate, plan_id, total, passed, signed, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.AttemptID, r.Candidate, r.PlanID, r.Total, r.Passed, r.Signed, s.nowMs()); err != nil {
			return fmt.Errorf("save result %s: %w", r.ID, err)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO outbox (result_id, body, state) VALUES (?, ?, ?)`, r.ID, body, OutboxQueued); err != nil {
			return fmt.Errorf("queue result %s: %w", r.ID, err)
		}
		return nil
	})
}

// Results returns every result, newest first.
func (s *Store) Results(ctx context.Context) ([]Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, attempt_id, candidate, plan_id, total, passed, signed, created_ms FROM results ORDER BY created_ms DESC, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		if err := rows.Scan(&r.ID, &r.AttemptID, &r.Candidate, &r.PlanID, &r.Total, &r.Passed, &r.Signed, &r.CreatedMs); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResultsFor returns a candidate's results on a plan (the 身份证号's
// check character X compared in either case).
func (s *Store) ResultsFor(ctx context.Context, planID, candidate string) ([]Result, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, attempt_id, candidate, plan_id, total, passed, signed, created_ms FROM results WHERE plan_id = ? AND upper(candidate) = upper(?) ORDER BY created_ms, id`, planID, candidate)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Result
	for rows.Next() {
		var r Result
		if err := rows.Scan(&r.ID, &r.AttemptID, &r.Candidate, &r.PlanID, &r.Total, &r.Passed, &r.Signed, &r.CreatedMs); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResultByID returns one result.
func (s *Store) ResultByID(ctx context.Context, id string) (Result, error) {
	var r Result
	err := s.db.QueryRowContext(ctx, `SELECT id, attempt_id, candidate, plan_id, total, passed, signed, created_ms FROM results WHERE id = ?`, id).
		Scan(&r.ID, &r.AttemptID, &r.Candidate, &r.PlanID, &r.Total, &r.Passed, &r.Signed, &r.CreatedMs)
	return r, translate(err)
}

// Outbox returns the outbox rows in a state ("" for all), without their
// bodies (OutboxBody reads one): a list of a thousand results must not
// hold a thousand bodies.
func (s *Store) Outbox(ctx context.Context, state string) ([]OutboxRow, error) {
	q := `SELECT result_id, state, attempts, next_ms, last_error FROM outbox`
	args := []any{}
	if state != "" {
		q += ` WHERE state = ?`
		args = append(args, state)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY result_id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []OutboxRow
	for rows.Next() {
		var o OutboxRow
		if err := rows.Scan(&o.ResultID, &o.State, &o.Attempts, &o.NextMs, &o.LastError); err != nil {
			return nil, err
		}
		out = append(out, o)
	}
	return out, rows.Err()
}

// Due returns queued rows whose retry time has come.
func (s *Store) Due(ctx context.Context, nowMs int64) ([]OutboxRow, error) {
	rows, err := s.Outbox(ctx, OutboxQueued)
	if err != nil {
		return nil, err
	}
	out := rows[:0]
	for _, r := range rows {
		if r.NextMs <= nowMs {
			out = append(out, r)
		}
	}
	return out, nil
}

// MarkSent records a verified receipt and takes the row off the queue, in
// one transaction.
func (s *Store) MarkSent(ctx context.Context, resultID string, receipt []byte, index int64) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, last_error = '' WHERE result_id = ?`, OutboxSent, resultID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrNotFound
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO receipts (result_id, receipt, log_index, verified_ms) VALUES (?, ?, ?, ?) ON CONFLICT (result_id) DO UPDATE SET receipt = excluded.receipt, log_index = excluded.log_index, verified_ms = excluded.verified_ms`,
			resultID, receipt, index, s.nowMs())
		return err
	})
}

// ResendAll puts every result the centre acknowledged back on the queue,
// after a person established that the centre lost results (it was
// restored from a backup). The receipts it gave are kept apart as
// evidence; the centre answers what it still holds with the same receipt
// and logs what it lost anew. It returns how many results will be sent.
func (s *Store) ResendAll(ctx context.Context) (int, error) {
	var n int64
	err := s.tx(ctx, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO receipts_superseded (result_id, receipt, log_index, verified_ms, superseded_ms)
			SELECT r.result_id, r.receipt, r.log_index, r.verified_ms, ? FROM receipts r JOIN outbox o ON o.result_id = r.result_id WHERE o.state = ?`, s.nowMs(), OutboxSent); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE outbox SET state = ?, next_ms = 0, last_error = '' WHERE state = ?`, OutboxQueued, OutboxSent)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	return int(n), translate(err)
}

// Retry records a transient failure and when to try again.
func (s *Store) Retry(ctx context.Context, resultID string, nextMs int64, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET attempts = attempts + 1, next_ms = ?, last_error = ? WHERE result_id = ? AND state = ?`, nextMs, reason, resultID, OutboxQueued)
	return translate(err)
}

// Park takes a permanently refused row off the queue, keeping it and the
// centre's reason for a person to see.
func (s *Store) Park(ctx context.Context, resultID, reason string) error {
	_, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ?, attempts = attempts + 1, last_error = ? WHERE result_id = ?`, OutboxParked, reason, resultID)
	return translate(err)
}

// Requeue puts a parked row back on the queue (after a person fixed the cause).
func (s *Store) Requeue(ctx context.Context, resultID string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE outbox SET state = ?, next_ms = 0 WHERE result_id = ? AND state = ?`, OutboxQueued, resultID, OutboxParked)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("requeue %s: %w", resultID, ErrNotFound)
	}
	return nil
}

// Receipt returns a result's stored receipt.
func (s *Store) Receipt(ctx context.Context, resultID string) ([]byte, int64, error) {
	var b []byte
	var idx int64
	err := s.db.QueryRowContext(ctx, `SELECT receipt, log_index FROM receipts WHERE result_id = ?`, resultID).Scan(&b, &idx)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, 0, ErrNotFound
	}
	return b, idx, translate(err)
}

// OutboxBody returns the exact bytes queued for a result, or ErrNotFound.
func (s *Store) OutboxBody(ctx context.Context, resultID string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT body FROM outbox WHERE result_id = ?`, resultID).Scan(&b)
	return b, translate(err)
}
