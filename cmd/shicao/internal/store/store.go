package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"shicao/cmd/shicao/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrNotFound is returned when a row asked for does not exist.
var ErrNotFound = errors.New("not found")

// ErrDiskFull is returned when the disk has no room for a write: nothing
// was written, and the examiner must be told at once.
var ErrDiskFull = errors.New("the disk is full: free space, then continue; nothing already saved is lost")

// ErrReadOnly is returned when the database cannot be written.
var ErrReadOnly = errors.New("the database is read-only: check the data directory's permissions and disk")

// Store is the station's database.
type Store struct {
	db   *sql.DB
	path string
	app  *appender
	now  func() time.Time

	closeOnce sync.Once
}

// Options tune a Store; the zero value is the production setting.
type Options struct {
	// GroupWindow is how long the appender waits for more events before
	// committing a batch; 0 commits whatever has queued while the
	// previous commit ran (group commit with no added latency).
	GroupWindow time.Duration
	// MaxBatch bounds one commit.
	MaxBatch int
	// Now is the wall clock (tests inject one).
	Now func() time.Time
}

// Open opens (creating if needed) the database at path and applies the
// migrations it lacks.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	db, err := sqlitedb.Open(ctx, path, 5000, migrations)
	if err != nil {
		return nil, translate(err)
	}
	s := &Store{db: db, path: path, now: opts.Now}
	if s.now == nil {
		s.now = time.Now
	}
	if opts.MaxBatch <= 0 {
		opts.MaxBatch = 1024
	}
	s.app = newAppender(s, opts.GroupWindow, opts.MaxBatch)
	return s, nil
}

// Close stops the appender (after committing what it holds) and closes the
// database.
func (s *Store) Close() error {
	var err error
	s.closeOnce.Do(func() {
		s.app.stop()
		err = s.db.Close()
	})
	return err
}

// DB returns the underlying handle, for tests and integrity checks.
func (s *Store) DB() *sql.DB { return s.db }

func (s *Store) nowMs() int64 { return s.now().UnixMilli() }

// tx runs f in a transaction (BEGIN IMMEDIATE, from the DSN).
func (s *Store) tx(ctx context.Context, f func(*sql.Tx) error) error {
	return translate(sqlitedb.Tx(ctx, s.db, f))
}

// translate turns driver errors a person must act on into the store's own.
func translate(err error) error {
	if err == nil {
		return nil
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w (%v)", ErrDiskFull, err)
		case sqlite3.SQLITE_READONLY:
			return fmt.Errorf("%w (%v)", ErrReadOnly, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w (%v)", ErrDamaged, err)
		}
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	return err
}

// IntegrityCheck runs SQLite's integrity_check and returns its verdict.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	rows, err := s.db.QueryContext(ctx, `PRAGMA integrity_check`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return err
		}
		msgs = append(msgs, m)
	}
	if len(msgs) != 1 || msgs[0] != "ok" {
		return fmt.Errorf("integrity_check: %s", strings.Join(msgs, "; "))
	}
	return rows.Err()
}

// Meta returns a station setting, or ErrNotFound.
func (s *Store) Meta(ctx context.Context, key string) (string, error) {
	var v string
	err := s.db.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, translate(err)
}

// SetMeta writes a station setting.
func (s *Store) SetMeta(ctx context.Context, key, value string) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return translate(err)
}

// Backup writes a consistent copy of the database to path (VACUUM INTO),
// while the station keeps running: the copy is a transactionally
// consistent snapshot, safe to take mid-exam.
func (s *Store) Backup(ctx context.Context, path string) error {
	if _, err := s.db.ExecContext(ctx, `VACUUM INTO ?`, path); err != nil {
		return fmt.Errorf("backup to %s: %w", path, translate(err))
	}
	return nil
}
