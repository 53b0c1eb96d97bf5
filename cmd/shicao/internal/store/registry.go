package store

import (
	"context"
	"database/sql"
	"fmt"
)

// Examiner is a 考评员 with their operation certificates.
type Examiner struct {
	ID           string
	Name         string
	PinHash      string
	Certificates []Certificate
}

// Certificate is one operation certificate (特种作业操作证).
type Certificate struct {
	Category  string
	Number    string
	ValidFrom string // YYYY-MM-DD
	ValidTo   string
}

// Equipment is a device registered to an exam site.
type Equipment struct {
	Serial string
	Kind   string
	Model  string
	Site   string
}

// Registry is what the centre tells a station about people and equipment.
type Registry struct {
	Examiners []Examiner
	Equipment []Equipment
}

// ReplaceRegistry replaces the examiners, certificates and equipment with
// the centre's latest, in one transaction (never half a registry).
func (s *Store) ReplaceRegistry(ctx context.Context, r Registry) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM certificates`, `DELETE FROM examiners`, `DELETE FROM equipment`} {
			if _, err := tx.ExecContext(ctx, q); err != nil {
				return err
			}
		}
		for _, e := range r.Examiners {
			if _, err := tx.ExecContext(ctx, `INSERT INTO examiners (id, name, pin_hash) VALUES (?, ?, ?)`, e.ID, e.Name, e.PinHash); err != nil {
				return fmt.Errorf("examiner %s: %w", e.ID, err)
			}
			for _, c := range e.Certificates {
				if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (examiner_id, category, number, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)`, e.ID, c.Category, c.Number, c.ValidFrom, c.ValidTo); err != nil {
					return fmt.Errorf("examiner %s certificate %s: %w", e.ID, c.Number, err)
				}
			}
		}
		for _, q := range r.Equipment {
			if _, err := tx.ExecContext(ctx, `INSERT INTO equipment (serial, kind, model, site) VALUES (?, ?, ?, ?)`, q.Serial, q.Kind, q.Model, q.Site); err != nil {
				return fmt.Errorf("equipment %s: %w", q.Serial, err)
			}
		}
		return nil
	})
}

// ExaminerByID returns an examiner and their certificates.
func (s *Store) ExaminerByID(ctx context.Context, id string) (Examiner, error) {
	var e Examiner
	if err := s.db.QueryRowContext(ctx, `SELECT id, name, pin_hash FROM examiners WHERE id = ?`, id).Scan(&e.ID, &e.Name, &e.PinHash); err != nil {
		return e, translate(err)
	}
	rows, err := s.db.QueryContext(ctx, `SELECT category, number, valid_from, valid_to FROM certificates WHERE examiner_id = ? ORDER BY category, number`, id)
	if err != nil {
		return e, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var c Certificate
		if err := rows.Scan(&c.Category, &c.Number, &c.ValidFrom, &c.ValidTo); err != nil {
			return e, err
		}
		e.Certificates = append(e.Certificates, c)
	}
	return e, rows.Err()
}

// EquipmentBySerial returns a registered device.
func (s *Store) EquipmentBySerial(ctx context.Context, serial string) (Equipment, error) {
	var q Equipment
	err := s.db.QueryRowContext(ctx, `SELECT serial, kind, model, site FROM equipment WHERE serial = ?`, serial).Scan(&q.Serial, &q.Kind, &q.Model, &q.Site)
	return q, translate(err)
}

