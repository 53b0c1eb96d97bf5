package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	examsync "shicao/sync"
)

// The lists an operator reads to see what the centre holds before
// changing it (shicao centre site|station|equipment|plan|trust list).

// SiteSummary is a site with how many stations and devices are registered
// to it.
type SiteSummary struct {
	Site
	Stations, Devices int
}

// Sites returns every site, by id.
func (c *Centre) Sites(ctx context.Context) ([]SiteSummary, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT s.id, s.name, s.accepted,
		(SELECT count(*) FROM stations WHERE site = s.id), (SELECT count(*) FROM equipment WHERE site = s.id)
		FROM sites s ORDER BY s.id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []SiteSummary
	for rows.Next() {
		var s SiteSummary
		if err := rows.Scan(&s.ID, &s.Name, &s.Accepted, &s.Stations, &s.Devices); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// Stations returns the stations registered at a site ("" for all), by
// name.
func (c *Centre) Stations(ctx context.Context, site string) ([]Station, error) {
	q, args := `SELECT name, site, vkey, added_ms FROM stations`, []any{}
	if site != "" {
		q, args = q+` WHERE site = ?`, append(args, site)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY name`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Station
	for rows.Next() {
		var s Station
		if err := rows.Scan(&s.Name, &s.Site, &s.Key, &s.AddedMs); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// PlanSummary is an issued plan without its roster: what it is for and
// how many candidates it names.
type PlanSummary struct {
	ID, Date, Site, Station, Category, Blueprint string
	Candidates                                   int
}

// Plans returns the plans issued for an exam date (YYYY-MM-DD; "" for
// every date), by date and id.
func (c *Centre) Plans(ctx context.Context, date string) ([]PlanSummary, error) {
	q, args := `SELECT id, date, site, station, category, blueprint, doc FROM plans`, []any{}
	if date != "" {
		q, args = q+` WHERE date = ?`, append(args, date)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY date, id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []PlanSummary
	for rows.Next() {
		var p PlanSummary
		var doc string
		if err := rows.Scan(&p.ID, &p.Date, &p.Site, &p.Station, &p.Category, &p.Blueprint, &doc); err != nil {
			return nil, err
		}
		// The roster is only in the plan's document, as the station gets it.
		var plan examsync.Plan
		if err := json.Unmarshal([]byte(doc), &plan); err != nil {
			return nil, fmt.Errorf("plan %s: %w", p.ID, err)
		}
		p.Candidates = len(plan.Candidates)
		out = append(out, p)
	}
	return out, rows.Err()
}

// TrustRoot is a province verifier key pinned at the centre.
type TrustRoot struct {
	Name, Key string
	AddedMs   int64
}

// TrustRoots returns the pinned province keys, by name.
func (c *Centre) TrustRoots(ctx context.Context) ([]TrustRoot, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT name, vkey, added_ms FROM trust_roots ORDER BY name, vkey`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []TrustRoot
	for rows.Next() {
		var t TrustRoot
		if err := rows.Scan(&t.Name, &t.Key, &t.AddedMs); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Threshold returns how many distinct pinned keys must sign a standard
// (1 until set, as Publish reads it).
func (c *Centre) Threshold(ctx context.Context) (int, error) {
	v, err := meta(ctx, c.db, "trust_threshold")
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			return 1, nil
		}
		return 0, err
	}
	n, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("trust threshold %q: %w", v, err)
	}
	return n, nil
}

// UnpinProvinceKey retires a province key (after a rotation): standards
// it alone signed are no longer published from then on; those published
// already stay, since each was verified when it was published and every
// result names its standard's SHA-256. The last key, or one the threshold
// still needs, is not removed.
func (c *Centre) UnpinProvinceKey(ctx context.Context, key string) error {
	key = strings.TrimSpace(key)
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM trust_roots WHERE vkey = ?`, key)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("province key %s is not pinned at this centre (see shicao centre trust list)", strings.SplitN(key, "+", 3)[0])
		}
		var left int
		if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM trust_roots`).Scan(&left); err != nil {
			return err
		}
		threshold, err := c.Threshold(ctx)
		if err != nil {
			return err
		}
		switch {
		case left == 0:
			return errors.New("it is the last pinned province key: pin its successor first (shicao centre trust add), then retire it")
		case left < threshold:
			return fmt.Errorf("a standard needs %d province signatures and only %d keys would be left: lower the threshold first (shicao centre trust add --threshold N)", threshold, left)
		}
		return nil
	})
}
