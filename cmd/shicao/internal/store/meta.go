package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// The station's settings in the meta table. The keys are the ones
// databases have held since the first release; the typed accessors below
// are the only code that names them.
const (
	metaName             = "name"
	metaSite             = "site"
	metaVerifier         = "verifier"
	metaCentreURL        = "centre_url"
	metaCentreCA         = "centre_ca"
	metaCentreCheckpoint = "centre_checkpoint"
	metaStandardsCursor  = "standards_cursor"
	metaCentreKey        = "centre_key"
	metaRegistryVersion  = "registry_version"
	metaTrustThreshold   = "trust_threshold"
)

// CentreLink is what the station remembers of its centre between sync
// rounds: where it is and how to reach it (URL, and the CA file its TLS
// is verified with, "" for the system's), the newest signed checkpoint of
// the centre's log it verified (Checkpoint, nil for none; a later log
// must extend it), and where the last pull of standards stopped (Cursor).
type CentreLink struct {
	URL        string
	CA         string
	Checkpoint []byte
	Cursor     int64
}

// CentreLink returns what the station remembers of its centre; a station
// that never synced gets the zero CentreLink.
func (s *Store) CentreLink(ctx context.Context) (CentreLink, error) {
	var l CentreLink
	rows, err := s.db.QueryContext(ctx, `SELECT key, value FROM meta WHERE key IN (?, ?, ?, ?)`,
		metaCentreURL, metaCentreCA, metaCentreCheckpoint, metaStandardsCursor)
	if err != nil {
		return l, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return l, translate(err)
		}
		switch k {
		case metaCentreURL:
			l.URL = v
		case metaCentreCA:
			l.CA = v
		case metaCentreCheckpoint:
			if v != "" {
				l.Checkpoint = []byte(v)
			}
		case metaStandardsCursor:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return l, fmt.Errorf("the standards cursor %q: %w", v, err)
			}
			l.Cursor = n
		}
	}
	return l, translate(rows.Err())
}

// SetCentreLink writes what the station remembers of its centre, all of
// it in one transaction.
func (s *Store) SetCentreLink(ctx context.Context, l CentreLink) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, kv := range [][2]string{
			{metaCentreURL, l.URL},
			{metaCentreCA, l.CA},
			{metaCentreCheckpoint, string(l.Checkpoint)},
			{metaStandardsCursor, strconv.FormatInt(l.Cursor, 10)},
		} {
			if _, err := tx.ExecContext(ctx, upsertMeta, kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
}

const upsertMeta = `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`

// CentreKey returns the exam centre's pinned verifier key, or
// ErrNotFound when none is pinned.
func (s *Store) CentreKey(ctx context.Context) (string, error) {
	return s.Meta(ctx, metaCentreKey)
}

// SetCentreKey pins the exam centre's verifier key.
func (s *Store) SetCentreKey(ctx context.Context, key string) error {
	return s.SetMeta(ctx, metaCentreKey, key)
}

// RegistryVersion returns the version of the registry the station holds,
// 0 for none.
func (s *Store) RegistryVersion(ctx context.Context) (int64, error) {
	v, err := s.Meta(ctx, metaRegistryVersion)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("the registry version %q: %w", v, err)
	}
	return n, nil
}

// SetRegistryVersion records the version of the registry installed.
func (s *Store) SetRegistryVersion(ctx context.Context, v int64) error {
	return s.SetMeta(ctx, metaRegistryVersion, strconv.FormatInt(v, 10))
}

// TrustThreshold returns how many distinct trusted keys must sign a
// standard; 0 when none was set (the caller's default applies).
func (s *Store) TrustThreshold(ctx context.Context) (int, error) {
	v, err := s.Meta(ctx, metaTrustThreshold)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return 0, fmt.Errorf("the trust threshold %q: %w", v, err)
	}
	return n, nil
}

// SetTrustThreshold records how many distinct trusted keys must sign a
// standard.
func (s *Store) SetTrustThreshold(ctx context.Context, n int) error {
	return s.SetMeta(ctx, metaTrustThreshold, strconv.Itoa(n))
}

// Identity is who the station is: its name as the centre registered it,
// the exam site it stands at, and its verifier key (station.pub).
type Identity struct {
	Name, Site, Verifier string
}

// Identity returns the station's identity; ErrNotFound when the name or
// the site is missing (a database station init did not finish).
func (s *Store) Identity(ctx context.Context) (Identity, error) {
	var id Identity
	var err error
	for _, f := range []struct {
		key string
		v   *string
	}{{metaName, &id.Name}, {metaSite, &id.Site}, {metaVerifier, &id.Verifier}} {
		v, e := s.Meta(ctx, f.key)
		if e != nil && (f.key != metaVerifier || !errors.Is(e, ErrNotFound)) {
			err = e
		}
		*f.v = v
	}
	return id, err
}

// SetIdentity writes the station's identity, in one transaction.
func (s *Store) SetIdentity(ctx context.Context, id Identity) error {
	return s.tx(ctx, func(tx *sql.Tx) error {
		for _, kv := range [][2]string{{metaName, id.Name}, {metaSite, id.Site}, {metaVerifier, id.Verifier}} {
			if _, err := tx.ExecContext(ctx, upsertMeta, kv[0], kv[1]); err != nil {
				return err
			}
		}
		return nil
	})
}