// AllEquipment returns the registered equipment.
func (s *Store) AllEquipment(ctx context.Context) ([]Equipment, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT serial, kind, model, site FROM equipment ORDER BY kind, serial`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Equipment
	for rows.Next() {
		var q Equipment
		if err := rows.Scan(&q.Serial, &q.Kind, &q.Model, &q.Site); err != nil {
			return nil, err
		}
		out = append(out, q)
	}
	return out, rows.Err()
}

// Plan is an exam plan (考试计划) with its candidates and examiners.
type Plan struct {
	ID         string
	Date       string
	Site       string
	Category   string
	Blueprint  string
	Candidates []Candidate
	Examiners  []string
	Signed     []byte
}

// Candidate is a candidate on a plan.
type Candidate struct {
	IDNumber string // 身份证号
	Name     string
	Attempt  int // 1 正考, 2 补考
}

// SavePlan stores (or replaces) a plan and its lists in one transaction.
func (s *Store) SavePlan(ctx context.Context, p Plan) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, q := range []string{`DELETE FROM plan_candidates WHERE plan_id = ?`, `DELETE FROM plan_examiners WHERE plan_id = ?`, `DELETE FROM plans WHERE id = ?`} {
			if _, err := tx.ExecContext(ctx, q, p.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO plans (id, date, site, category, blueprint, signed) VALUES (?, ?, ?, ?, ?, ?)`, p.ID, p.Date, p.Site, p.Category, p.Blueprint, p.Signed); err != nil {
			return fmt.Errorf("plan %s: %w", p.ID, err)
		}
		for _, c := range p.Candidates {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_candidates (plan_id, id_number, name, attempt) VALUES (?, ?, ?, ?)`, p.ID, c.IDNumber, c.Name, max(c.Attempt, 1)); err != nil {
				return fmt.Errorf("plan %s candidate %s: %w", p.ID, c.IDNumber, err)
			}
		}
		for _, e := range p.Examiners {
			if _, err := tx.ExecContext(ctx, `INSERT INTO plan_examiners (plan_id, examiner_id) VALUES (?, ?)`, p.ID, e); err != nil {
				return fmt.Errorf("plan %s examiner %s: %w", p.ID, e, err)
			}
		}
		return nil
	})
}

// Plans returns the plans for a date ("" for all), with their lists.
func (s *Store) Plans(ctx context.Context, date string) ([]Plan, error) {
	q := `SELECT id, date, site, category, blueprint, signed FROM plans`
	args := []any{}
	if date != "" {
		q += ` WHERE date = ?`
		args = append(args, date)
	}
	rows, err := s.db.QueryContext(ctx, q+` ORDER BY date, id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	var out []Plan
	for rows.Next() {
		var p Plan
		if err := rows.Scan(&p.ID, &p.Date, &p.Site, &p.Category, &p.Blueprint, &p.Signed); err != nil {
			rows.Close()
			return nil, err
		}
		out = append(out, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := s.planLists(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// PlanByID returns one plan with its lists.
func (s *Store) PlanByID(ctx context.Context, id string) (Plan, error) {
	var p Plan
	err := s.db.QueryRowContext(ctx, `SELECT id, date, site, category, blueprint, signed FROM plans WHERE id = ?`, id).Scan(&p.ID, &p.Date, &p.Site, &p.Category, &p.Blueprint, &p.Signed)
	if err != nil {
		return p, translate(err)
	}
	return p, s.planLists(ctx, &p)
}

func (s *Store) planLists(ctx context.Context, p *Plan) error {
	rows, err := s.db.QueryContext(ctx, `SELECT id_number, name, attempt FROM plan_candidates WHERE plan_id = ? ORDER BY rowid`, p.ID)
	if err != nil {
		return translate(err)
	}
	for rows.Next() {
		var c Candidate
		if err := rows.Scan(&c.IDNumber, &c.Name, &c.Attempt); err != nil {
			rows.Close()
			return err
		}
		p.Candidates = append(p.Candidates, c)
	}
	rows.Close()
	rows, err = s.db.QueryContext(ctx, `SELECT examiner_id FROM plan_examiners WHERE plan_id = ? ORDER BY examiner_id`, p.ID)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e string
		if err := rows.Scan(&e); err != nil {
			return err
		}
		p.Examiners = append(p.Examiners, e)
	}
	return rows.Err()
}
