package store

import (
	"context"
	"database/sql"
	"fmt"

	"shicao/standards"
)

// Session states.
const (
	SessionRunning  = "running"
	SessionFinished = "finished"
	SessionVoided   = "voided"
)

// Session is one exam item run for one candidate.
type Session struct {
	ID        int64
	AttemptID string
	PlanID    string
	Candidate string
	Subject   string
	Standard  string
	Version   int
	SHA256    string
	State     string
	CreatedMs int64
	HeadSeq   int64
	HeadHash  string
	Note      string
}

// CreateSession starts a session record; its events follow by Append.
func (s *Store) CreateSession(ctx context.Context, in Session) (int64, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO sessions (attempt_id, plan_id, candidate, subject, standard, version, sha256, state, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		in.AttemptID, in.PlanID, in.Candidate, in.Subject, in.Standard, in.Version, in.SHA256, SessionRunning, s.nowMs())
	if err != nil {
		return 0, translate(err)
	}
	return res.LastInsertId()
}

// StartSession creates a session record and the first events of its log
// (the item's session.start, its draw, its devices) in one transaction. A
// session that exists therefore has a log that begins properly: a crash
// in between would otherwise leave a running item with no start (neither
// scorable nor resumable) or with its draw's seed lost. The rest of the
// log follows by Enqueue.
func (s *Store) StartSession(ctx context.Context, in Session, first []NewEvent) (int64, []Appended, error) {
	if len(first) == 0 {
		return 0, nil, fmt.Errorf("start session: no first event")
	}
	var id int64
	var out []Appended
	err := s.tx(ctx, func(tx *sql.Tx) error {
		out = out[:0]
		res, err := tx.ExecContext(ctx, `INSERT INTO sessions (attempt_id, plan_id, candidate, subject, standard, version, sha256, state, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			in.AttemptID, in.PlanID, in.Candidate, in.Subject, in.Standard, in.Version, in.SHA256, SessionRunning, s.nowMs())
		if err != nil {
			return err
		}
		if id, err = res.LastInsertId(); err != nil {
			return err
		}
		var prev standards.Hash
		var lastT int64
		for i, e := range first {
			if e.WallMs == 0 {
				e.WallMs = s.nowMs()
			}
			if e.TMs < lastT {
				return fmt.Errorf("event %d: t_ms %d is before the log's last %d", i+1, e.TMs, lastT)
			}
			ev := standards.Event{Seq: int64(i + 1), TMs: e.TMs, Type: e.Type, Source: e.Source, Data: e.Data}
			hash := standards.ChainNext(prev, ev.CanonicalTrusted())
			var data any
			if ev.Data != nil {
				data = []byte(ev.Data)
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO events (session_id, seq, t_ms, wall_ms, type, source, data, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				id, ev.Seq, ev.TMs, e.WallMs, ev.Type, ev.Source, data, prev[:], hash[:]); err != nil {
				return err
			}
			out = append(out, Appended{Event: ev, WallMs: e.WallMs, PrevHash: prev, Hash: hash})
			prev, lastT = hash, ev.TMs
		}
		_, err = tx.ExecContext(ctx, `UPDATE sessions SET head_seq = ?, head_hash = ? WHERE id = ?`, len(first), prev.String(), id)
		return err
	})
	if err != nil {
		return 0, nil, fmt.Errorf("start session: %w", translate(err))
	}
	return id, out, nil
}

// SetSessionState finishes or voids a session (with a note: why voided).
func (s *Store) SetSessionState(ctx context.Context, id int64, state, note string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE sessions SET state = ?, note = ? WHERE id = ?`, state, note, id)
	if err != nil {
		return translate(err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

const sessionCols = `id, attempt_id, plan_id, candidate, subject, standard, version, sha256, state, created_ms, head_seq, head_hash, note`

func scanSession(row interface{ Scan(...any) error }) (Session, error) {
	var x Session
	err := row.Scan(&x.ID, &x.AttemptID, &x.PlanID, &x.Candidate, &x.Subject, &x.Standard, &x.Version, &x.SHA256, &x.State, &x.CreatedMs, &x.HeadSeq, &x.HeadHash, &x.Note)
	return x, translate(err)
}

// SessionByID returns one session.
func (s *Store) SessionByID(ctx context.Context, id int64) (Session, error) {
	return scanSession(s.db.QueryRowContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE id = ?`, id))
}

// Sessions returns sessions in a state ("" for all), oldest first.
func (s *Store) Sessions(ctx context.Context, state string) ([]Session, error) {
	var rows *sql.Rows
	var err error
	if state == "" {
		rows, err = s.db.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions ORDER BY id`)
	} else {
		rows, err = s.db.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions WHERE state = ? ORDER BY id`, state)
	}
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Session
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, x)
	}
	return out, rows.Err()
}
