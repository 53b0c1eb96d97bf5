package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"shicao/standards"
	examsync "shicao/sync"
)

// The certificate warnings of 持证上岗 (issue #19, oversight): the
// certificates ending soon, and examiners still on a coming plan whose
// certificate has ended.

// CertWarning is a certificate to act on: one ending soon, or one that
// has ended (or is missing) for an examiner still on a plan after today.
type CertWarning struct {
	Examiner, Name, Category string
	Number, ValidTo          string // empty when the examiner holds no certificate for the category
	Days                     int    // days from today to the last valid day (negative: ended)
	Plans                    []string
}

// ExpiringCertificates returns the certificates whose last valid day is
// from today to within days ahead, the soonest first.
func (c *Centre) ExpiringCertificates(ctx context.Context, within int) ([]CertWarning, error) {
	today := c.today()
	end := dateAdd(today, within)
	rows, err := c.db.QueryContext(ctx, `SELECT c.examiner_id, e.name, c.category, c.number, c.valid_to FROM certificates c JOIN examiners e ON e.id = c.examiner_id
		WHERE c.valid_to >= ? AND c.valid_to <= ? ORDER BY c.valid_to, c.examiner_id, c.category`, today.String(), end.String())
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []CertWarning
	for rows.Next() {
		var w CertWarning
		if err := rows.Scan(&w.Examiner, &w.Name, &w.Category, &w.Number, &w.ValidTo); err != nil {
			return nil, err
		}
		w.Days = daysBetween(today, w.ValidTo)
		out = append(out, w)
	}
	return out, rows.Err()
}

// ExpiredAssigned returns the examiners on a plan of today or later whose
// certificate for the plan's category has ended before today (or who
// hold none), with those plans.
func (c *Centre) ExpiredAssigned(ctx context.Context) ([]CertWarning, error) {
	today := c.today()
	rows, err := c.db.QueryContext(ctx, `SELECT id, doc FROM plans WHERE date >= ? ORDER BY date, id`, today.String())
	if err != nil {
		return nil, translate(err)
	}
	type key struct{ examiner, category string }
	var order []key
	byKey := map[key]*CertWarning{}
	for rows.Next() {
		var id, doc string
		if err := rows.Scan(&id, &doc); err != nil {
			rows.Close()
			return nil, err
		}
		var p examsync.Plan
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			rows.Close()
			return nil, fmt.Errorf("plan %s: %w", id, err)
		}
		for _, x := range p.Examiners {
			k := key{x, p.Category}
			if w := byKey[k]; w != nil {
				w.Plans = append(w.Plans, p.Date+" "+id)
				continue
			}
			byKey[k] = &CertWarning{Examiner: x, Category: p.Category, Plans: []string{p.Date + " " + id}}
			order = append(order, k)
		}
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	var out []CertWarning
	for _, k := range order {
		w := byKey[k]
		err := c.db.QueryRowContext(ctx, `SELECT e.name, coalesce(c.number, ''), coalesce(c.valid_to, '') FROM examiners e
			LEFT JOIN certificates c ON c.examiner_id = e.id AND c.category = ? WHERE e.id = ?`, k.category, k.examiner).Scan(&w.Name, &w.Number, &w.ValidTo)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return nil, translate(err)
		}
		if w.ValidTo != "" && w.ValidTo >= today.String() {
			continue
		}
		if w.ValidTo != "" {
			w.Days = daysBetween(today, w.ValidTo)
		}
		out = append(out, *w)
	}
	return out, nil
}

func dateAdd(d standards.Date, days int) standards.Date {
	return standards.DateOf(time.Date(d.Y, time.Month(d.M), d.D, 0, 0, 0, 0, time.UTC).AddDate(0, 0, days))
}

// daysBetween is the days from d to the date s (YYYY-MM-DD); 0 when s
// is no date.
func daysBetween(d standards.Date, s string) int {
	e, err := standards.ParseDate(s)
	if err != nil {
		return 0
	}
	a := time.Date(d.Y, time.Month(d.M), d.D, 0, 0, 0, 0, time.UTC)
	b := time.Date(e.Y, time.Month(e.M), e.D, 0, 0, 0, 0, time.UTC)
	return int(b.Sub(a).Hours() / 24)
}

// Today is the exam sites' date now, in the centre's time zone.
func (c *Centre) Today() standards.Date { return c.today() }
