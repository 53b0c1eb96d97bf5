package store

import (
	"context"
	"database/sql"
	"errors"
)

// SlipState is what the station knows of a result's score slip.
type SlipState struct {
	ResultID       string
	PrintedMs      int64 // 0: queued; -1: saved before slips, printed on request only
	IndexPrintedMs int64 // when the receipt line (log index) was printed, 0 never
	Prints         int   // slips printed in full
	Attempts       int   // prints tried, failed ones included
	LastError      string
}

// Queued reports whether the slip waits for the printer.
func (s SlipState) Queued() bool { return s.PrintedMs == 0 }

// Slip returns a result's slip state (queued when nothing was recorded).
// It returns ErrNotFound when there is no such result.
func (s *Store) Slip(ctx context.Context, resultID string) (SlipState, error) {
	st := SlipState{ResultID: resultID}
	err := s.db.QueryRowContext(ctx, `SELECT coalesce(p.printed_ms, 0), coalesce(p.index_printed_ms, 0), coalesce(p.prints, 0), coalesce(p.attempts, 0), coalesce(p.last_error, '')
		FROM results r LEFT JOIN slips p ON p.result_id = r.id WHERE r.id = ?`, resultID).
		Scan(&st.PrintedMs, &st.IndexPrintedMs, &st.Prints, &st.Attempts, &st.LastError)
	if errors.Is(err, sql.ErrNoRows) {
		return st, ErrNotFound
	}
	return st, translate(err)
}

// QueuedSlips returns the results whose slip waits for the printer,
// oldest first.
func (s *Store) QueuedSlips(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT r.id FROM results r LEFT JOIN slips p ON p.result_id = r.id
		WHERE coalesce(p.printed_ms, 0) = 0 ORDER BY r.created_ms, r.id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// SlipPrinted records a slip printed in full; withIndex says it carried
// the receipt line.
func (s *Store) SlipPrinted(ctx context.Context, resultID string, withIndex bool) error {
	now := s.nowMs()
	idx := int64(0)
	if withIndex {
		idx = now
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO slips (result_id, printed_ms, index_printed_ms, prints, attempts) VALUES (?, ?, ?, 1, 1)
		ON CONFLICT (result_id) DO UPDATE SET printed_ms = excluded.printed_ms, index_printed_ms = max(index_printed_ms, excluded.index_printed_ms),
		prints = prints + 1, attempts = attempts + 1, last_error = ''`, resultID, now, idx)
	return translate(err)
}

// SlipFailed records a print that failed: the slip stays queued (unless
// it was printed in full before: a failed reprint queues nothing).
func (s *Store) SlipFailed(ctx context.Context, resultID, reason string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO slips (result_id, attempts, last_error) VALUES (?, 1, ?)
		ON CONFLICT (result_id) DO UPDATE SET attempts = attempts + 1, last_error = excluded.last_error`, resultID, reason)
	return translate(err)
}

// ResultBody returns the exact bundle bytes of a result, as queued for
// the centre. It returns ErrNotFound for an unknown result.
func (s *Store) ResultBody(ctx context.Context, resultID string) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT body FROM outbox WHERE result_id = ?`, resultID).Scan(&b)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNotFound
	}
	return b, translate(err)
}

// ReceiptLinePrinted records that the receipt line of a result's slip was
// printed.
func (s *Store) ReceiptLinePrinted(ctx context.Context, resultID string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO slips (result_id, index_printed_ms) VALUES (?, ?)
		ON CONFLICT (result_id) DO UPDATE SET index_printed_ms = excluded.index_printed_ms`, resultID, s.nowMs())
	return translate(err)
}
