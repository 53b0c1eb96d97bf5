package store

import (
	"context"
	"database/sql"
	"errors"
)

// Drill is a calibration drill installed at the station: the centre's
// signed note and what lists it.
type Drill struct {
	ID, Title, Standard string
	Version             int
	Signed              []byte
	InstalledMs         int64
}

// SaveDrill installs a drill, replacing nothing: the same id again keeps
// the drill held (a drill never changes once published). It reports
// whether the drill is new.
func (s *Store) SaveDrill(ctx context.Context, d Drill) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO drills (id, title, standard, version, signed, installed_ms) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
		d.ID, d.Title, d.Standard, d.Version, d.Signed, s.nowMs())
	if err != nil {
		return false, translate(err)
	}
	n, _ := res.RowsAffected()
	return n > 0, nil
}

// Drills returns the installed drills, oldest first.
func (s *Store) Drills(ctx context.Context) ([]Drill, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, title, standard, version, signed, installed_ms FROM drills ORDER BY installed_ms, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Drill
	for rows.Next() {
		var d Drill
		if err := rows.Scan(&d.ID, &d.Title, &d.Standard, &d.Version, &d.Signed, &d.InstalledMs); err != nil {
			return nil, translate(err)
		}
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// DrillByID returns an installed drill, or ErrNotFound.
func (s *Store) DrillByID(ctx context.Context, id string) (Drill, error) {
	var d Drill
	err := s.db.QueryRowContext(ctx, `SELECT id, title, standard, version, signed, installed_ms FROM drills WHERE id = ?`, id).
		Scan(&d.ID, &d.Title, &d.Standard, &d.Version, &d.Signed, &d.InstalledMs)
	if errors.Is(err, sql.ErrNoRows) {
		return d, ErrNotFound
	}
	return d, translate(err)
}

// Calibration is a calibration record signed at the station.
type Calibration struct {
	ID, Drill, Examiner string
	Signed              []byte
	MadeMs, SentMs      int64
	Answer              []byte // the centre's answer, once sent
	Refused             string // the centre's refusal, parked
}

// SaveCalibration keeps a signed calibration record for the centre.
func (s *Store) SaveCalibration(ctx context.Context, c Calibration) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO calibrations (id, drill, examiner, signed, made_ms) VALUES (?, ?, ?, ?, ?)`,
		c.ID, c.Drill, c.Examiner, c.Signed, s.nowMs())
	return translate(err)
}

// Calibrations returns the calibration records, oldest first; pending
// only: those neither sent nor refused.
func (s *Store) Calibrations(ctx context.Context, pending bool) ([]Calibration, error) {
	q := `SELECT id, drill, examiner, signed, made_ms, sent_ms, coalesce(answer, x''), refused FROM calibrations`
	if pending {
		q += ` WHERE sent_ms = 0 AND refused = ''`
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY made_ms, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Calibration
	for rows.Next() {
		var c Calibration
		if err := rows.Scan(&c.ID, &c.Drill, &c.Examiner, &c.Signed, &c.MadeMs, &c.SentMs, &c.Answer, &c.Refused); err != nil {
			return nil, translate(err)
		}
		out = append(out, c)
	}
	return out, translate(rows.Err())
}

// CalibrationSent records the centre's answer to a record; a refusal
// (refused != "") parks it with the reason.
func (s *Store) CalibrationSent(ctx context.Context, id string, answer []byte, refused string) error {
	sent := int64(0)
	if refused == "" {
		sent = s.nowMs()
	}
	_, err := s.db.ExecContext(ctx, `UPDATE calibrations SET sent_ms = ?, answer = ?, refused = ? WHERE id = ?`, sent, answer, refused, id)
	return translate(err)
}
