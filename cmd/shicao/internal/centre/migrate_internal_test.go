package centre

import (
	"bytes"
	"context"
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"shicao/cmd/shicao/internal/sqlitedb"
)

// TestMigration0006_ResultBodies: a centre made before migration 0006
// keeps every body, now in result_bodies by log index; the results row
// no longer holds it; lookups by date, station and candidate use their
// indexes.
func TestMigration0006_ResultBodies(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	before := fstest.MapFS{}
	err := fs.WalkDir(migrations, "migrations", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || strings.Compare(filepath.Base(path), "0006") >= 0 {
			return err
		}
		b, err := fs.ReadFile(migrations, path)
		before[path] = &fstest.MapFile{Data: b}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), DBFile)
	old, err := sqlitedb.Open(ctx, path, 5000, before)
	if err != nil {
		t.Fatal(err)
	}
	bodies := [][]byte{bytes.Repeat([]byte("a"), 5000), []byte("b")}
	for i, body := range bodies {
		_, err := old.ExecContext(ctx, `INSERT INTO results (id, log_index, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, sha256, body, receipt, received_ms)
			VALUES (?, ?, 'S1', 'SITE', 'P1', '2026-11-28', 'cat', ?, 'name', 1, '90', 1, 'x', 'sum', ?, CAST('receipt' AS BLOB), 1)`, []string{"r0", "r1"}[i], i, []string{"c0", "c1"}[i], body)
		if err != nil {
			t.Fatal(err)
		}
	}
	old.Close()

	db, err := openDB(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	c := &Centre{db: db}
	for i, id := range []string{"r0", "r1"} {
		got, err := c.ResultBody(ctx, id)
		if err != nil || !bytes.Equal(got, bodies[i]) {
			t.Errorf("ResultBody(%s) = %d bytes, %v; want the %d bytes stored before", id, len(got), err, len(bodies[i]))
		}
	}
	if _, err := db.ExecContext(ctx, `SELECT body FROM results`); err == nil {
		t.Error("the results table still has a body column")
	}
	for q, index := range map[string]string{
		`SELECT id FROM results WHERE date = '2026-11-28'`: "results_date",
		`SELECT id FROM results WHERE station = 'S1'`:      "results_station",
		`SELECT id FROM results WHERE candidate = 'c1'`:    "results_candidate",
		`SELECT id FROM results WHERE plan_id = 'P1'`:      "results_attempt",
	} {
		rows, err := db.QueryContext(ctx, `EXPLAIN QUERY PLAN `+q)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
				t.Fatal(err)
			}
			plan = append(plan, detail)
		}
		rows.Close()
		if !strings.Contains(strings.Join(plan, "; "), index) {
			t.Errorf("%s: plan %q, want it to use %s", q, plan, index)
		}
	}
}
