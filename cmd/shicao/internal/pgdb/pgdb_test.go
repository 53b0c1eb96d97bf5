package pgdb_test

import (
	"testing"

	"shicao/cmd/shicao/internal/pgdb"
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
	} {
		if got := pgdb.Rewrite(c.in); got != c.want {
			t.Errorf("Rewrite(%q)\n got %q\nwant %q", c.in, got, c.want)
		}
	}
}
