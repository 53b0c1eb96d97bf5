package store

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"shicao/standards"
)

// ErrDamaged is returned when the station's database fails a check of
// its pages or of its event chains: the station must not run exams on
// it. docs/operations.md says how to restore it.
var ErrDamaged = errors.New("the station's database is damaged")

func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// CheckStart is the check a station runs before an exam: SQLite's
// quick_check (every page readable and well formed, one pass over the
// file) and the tail of every session's event chain — the recorded head
// is the last event, whose stored hash is recomputed from its content
// and follows the event before it. It reads two events per session, so
// it stays cheap however long the logs grow. It returns an error
// wrapping ErrDamaged for damage.
func (s *Store) CheckStart(ctx context.Context) error {
	if err := s.pragmaCheck(ctx, "quick_check"); err != nil {
		return err
	}
	rows, err := s.db.QueryContext(ctx, `SELECT id, head_seq, head_hash, (SELECT coalesce(max(seq), 0) FROM events WHERE session_id = sessions.id) FROM sessions ORDER BY id`)
	if err != nil {
		return checkErr("sessions", err)
	}
	type headRow struct {
		id, seq, last int64
		hash          string
	}
	var heads []headRow
	for rows.Next() {
		var h headRow
		if err := rows.Scan(&h.id, &h.seq, &h.hash, &h.last); err != nil {
			rows.Close()
			return checkErr("sessions", err)
		}
		heads = append(heads, h)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return checkErr("sessions", err)
	}
	for _, h := range heads {
		if h.seq != h.last {
			return damaged("session %d: its recorded head is event %d, its log ends at event %d", h.id, h.seq, h.last)
		}
		if h.seq == 0 {
			continue
		}
		tail, err := s.eventsFrom(ctx, h.id, max(1, h.seq-1))
		if err != nil {
			return fmt.Errorf("session %d: %w", h.id, err)
		}
		last := tail[len(tail)-1]
		var prev standards.Hash
		if len(tail) == 2 {
			prev = tail[0].Hash
		}
		if last.Seq != h.seq || last.PrevHash != prev {
			return damaged("session %d: event %d does not follow event %d", h.id, h.seq, h.seq-1)
		}
		c, err := last.Event.Canonical()
		if err != nil {
			return damaged("session %d: event %d: %v", h.id, h.seq, err)
		}
		if standards.ChainNext(prev, c) != last.Hash || h.hash != last.Hash.String() {
			return damaged("session %d: event %d is not the one its chain recorded", h.id, h.seq)
		}
	}
	return nil
}

// eventsFrom returns a session's events from seq on.
func (s *Store) eventsFrom(ctx context.Context, session, seq int64) ([]Appended, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, t_ms, wall_ms, type, source, data, prev_hash, hash FROM events WHERE session_id = ? AND seq >= ? ORDER BY seq`, session, seq)
	if err != nil {
		return nil, checkErr("events", err)
	}
	defer rows.Close()
	var out []Appended
	for rows.Next() {
		var a Appended
		var data, prev, hash []byte
		if err := rows.Scan(&a.Seq, &a.TMs, &a.WallMs, &a.Type, &a.Source, &data, &prev, &hash); err != nil {
			return nil, checkErr("events", err)
		}
		if len(prev) != len(a.PrevHash) || len(hash) != len(a.Hash) {
			return nil, damaged("event %d: stored hashes of %d and %d bytes", a.Seq, len(prev), len(hash))
		}
		a.Data = data
		copy(a.PrevHash[:], prev)
		copy(a.Hash[:], hash)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, checkErr("events", err)
	}
	if len(out) == 0 {
		return nil, damaged("events from %d are missing", seq)
	}
	return out, nil
}

func (s *Store) pragmaCheck(ctx context.Context, pragma string) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA `+pragma)
	if err != nil {
		return checkErr(pragma, err)
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return checkErr(pragma, err)
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return checkErr(pragma, err)
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil
	}
	// SQLite gives one row per problem, or one row of lines.
	var lines []string
	for _, l := range strings.Split(strings.Join(msgs, "\n"), "\n") {
		if !strings.HasPrefix(l, "*** in database") {
			lines = append(lines, l)
		}
	}
	msgs = lines
	if len(msgs) > 4 {
		msgs = append(msgs[:4], fmt.Sprintf("and %d more", len(msgs)-4))
	}
	return damaged("%s: %s", pragma, strings.Join(msgs, "; "))
}

// checkErr reports a failure of a check's query: damage when the driver
// says the file is damaged, the error otherwise.
func checkErr(what string, err error) error {
	if errors.Is(translate(err), ErrDamaged) {
		return damaged("%s: %v", what, err)
	}
	return fmt.Errorf("%s: %w", what, translate(err))
}
