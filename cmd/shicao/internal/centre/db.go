package centre

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/jackc/pgx/v5/pgconn"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"shicao/cmd/shicao/internal/pgdb"
	"shicao/cmd/shicao/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// pgMigrations are the same schema's migrations for PostgreSQL, one file
// of the same number for each SQLite migration from 0010 on.
//
//go:embed migrations/postgres/*.sql
var pgMigrations embed.FS

// Errors a caller branches on.
var (
	ErrNotFound = errors.New("not found")
	ErrDiskFull = errors.New("the centre's disk is full: free space; nothing already saved is lost")
)

// openDB opens the centre's database: a PostgreSQL one when path is a
// postgres:// URL (pgdb speaks the SQLite dialect the package's queries
// are written in), else the SQLite file at path.
func openDB(ctx context.Context, path string) (*sql.DB, error) {
	if pgdb.IsDSN(path) {
		sub, err := fs.Sub(pgMigrations, "migrations/postgres")
		if err != nil {
			return nil, err
		}
		db, err := pgdb.Open(ctx, path, sub)
		return db, translate(err)
	}
	db, err := sqlitedb.Open(ctx, path, 10000, migrations)
	if err != nil {
		return nil, translate(err)
	}
	return db, nil
}

// inTx runs f in a transaction (BEGIN IMMEDIATE, from the DSN).
func inTx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	return translate(sqlitedb.Tx(ctx, db, f))
}

// translate turns driver errors into the package's own.
func translate(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, sql.ErrNoRows) {
		return ErrNotFound
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "53100": // disk_full
			return fmt.Errorf("%w (%v)", ErrDiskFull, err)
		case pe.Code == "XX001" || pe.Code == "XX002": // data_corrupted, index_corrupted
			return fmt.Errorf("%w (%v)", ErrDamaged, err)
		}
	}
	var se *sqlite.Error
	if errors.As(err, &se) {
		switch se.Code() & 0xff {
		case sqlite3.SQLITE_FULL:
			return fmt.Errorf("%w (%v)", ErrDiskFull, err)
		case sqlite3.SQLITE_CORRUPT, sqlite3.SQLITE_NOTADB:
			return fmt.Errorf("%w (%v)", ErrDamaged, err)
		}
	}
	return err
}

// queryer is what both *sql.DB and *sql.Tx offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

func meta(ctx context.Context, q queryer, key string) (string, error) {
	var v string
	err := q.QueryRowContext(ctx, `SELECT value FROM meta WHERE key = ?`, key).Scan(&v)
	return v, translate(err)
}

func setMeta(ctx context.Context, q queryer, key, value string) error {
	_, err := q.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`, key, value)
	return translate(err)
}

// bumpRegistry raises the registry version inside a change's
// transaction: stations refuse an older registry, so every change must
// produce a higher one.
func bumpRegistry(ctx context.Context, tx *sql.Tx) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO meta (key, value) VALUES ('registry_version', '1')
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(meta.value AS INTEGER) + 1 AS TEXT)`)
	return err
}

// logLock is the PostgreSQL advisory lock that serialises log appends
// across the centre processes sharing one database.
const logLock int64 = 0x73686963616f4c47 // "shicaoLG"

// logTx runs f in a transaction that appends to the Merkle log: one at a
// time. Within a process appendMu orders them; on PostgreSQL, where
// several centre processes may share the database, the transaction
// first takes an advisory lock held to its end, so that the log's size,
// its stored hashes and the duplicate checks read after it are the last
// append's (SQLite's BEGIN IMMEDIATE already takes the one write lock).
func (c *Centre) logTx(ctx context.Context, f func(*sql.Tx) error) error {
	return c.appendTx(ctx, nil, func(tx *sql.Tx, lock *pgdb.Batch) error {
		if err := c.send(ctx, tx, lock); err != nil {
			return err
		}
		return f(tx)
	})
}

var errUnlocked = errors.New("log append: the transaction never took the log's lock")

// appendTx is logTx with a first step, and the lock's statement left to
// f to send with its own first reads (one round trip fewer under the
// lock, which every other upload waits on).
//
// On PostgreSQL, before runs in the same transaction before the log's
// locks are taken, so that the appends of other uploads need not wait
// for it; on SQLite, whose transaction holds the one write lock from
// its BEGIN, it runs first under the locks.
//
// f must send lock (on PostgreSQL it holds the advisory lock's
// statement; on SQLite nothing) before any other statement of its own.
func (c *Centre) appendTx(ctx context.Context, before func(*sql.Tx) error, f func(tx *sql.Tx, lock *pgdb.Batch) error) error {
	if !c.pg {
		c.appendMu.Lock()
		defer c.appendMu.Unlock()
		return inTx(ctx, c.db, func(tx *sql.Tx) error {
			if before != nil {
				if err := before(tx); err != nil {
					return err
				}
			}
			var lock pgdb.Batch
			if err := f(tx, &lock); err != nil {
				return err
			}
			if !lock.Sent() {
				return errUnlocked
			}
			return nil
		})
	}
	tx, err := c.db.BeginTx(ctx, nil)
	if err != nil {
		return translate(err)
	}
	defer tx.Rollback() // after a commit, a no-op
	if before != nil {
		if err := before(tx); err != nil {
			return translate(err)
		}
	}
	// appendMu orders this process's appends, so that one connection
	// per process waits for the advisory lock, not one per upload. It is
	// let go before the commit: the next append's first batch is then
	// on its way while this one commits, and waits at the server for
	// the advisory lock, which the commit hands on (the lock, not
	// appendMu, is what keeps the log one sequence).
	c.appendMu.Lock()
	var lock pgdb.Batch
	lock.Exec(`SELECT pg_advisory_xact_lock(?)`, logLock)
	err = f(tx, &lock)
	c.appendMu.Unlock()
	if err != nil {
		return translate(err)
	}
	if !lock.Sent() {
		return errUnlocked
	}
	return translate(tx.Commit())
}
