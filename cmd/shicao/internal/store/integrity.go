package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/sqlitedb"
	"shicao/standards"
)

// ErrDamaged is returned when the station's database fails a check of
// its pages or of its event chains: the station must not run exams on
// it. docs/operations.md says how to restore it.
var ErrDamaged = errors.New("the station's database is damaged")

// DamagedError is damage a check found in the station's database, and
// what it found; it is ErrDamaged (errors.Is).
type DamagedError struct {
	What string // "session 2: its recorded head is event 4, its log ends at event 5"
}

func (e *DamagedError) Error() string { return ErrDamaged.Error() + ": " + e.What }

// Is reports ErrDamaged.
func (e *DamagedError) Is(target error) bool { return target == ErrDamaged }

func damaged(format string, args ...any) error {
	return &DamagedError{What: fmt.Sprintf(format, args...)}
}

// CheckStart is the check a station runs before an exam: SQLite's
// quick_check (every page readable and well formed, one pass over the
// file) and the tail of every session's event chain — the recorded head
// is the last event, whose stored hash is recomputed from its content
// and follows the event before it. It reads two events per session,
// however long the logs grow. It returns an error
// wrapping ErrDamaged for damage.
func (s *Store) CheckStart(ctx context.Context) error {
	if err := s.pragmaCheck(ctx, "quick_check"); err != nil {
		return err
	}
	// One pass over the sessions, each with its head event and the
	// event before it (primary-key lookups).
	rows, err := s.db.QueryContext(ctx, `SELECT s.id, s.head_seq, s.head_hash,
			(SELECT coalesce(max(seq), 0) FROM events WHERE session_id = s.id),
			e.t_ms, e.type, e.source, e.data, e.prev_hash, e.hash, p.hash
		FROM sessions s
		LEFT JOIN events e ON e.session_id = s.id AND e.seq = s.head_seq
		LEFT JOIN events p ON p.session_id = s.id AND p.seq = s.head_seq - 1
		ORDER BY s.id`)
	if err != nil {
		return checkErr("sessions", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id, seq, last int64
		var head string
		var tMs sql.NullInt64
		var typ, source sql.NullString
		var data, prevHash, hash, before []byte
		if err := rows.Scan(&id, &seq, &head, &last, &tMs, &typ, &source, &data, &prevHash, &hash, &before); err != nil {
			return checkErr("sessions", err)
		}
		if seq != last {
			return damaged("session %d: its recorded head is event %d, its log ends at event %d", id, seq, last)
		}
		if seq == 0 {
			continue
		}
		var prev standards.Hash // the zero hash before event 1
		if seq > 1 && len(before) != len(prev) {
			return damaged("session %d: event %d is missing or its hash is not %d bytes", id, seq-1, len(prev))
		}
		copy(prev[:], before)
		if !tMs.Valid || len(prevHash) != len(prev) || len(hash) != len(prev) {
			return damaged("session %d: event %d is missing or its hashes are not %d bytes", id, seq, len(prev))
		}
		if standards.Hash(prevHash) != prev {
			return damaged("session %d: event %d does not follow event %d", id, seq, seq-1)
		}
		ev := standards.Event{Seq: seq, TMs: tMs.Int64, Type: typ.String, Source: source.String, Data: data}
		c, err := ev.Canonical()
		if err != nil {
			return damaged("session %d: event %d: %v", id, seq, err)
		}
		if got := standards.ChainNext(prev, c); got != standards.Hash(hash) || head != got.String() {
			return damaged("session %d: event %d is not the one its chain recorded", id, seq)
		}
	}
	if err := rows.Err(); err != nil {
		return checkErr("sessions", err)
	}
	return nil
}

func (s *Store) pragmaCheck(ctx context.Context, pragma string) error {
	problems, err := sqlitedb.Check(ctx, s.db, pragma)
	switch {
	case err != nil:
		return checkErr(pragma, err)
	case problems != nil:
		return damaged("%s: %s", pragma, strings.Join(problems, "; "))
	}
	return nil
}

// checkErr reports a failure of a check's query: damage when the driver
// says the file is damaged, the error otherwise.
func checkErr(what string, err error) error {
	if errors.Is(translate(err), ErrDamaged) {
		return damaged("%s: %v", what, err)
	}
	return fmt.Errorf("%s: %w", what, translate(err))
}
