package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"shicao/standards"
)

// InstalledStandard is one row of the installed standards.
type InstalledStandard struct {
	ID        string
	Version   int
	SHA256    string
	Kind      string // standard | blueprint
	Title     string
	Effective string
	Expires   string // "" for none
	Signers   []string
	Signed    []byte
}

// Seen returns the highest version accepted for id.
func (s *Store) Seen(ctx context.Context, id string) (standards.Seen, bool, error) {
	var seen standards.Seen
	err := s.db.QueryRowContext(ctx, `SELECT version, sha256 FROM standards_seen WHERE id = ?`, id).Scan(&seen.Version, &seen.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		return seen, false, nil
	}
	if err != nil {
		return seen, false, translate(err)
	}
	return seen, true, nil
}

// Install stores an admitted standard or blueprint and raises the highest
// version seen for its id, in one transaction. It re-checks the version
// inside the transaction, so two installs racing cannot roll back. Every
// version stays installed: a version already held is ErrInstalled with
// the same text and ErrEquivocation with another; an older version not
// held is ErrRollback.
func (s *Store) Install(ctx context.Context, c *standards.Candidate, signed []byte) error {
	kind, title, span := "standard", "", c.Span()
	if c.Standard != nil {
		title = c.Standard.Title
	} else {
		kind, title = "blueprint", c.Blueprint.Title
	}
	expires := ""
	if !span.Expires.IsZero() {
		expires = span.Expires.String()
	}
	return s.tx(ctx, func(tx *sql.Tx) error {
		var held string
		err := tx.QueryRowContext(ctx, `SELECT sha256 FROM standards WHERE id = ? AND version = ?`, c.ID, c.Version).Scan(&held)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case held == c.SHA256:
			return fmt.Errorf("install %s version %d: %w", c.ID, c.Version, standards.ErrInstalled)
		default:
			return fmt.Errorf("install %s version %d: %w", c.ID, c.Version, standards.ErrEquivocation)
		}
		var v int
		var sha string
		err = tx.QueryRowContext(ctx, `SELECT version, sha256 FROM standards_seen WHERE id = ?`, c.ID).Scan(&v, &sha)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case c.Version < v:
			return fmt.Errorf("install %s version %d: %w (%d)", c.ID, c.Version, standards.ErrRollback, v)
		case c.Version == v && sha != c.SHA256:
			return fmt.Errorf("install %s version %d: %w", c.ID, c.Version, standards.ErrEquivocation)
		case c.Version == v:
			return fmt.Errorf("install %s version %d: %w", c.ID, c.Version, standards.ErrInstalled)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO standards (id, version, sha256, kind, title, effective, expires, signed, signers, installed_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			c.ID, c.Version, c.SHA256, kind, title, span.Effective.String(), expires, signed, strings.Join(c.Signers, ","), s.nowMs()); err != nil {
			return fmt.Errorf("install %s version %d: %w", c.ID, c.Version, err)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO standards_seen (id, version, sha256) VALUES (?, ?, ?) ON CONFLICT (id) DO UPDATE SET version = excluded.version, sha256 = excluded.sha256`, c.ID, c.Version, c.SHA256)
		return err
	})
}

// Alarm records a refusal that people must look at (equivocation, forgery).
func (s *Store) Alarm(ctx context.Context, kind, subject, detail string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO alarms (at_ms, kind, subject, detail) VALUES (?, ?, ?, ?)`, s.nowMs(), kind, subject, detail)
	return translate(err)
}

// Alarms returns every alarm, oldest first.
func (s *Store) Alarms(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT kind, subject, detail FROM alarms ORDER BY id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k, sub, d string
		if err := rows.Scan(&k, &sub, &d); err != nil {
			return nil, err
		}
		out = append(out, k+" "+sub+": "+d)
	}
	return out, rows.Err()
}

// Standards returns every installed version of every id, by kind, id
// and version.
func (s *Store) Standards(ctx context.Context) ([]InstalledStandard, error) {
	return s.standards(ctx, `SELECT id, version, sha256, kind, title, effective, expires, signers, signed
		FROM standards ORDER BY kind DESC, id, version`)
}

// Versions returns every installed version of id, oldest first.
func (s *Store) Versions(ctx context.Context, id string) ([]InstalledStandard, error) {
	return s.standards(ctx, `SELECT id, version, sha256, kind, title, effective, expires, signers, signed
		FROM standards WHERE id = ? ORDER BY version`, id)
}

func (s *Store) standards(ctx context.Context, query string, args ...any) ([]InstalledStandard, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []InstalledStandard
	for rows.Next() {
		var x InstalledStandard
		var signers string
		if err := rows.Scan(&x.ID, &x.Version, &x.SHA256, &x.Kind, &x.Title, &x.Effective, &x.Expires, &signers, &x.Signed); err != nil {
			return nil, err
		}
		if signers != "" {
			x.Signers = strings.Split(signers, ",")
		}
		out = append(out, x)
	}
	return out, rows.Err()
}

// Span returns the installed version's dates.
func (x InstalledStandard) Span() (standards.Span, error) {
	sp := standards.Span{Version: x.Version}
	var err error
	if sp.Effective, err = standards.ParseDate(x.Effective); err != nil {
		return sp, fmt.Errorf("installed %s version %d: effective: %w", x.ID, x.Version, err)
	}
	if x.Expires != "" {
		if sp.Expires, err = standards.ParseDate(x.Expires); err != nil {
			return sp, fmt.Errorf("installed %s version %d: expires: %w", x.ID, x.Version, err)
		}
	}
	return sp, nil
}

// StandardVersion returns one installed version's signed bytes.
func (s *Store) StandardVersion(ctx context.Context, id string, version int) ([]byte, error) {
	var b []byte
	err := s.db.QueryRowContext(ctx, `SELECT signed FROM standards WHERE id = ? AND version = ?`, id, version).Scan(&b)
	return b, translate(err)
}

// TrustRoots returns the pinned verifier keys.
func (s *Store) TrustRoots(ctx context.Context) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT vkey FROM trust_roots ORDER BY name`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// AddTrustRoot pins a verifier key.
func (s *Store) AddTrustRoot(ctx context.Context, name, vkey string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO trust_roots (name, vkey, added_ms) VALUES (?, ?, ?) ON CONFLICT (vkey) DO NOTHING`, name, vkey, s.nowMs())
	return translate(err)
}
