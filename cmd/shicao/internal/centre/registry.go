package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// Site is an exam site. Accepted marks an accepted exam site (考点); a
// training institution's site is registered with Accepted false, so that
// its equipment is known and refused (考培分离).
type Site struct {
	ID       string
	Name     string
	Accepted bool
}

// AddSite registers a site, or updates its name and flag.
func (c *Centre) AddSite(ctx context.Context, s Site) error {
	if s.ID == "" {
		return errors.New("site: give an id")
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO sites (id, name, accepted, added_ms) VALUES (?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET name = excluded.name, accepted = excluded.accepted`, s.ID, s.Name, s.Accepted, c.nowMs()); err != nil {
			return fmt.Errorf("site %s: %w", s.ID, err)
		}
		return bumpRegistry(ctx, tx)
	})
}

// SiteByID returns a site.
func (c *Centre) SiteByID(ctx context.Context, id string) (Site, error) {
	var s Site
	err := c.db.QueryRowContext(ctx, `SELECT id, name, accepted FROM sites WHERE id = ?`, id).Scan(&s.ID, &s.Name, &s.Accepted)
	if err != nil {
		return s, fmt.Errorf("site %s: %w", id, translate(err))
	}
	return s, nil
}

// AddStation registers a station at an accepted exam site with its
// verifier key. A station at a training institution's site is refused.
func (c *Centre) AddStation(ctx context.Context, name, site, verifierKey string) error {
	verifierKey = strings.TrimSpace(verifierKey)
	if _, err := standards.NewTrust(1, verifierKey); err != nil {
		return fmt.Errorf("station %s: %w", name, err)
	}
	s, err := c.SiteByID(ctx, site)
	if err != nil {
		return fmt.Errorf("station %s: %w (add the site first: shicao centre site add)", name, err)
	}
	if !s.Accepted {
		return fmt.Errorf("station %s: site %s is not an accepted exam site (考培分离: no exam on a training institution's site)", name, site)
	}
	_, err = c.db.ExecContext(ctx, `INSERT INTO stations (name, site, vkey, added_ms) VALUES (?, ?, ?, ?)
		ON CONFLICT (name) DO UPDATE SET site = excluded.site, vkey = excluded.vkey`, name, site, verifierKey, c.nowMs())
	if err != nil {
		return fmt.Errorf("station %s: %w", name, translate(err))
	}
	return nil
}

// StationSite returns the site a station stands at.
func (c *Centre) StationSite(ctx context.Context, name string) (string, error) {
	var site string
	err := c.db.QueryRowContext(ctx, `SELECT site FROM stations WHERE name = ?`, name).Scan(&site)
	if errors.Is(err, sql.ErrNoRows) {
		return "", examsync.ErrUnknownStation
	}
	return site, translate(err)
}

// AddEquipment registers a device to a site (or moves it to another).
func (c *Centre) AddEquipment(ctx context.Context, e examsync.Equipment) error {
	if e.Serial == "" || e.Kind == "" {
		return errors.New("equipment: give a serial number and a kind")
	}
	if _, err := c.SiteByID(ctx, e.Site); err != nil {
		return fmt.Errorf("equipment %s: %w", e.Serial, err)
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO equipment (serial, site, kind, model, added_ms) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (serial) DO UPDATE SET site = excluded.site, kind = excluded.kind, model = excluded.model`, e.Serial, e.Site, e.Kind, e.Model, c.nowMs()); err != nil {
			return fmt.Errorf("equipment %s: %w", e.Serial, err)
		}
		return bumpRegistry(ctx, tx)
	})
}

