package pgdb_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"testing"
	"testing/fstest"

	"shicao/cmd/shicao/internal/pgdb"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
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
