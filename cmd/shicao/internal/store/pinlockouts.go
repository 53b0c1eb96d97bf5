package store

import (
	"context"
	"database/sql"
	"errors"
	"time"
)

// PINState is an examiner's record of wrong PINs: the wrong PINs since the
// last lockout or right PIN, the lockouts since the last right PIN, and
// the end of the current lockout (zero: none).
type PINState struct {
	Failures    int
	Lockouts    int
	LockedUntil time.Time
}

// UpdatePINState reads an examiner's PIN state (the zero state if none is
// kept), lets f change it, and writes it back, in one transaction: two
// sign-ins at once cannot both count as the same failure. A zero state
// is deleted.
func (s *Store) UpdatePINState(ctx context.Context, examinerID string, f func(*PINState)) (PINState, error) {
	var st PINState
	err := s.tx(ctx, func(tx *sql.Tx) error {
		st = PINState{}
		var until int64
		err := tx.QueryRowContext(ctx, `SELECT failures, lockouts, locked_until_ms FROM pin_lockouts WHERE examiner_id = ?`, examinerID).
			Scan(&st.Failures, &st.Lockouts, &until)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case until != 0:
			st.LockedUntil = time.UnixMilli(until)
		}
		f(&st)
		if st == (PINState{}) {
			_, err = tx.ExecContext(ctx, `DELETE FROM pin_lockouts WHERE examiner_id = ?`, examinerID)
			return err
		}
		until = 0
		if !st.LockedUntil.IsZero() {
			until = st.LockedUntil.UnixMilli()
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO pin_lockouts (examiner_id, failures, lockouts, locked_until_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (examiner_id) DO UPDATE SET failures = excluded.failures, lockouts = excluded.lockouts, locked_until_ms = excluded.locked_until_ms`,
			examinerID, st.Failures, st.Lockouts, until)
		return err
	})
	return st, err
}

// PINStateOf returns an examiner's PIN state (the zero state if none is
// kept).
func (s *Store) PINStateOf(ctx context.Context, examinerID string) (PINState, error) {
	var st PINState
	var until int64
	err := s.db.QueryRowContext(ctx, `SELECT failures, lockouts, locked_until_ms FROM pin_lockouts WHERE examiner_id = ?`, examinerID).
		Scan(&st.Failures, &st.Lockouts, &until)
	if errors.Is(err, sql.ErrNoRows) {
		return PINState{}, nil
	}
	if err != nil {
		return st, translate(err)
	}
	if until != 0 {
		st.LockedUntil = time.UnixMilli(until)
	}
	return st, nil
}