// RemoveEquipment takes a device off the registry (sold, broken, moved
// to a training institution).
func (c *Centre) RemoveEquipment(ctx context.Context, serial string) error {
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM equipment WHERE serial = ?`, serial)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("equipment %s: %w", serial, ErrNotFound)
		}
		return bumpRegistry(ctx, tx)
	})
}

// ExaminerRow is one examiner and one category, as imported (one row per
// examiner and category): the examiner's 身份证号 and name, the
// operation certificate of that category, and an initial PIN (hashed at
// once; empty keeps the examiner's PIN).
type ExaminerRow struct {
	ID, Name                             string
	Category, Number, ValidFrom, ValidTo string
	PIN                                  string
}

// ImportExaminers adds or updates examiners and their certificates, all
// rows or none. A new examiner needs a PIN. Rows are checked first, and
// every problem is reported with its row number.
func (c *Centre) ImportExaminers(ctx context.Context, rows []ExaminerRow) error {
	var problems []string
	for i, r := range rows {
		id, bad := station.ValidIDNumber(r.ID)
		if bad != nil {
			problems = append(problems, fmt.Sprintf("row %d: 身份证号 %q: %s", i+1, r.ID, bad.EN))
			continue
		}
		rows[i].ID = id
		if r.Name == "" || r.Category == "" {
			problems = append(problems, fmt.Sprintf("row %d: give the name and the category", i+1))
		}
		if r.Number != "" {
			from, err1 := standards.ParseDate(r.ValidFrom)
			to, err2 := standards.ParseDate(r.ValidTo)
			if err1 != nil || err2 != nil || to.Before(from) {
				problems = append(problems, fmt.Sprintf("row %d: certificate %s: validity %q to %q is not two dates YYYY-MM-DD in order", i+1, r.Number, r.ValidFrom, r.ValidTo))
			}
		}
	}
	if len(problems) > 0 {
		return fmt.Errorf("examiners not imported:\n  %s", strings.Join(problems, "\n  "))
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		for i, r := range rows {
			var have string
			err := tx.QueryRowContext(ctx, `SELECT pin_hash FROM examiners WHERE id = ?`, r.ID).Scan(&have)
			switch {
			case errors.Is(err, sql.ErrNoRows) && r.PIN == "":
				return fmt.Errorf("row %d: examiner %s is new: give an initial PIN", i+1, r.ID)
			case err != nil && !errors.Is(err, sql.ErrNoRows):
				return err
			}
			hash := have
			if r.PIN != "" {
				if hash, err = station.HashPIN(r.PIN); err != nil {
					return err
				}
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO examiners (id, name, pin_hash) VALUES (?, ?, ?)
				ON CONFLICT (id) DO UPDATE SET name = excluded.name, pin_hash = excluded.pin_hash`, r.ID, r.Name, hash); err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
			if r.Number == "" {
				// 未持证: the row declares that the examiner holds no
				// certificate of this category (kept, with an empty
				// number, for the notice's table; it entitles no one).
				r.ValidFrom, r.ValidTo = "", ""
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO certificates (examiner_id, category, number, valid_from, valid_to) VALUES (?, ?, ?, ?, ?)
				ON CONFLICT (examiner_id, category) DO UPDATE SET number = excluded.number, valid_from = excluded.valid_from, valid_to = excluded.valid_to`,
				r.ID, r.Category, r.Number, r.ValidFrom, r.ValidTo); err != nil {
				return fmt.Errorf("row %d: %w", i+1, err)
			}
		}
		return bumpRegistry(ctx, tx)
	})
}

// Examiners returns every examiner with their certificates, by id.
func (c *Centre) Examiners(ctx context.Context) ([]examsync.Examiner, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT e.id, e.name, e.pin_hash, coalesce(c.category, ''), coalesce(c.number, ''), coalesce(c.valid_from, ''), coalesce(c.valid_to, '')
		FROM examiners e LEFT JOIN certificates c ON c.examiner_id = e.id ORDER BY e.id, c.category`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []examsync.Examiner
	for rows.Next() {
		var e examsync.Examiner
		var cert examsync.Certificate
		if err := rows.Scan(&e.ID, &e.Name, &e.PinHash, &cert.Category, &cert.Number, &cert.ValidFrom, &cert.ValidTo); err != nil {
			return nil, err
		}
		if len(out) == 0 || out[len(out)-1].ID != e.ID {
			out = append(out, e)
		}
		if cert.Number != "" {
			last := &out[len(out)-1]
			last.Certificates = append(last.Certificates, cert)
		}
	}
	return out, rows.Err()
}

// Equipment returns the devices registered to a site ("" for all).
func (c *Centre) Equipment(ctx context.Context, site string) ([]examsync.Equipment, error) {
	q, args := `SELECT serial, kind, model, site FROM equipment`, []any{}
	if site != "" {
		q, args = q+` WHERE site = ?`, append(args, site)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY site, kind, serial`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []examsync.Equipment
	for rows.Next() {
		var e examsync.Equipment
		if err := rows.Scan(&e.Serial, &e.Kind, &e.Model, &e.Site); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

// RegistryFor returns the registry a station gets, signed by the centre:
// the examiners named on the plans it gets (PlansFor) with their PIN
// hashes and certificates, and the equipment of its own site. A station
// signs in only the examiners of its plan, so the others' PIN hashes
// have no business there.
func (c *Centre) RegistryFor(ctx context.Context, stationName string) ([]byte, error) {
	site, err := c.StationSite(ctx, stationName)
	if err != nil {
		return nil, err
	}
	v, err := meta(ctx, c.db, "registry_version")
	if errors.Is(err, ErrNotFound) {
		v, err = "0", nil
	}
	if err != nil {
		return nil, err
	}
	version, _ := strconv.ParseInt(v, 10, 64)
	r := examsync.Registry{Kind: examsync.KindRegistry, Site: site, Version: version, Examiners: []examsync.Examiner{}, Equipment: []examsync.Equipment{}}
	onPlans, err := c.planExaminers(ctx, stationName)
	if err != nil {
		return nil, err
	}
	all, err := c.Examiners(ctx)
	if err != nil {
		return nil, err
	}
	for _, x := range all {
		if onPlans[x.ID] {
			r.Examiners = append(r.Examiners, x)
		}
	}
	if r.Equipment, err = c.Equipment(ctx, site); err != nil {
		return nil, err
	}
	return examsync.SignWith(r, c.signer)
}

// planExaminers returns the ids of the examiners named on the plans a
// station gets (from yesterday on, as PlansFor).
func (c *Centre) planExaminers(ctx context.Context, stationName string) (map[string]bool, error) {
	from := standards.DateOf(c.now().AddDate(0, 0, -1)).String()
	rows, err := c.db.QueryContext(ctx, `SELECT doc FROM plans WHERE station = ? AND date >= ?`, stationName, from)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		var p examsync.Plan
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			return nil, fmt.Errorf("plan of station %s: %w", stationName, err)
		}
		for _, id := range p.Examiners {
			out[id] = true
		}
	}
	return out, rows.Err()
}
