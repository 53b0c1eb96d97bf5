package centre

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"shicao/cmd/shicao/internal/sqlitedb"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Errors a caller branches on.
var (
	ErrNotFound = errors.New("not found")
	ErrDiskFull = errors.New("the centre's disk is full: free space; nothing already saved is lost")
)

func openDB(ctx context.Context, path string) (*sql.DB, error) {
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
		ON CONFLICT (key) DO UPDATE SET value = CAST(CAST(value AS INTEGER) + 1 AS TEXT)`)
	return err
}
