// Package sqlitedb opens the SQLite databases of the station and the centre
// (modernc.org/sqlite) the one way shicao does it: pragmas in the DSN so
// every pooled connection has them — WAL, synchronous FULL, a busy
// timeout, foreign keys, and BEGIN IMMEDIATE so writers never deadlock on
// a lock upgrade — and numbered migrations applied once each, each in its
// own transaction.
package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"
	"net/url"
	"strconv"
	"strings"

	_ "modernc.org/sqlite" // the "sqlite" driver

	"shicao/cmd/shicao/internal/migrate"
)

// DSN returns the connection string for path.
func DSN(path string, busyTimeoutMs int) string {
	q := url.Values{}
	for _, p := range []string{"busy_timeout(" + strconv.Itoa(busyTimeoutMs) + ")", "journal_mode(WAL)", "synchronous(FULL)", "foreign_keys(1)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Open opens the database at path and applies the migrations it lacks.
// migrations holds files named NNNN_name.sql under "migrations/".
func Open(ctx context.Context, path string, busyTimeoutMs int, migrations fs.FS) (*sql.DB, error) {
	db, err := sql.Open("sqlite", DSN(path, busyTimeoutMs))
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if err := Migrate(ctx, db, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	return db, nil
}

// Migrate applies, in order, every migration not yet recorded.
func Migrate(ctx context.Context, db *sql.DB, migrations fs.FS) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY) STRICT`); err != nil {
		return err
	}
	return migrate.Apply(ctx, db, migrations, "migrations/*.sql", nil)
}

// Tx runs f in a transaction (BEGIN IMMEDIATE, from the DSN), committing
// when f returns nil and rolling back otherwise. Errors are the driver's;
// callers translate them into their own.
func Tx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	return migrate.Tx(ctx, db, f)
}

// Check runs PRAGMA quick_check or integrity_check and returns the
// problems SQLite names (nil when it answers "ok"), at most four and a
// count of the rest. err is the query's own failure, which a damaged file
// can also cause: callers translate it.
func Check(ctx context.Context, db *sql.DB, pragma string) (problems []string, err error) {
	rows, err := db.QueryContext(ctx, `PRAGMA `+pragma)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var msgs []string
	for rows.Next() {
		var m string
		if err := rows.Scan(&m); err != nil {
			return nil, err
		}
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(msgs) == 1 && msgs[0] == "ok" {
		return nil, nil
	}
	// SQLite gives one row per problem, or one row of lines.
	for _, l := range strings.Split(strings.Join(msgs, "\n"), "\n") {
		if !strings.HasPrefix(l, "*** in database") {
			problems = append(problems, l)
		}
	}
	if len(problems) > 4 {
		problems = append(problems[:4], fmt.Sprintf("and %d more", len(problems)-4))
	}
	return problems, nil
}
