// Package migrate applies numbered SQL migrations to a database, the one
// runner both engines use (sqlitedb and pgdb): each migration in its own
// transaction, recorded in schema_migrations, applied once.
package migrate

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strconv"
	"strings"
)

// Apply applies, in order, every migration in fsys matching pattern
// (files named NNNN_what.sql) not yet recorded in schema_migrations,
// which must exist. before, when not nil, runs first in each migration's
// transaction (PostgreSQL takes its advisory lock there, so that several
// processes starting at once apply each migration once).
func Apply(ctx context.Context, db *sql.DB, fsys fs.FS, pattern string, before func(*sql.Tx) error) error {
	names, err := fs.Glob(fsys, pattern)
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		base := path.Base(name)
		v, err := strconv.Atoi(strings.SplitN(base, "_", 2)[0])
		if err != nil {
			return fmt.Errorf("migration %s: name must start with its number", base)
		}
		body, err := fs.ReadFile(fsys, name)
		if err != nil {
			return err
		}
		err = Tx(ctx, db, func(tx *sql.Tx) error {
			if before != nil {
				if err := before(tx); err != nil {
					return err
				}
			}
			var n int
			if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM schema_migrations WHERE version = ?`, v).Scan(&n); err != nil || n > 0 {
				return err
			}
			if _, err := tx.ExecContext(ctx, string(body)); err != nil {
				return fmt.Errorf("migration %s: %w", base, err)
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version) VALUES (?)`, v)
			return err
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Tx runs f in a transaction, committing when f returns nil and rolling
// back otherwise. Errors are the driver's.
func Tx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	if err := f(tx); err != nil {
		tx.Rollback()
		return err
	}
	return tx.Commit()
}
