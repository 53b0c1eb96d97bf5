package pgdb_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"testing/fstest"

	"shicao/cmd/shicao/internal/pgdb"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
	"shicao/cmd/shicao/internal/sqlitedb"
)

// TestRewrite: the SQLite dialect shicao's queries are written in,
// turned into PostgreSQL's.
func TestRewrite(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`SELECT a FROM t WHERE b = ? AND c = ?`, `SELECT a FROM t WHERE b = $1 AND c = $2`},
		{`SELECT '?', "x?" FROM t WHERE b = ? -- why?` + "\n" + `AND c = ?`, `SELECT '?', "x?" FROM t WHERE b = $1 -- why?` + "\n" + `AND c = $2`},
		{`INSERT OR IGNORE INTO h (a) VALUES (?)`, `INSERT INTO h (a) VALUES ($1) ON CONFLICT DO NOTHING`},
		{`SELECT id FROM r WHERE instr(examiners, ?) > 0`, `SELECT id FROM r WHERE strpos(examiners, $1) > 0`},
		{`UPDATE s SET l = max(l, ?), m = min(coalesce(m, 0), ?)`, `UPDATE s SET l = greatest(l, $1), m = least(coalesce(m, 0), $2)`},
		{`SELECT coalesce(max(i) + 1, 0), max(x) FROM t`, `SELECT coalesce(max(i) + 1, 0), max(x) FROM t`},
		{`SELECT hmax(a, b) FROM t`, `SELECT hmax(a, b) FROM t`},
		{`INSERT INTO r (s, n) VALUES (?, 1) ON CONFLICT (s) DO UPDATE SET n = n + 1, last = excluded.last, v = CAST(CAST(v AS INTEGER) + 1 AS TEXT), w = 'n'`,
			`INSERT INTO r (s, n) VALUES ($1, 1) ON CONFLICT (s) DO UPDATE SET n = r.n + 1, last = excluded.last, v = CAST(CAST(r.v AS INTEGER) + 1 AS TEXT), w = 'n'`},
		{`INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value`,
			`INSERT INTO meta (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value`},
	} {
		if got := pgdb.Rewrite(c.in); got != c.want {
			t.Errorf("Rewrite(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}

func TestMain(m *testing.M) { os.Exit(pgdbtest.Main(m)) }

// TestReadOnlySnapshot: a read-only transaction on PostgreSQL reads as
// SQLite's does: several result sets open at once on its one connection
// (log verify walks three in step), one snapshot for all its queries
// whatever commits meanwhile, a bool argument stored as 1, and the
// migrations applied once however often the database is opened.
func TestReadOnlySnapshot(t *testing.T) {
	ctx := context.Background()
	dsn := pgdbtest.DSN(t)
	migrations := fstest.MapFS{"0001_t.sql": {Data: []byte(`CREATE TABLE t (a BIGINT PRIMARY KEY, b BYTEA NOT NULL, ok BIGINT NOT NULL DEFAULT 0);`)}}
	db, err := pgdb.Open(ctx, dsn, migrations)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	again, err := pgdb.Open(ctx, dsn, migrations)
	if err != nil {
		t.Fatalf("opened a second time: %v", err)
	}
	again.Close()
	for i := range 40 {
		if _, err := db.ExecContext(ctx, `INSERT INTO t (a, b, ok) VALUES (?, ?, ?)`, i, bytes.Repeat([]byte{byte(i)}, 1000), i%2 == 0); err != nil {
			t.Fatal(err)
		}
	}
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	r1, err := tx.QueryContext(ctx, `SELECT a, b FROM t ORDER BY a`)
	if err != nil {
		t.Fatal(err)
	}
	defer r1.Close()
	// Committed after the snapshot began: not seen by the transaction.
	if _, err := db.ExecContext(ctx, `INSERT INTO t (a, b) VALUES (100, ?)`, []byte("late")); err != nil {
		t.Fatal(err)
	}
	r2, err := tx.QueryContext(ctx, `SELECT a, ok FROM t ORDER BY a DESC`)
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	n := 0
	for r1.Next() {
		if !r2.Next() {
			t.Fatalf("the second result set ended after %d rows: %v", n, r2.Err())
		}
		var a1, a2 int64
		var b []byte
		var ok bool
		if err := r1.Scan(&a1, &b); err != nil {
			t.Fatal(err)
		}
		if err := r2.Scan(&a2, &ok); err != nil {
			t.Fatal(err)
		}
		if a1 != int64(n) || len(b) != 1000 || b[0] != byte(n) || a2 != int64(39-n) || ok != (a2%2 == 0) {
			t.Fatalf("row %d: a %d (%d bytes of %d), a %d ok %v", n, a1, len(b), b[0], a2, ok)
		}
		n++
	}
	if err := r1.Err(); err != nil {
		t.Fatal(err)
	}
	if r2.Next() {
		t.Error("the second result set has a row the first has not: the snapshot moved")
	}
	var count int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&count); err != nil || count != 40 || n != 40 {
		t.Errorf("the snapshot holds %d rows (%d walked), %v; want 40", count, n, err)
	}
}

// TestBatch: a batch reads and writes as the same statements sent one
// by one do, in order inside its transaction, on PostgreSQL (one
// pipeline) and on SQLite (one at a time): rows scanned, rows counted,
// a missing row is sql.ErrNoRows, and a failing statement fails the
// batch and leaves nothing once rolled back.
func TestBatch(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	schema := `CREATE TABLE t (a BIGINT PRIMARY KEY, b BYTEA NOT NULL, ok BIGINT NOT NULL DEFAULT 0);`
	pg, err := pgdb.Open(ctx, pgdbtest.DSN(t), fstest.MapFS{"0001_t.sql": {Data: []byte(schema)}})
	if err != nil {
		t.Fatal(err)
	}
	defer pg.Close()
	lite, err := sqlitedb.Open(ctx, filepath.Join(t.TempDir(), "t.db"), 1000, fstest.MapFS{"migrations/0001_t.sql": {Data: []byte(schema)}})
	if err != nil {
		t.Fatal(err)
	}
	defer lite.Close()
	for _, c := range []struct {
		name     string
		db       *sql.DB
		pipeline bool
	}{{"postgres", pg, true}, {"sqlite", lite, false}} {
		t.Run(c.name, func(t *testing.T) {
			var b pgdb.Batch
			b.Exec(`INSERT INTO t (a, b, ok) VALUES (?, ?, ?), (?, ?, ?)`, 1, []byte("one"), true, 2, []byte("two"), false)
			upd := b.Exec(`UPDATE t SET ok = 1 WHERE a >= ?`, 1)
			none := b.Exec(`INSERT OR IGNORE INTO t (a, b) VALUES (?, ?)`, 1, []byte("again"))
			var count int64
			var first []byte
			b.QueryRow(`SELECT (SELECT count(*) FROM t WHERE ok = 1), (SELECT b FROM t WHERE a = ?)`, []any{1}, &count, &first)
			var seen []int64
			b.Query(`SELECT a FROM t ORDER BY a`, nil, func(scan func(...any) error) error {
				var a int64
				err := scan(&a)
				seen = append(seen, a)
				return err
			})
			err := pgdb.Tx(ctx, c.db, func(tx *sql.Tx) error { return pgdb.Send(ctx, tx, &b, c.pipeline) })
			if err != nil {
				t.Fatal(err)
			}
			if b.RowsAffected(upd) != 2 || b.RowsAffected(none) != 0 || count != 2 || string(first) != "one" || !slices.Equal(seen, []int64{1, 2}) {
				t.Errorf("updated %d, ignored insert %d, count %d, first %q, rows %v; want 2, 0, 2, one, [1 2]", b.RowsAffected(upd), b.RowsAffected(none), count, first, seen)
			}

			var missing pgdb.Batch
			var x int64
			missing.QueryRow(`SELECT a FROM t WHERE a = ?`, []any{99}, &x)
			err = pgdb.Tx(ctx, c.db, func(tx *sql.Tx) error { return pgdb.Send(ctx, tx, &missing, c.pipeline) })
			if !errors.Is(err, sql.ErrNoRows) {
				t.Errorf("a missing row: %v, want sql.ErrNoRows", err)
			}

			var failing pgdb.Batch
			failing.Exec(`INSERT INTO t (a, b) VALUES (?, ?)`, 3, []byte("three"))
			failing.Exec(`INSERT INTO t (a, b) VALUES (?, ?)`, 1, []byte("taken"))
			after := failing.Exec(`INSERT INTO t (a, b) VALUES (?, ?)`, 4, []byte("four"))
			err = pgdb.Tx(ctx, c.db, func(tx *sql.Tx) error { return pgdb.Send(ctx, tx, &failing, c.pipeline) })
			if err == nil {
				t.Fatal("a batch with a duplicate key succeeded")
			}
			var n int
			if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM t`).Scan(&n); err != nil || n != 2 || failing.RowsAffected(after) != 0 {
				t.Errorf("after the failed batch: %d rows (%v), the statement after the failure changed %d; want 2 and 0", n, err, failing.RowsAffected(after))
			}
		})
	}
}
