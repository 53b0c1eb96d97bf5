package centre

import (
	"context"
	"database/sql"
	"errors"
	"strings"
)

// Errors of acknowledging an alarm.
var (
	ErrAcked  = errors.New("the alarm is acknowledged already")
	ErrNoNote = errors.New("an acknowledgement needs a note saying what was done")
)

// AlarmEntry is an alarm with its acknowledgement, if any.
type AlarmEntry struct {
	ID int64
	Alarm
	AckBy, AckNote string
	AckMs          int64 // 0: not acknowledged
}

// AlarmPage returns up to limit alarms older than before (0: the
// newest), newest first, with their acknowledgements.
func (c *Centre) AlarmPage(ctx context.Context, before int64, limit int) ([]AlarmEntry, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := c.db.QueryContext(ctx, `SELECT a.id, a.at_ms, a.kind, a.station, a.subject, a.detail,
		coalesce(k.staff, ''), coalesce(k.note, ''), coalesce(k.at_ms, 0)
		FROM alarms a LEFT JOIN alarm_acks k ON k.alarm_id = a.id WHERE a.id < ? ORDER BY a.id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []AlarmEntry
	for rows.Next() {
		var a AlarmEntry
		if err := rows.Scan(&a.ID, &a.AtMs, &a.Kind, &a.Station, &a.Subject, &a.Detail, &a.AckBy, &a.AckNote, &a.AckMs); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AckAlarm records that staff acknowledged alarm id with a note. It
// returns ErrNoNote, ErrNotFound or ErrAcked.
func (c *Centre) AckAlarm(ctx context.Context, id int64, staff, note string) error {
	note = strings.TrimSpace(note)
	if note == "" {
		return ErrNoNote
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM alarms WHERE id = ?`, id).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return ErrNotFound
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO alarm_acks (alarm_id, staff, note, at_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, id, staff, note, c.nowMs())
		if err != nil {
			return err
		}
		if k, _ := res.RowsAffected(); k == 0 {
			return ErrAcked
		}
		return nil
	})
}
