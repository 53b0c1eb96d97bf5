package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
)

// TestCentreMigrate: `shicao centre migrate --to URL` moves a SQLite
// centre with its results into PostgreSQL and records the URL, so that
// `centre log verify --data DIR` afterwards reads PostgreSQL and finds
// the same log.
func TestCentreMigrate(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dsn := pgdbtest.DSN(t) // skips loudly with no PostgreSQL
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDirOn(t, "sqlite", st)
	for i, cand := range demo.Candidates[:3] {
		saved := st.Exam(t, cand.IDNumber, "migrate-"+cand.Name, i)
		if _, err := c.Ingest(ctx, demo.Station, saved.Bundle); err != nil {
			t.Fatalf("ingest %d: %v", i, err)
		}
	}
	c.Close()
	runOK := func(args ...string) string {
		t.Helper()
		var out, errOut bytes.Buffer
		if code := run(ctx, args, strings.NewReader(""), &out, &errOut); code != exitOK {
			t.Fatalf("shicao %s: exit %d\n%s%s", strings.Join(args, " "), code, out.String(), errOut.String())
		}
		return out.String()
	}
	before := runOK("centre", "log", "verify", "--data", dir)
	out := runOK("centre", "migrate", "--data", dir, "--to", dsn)
	if !strings.Contains(out, "log verify: 3 records") || !strings.Contains(out, "recorded in "+filepath.Join(dir, centre.DSNFile)) {
		t.Fatalf("centre migrate said:\n%s", out)
	}
	if b, err := os.ReadFile(filepath.Join(dir, centre.DSNFile)); err != nil || strings.TrimSpace(string(b)) != dsn {
		t.Fatalf("centre.dsn holds %q (%v), want the URL", b, err)
	}
	after := runOK("centre", "log", "verify", "--data", dir)
	if !strings.Contains(after, "ok: PostgreSQL") || !strings.Contains(after, "ok: log of 3 records") {
		t.Fatalf("log verify after the move:\n%s", after)
	}
	// The same root on both sides: the log line after the engine's.
	root := func(s string) string { _, l, _ := strings.Cut(s, "ok: log of"); return l }
	if root(before) != root(after) {
		t.Fatalf("before the move: %q\nafter: %q", root(before), root(after))
	}
	// A second move into the same database is refused.
	var o, e bytes.Buffer
	if code := run(ctx, []string{"centre", "migrate", "--data", dir, "--to", dsn}, strings.NewReader(""), &o, &e); code == exitOK {
		t.Fatalf("a second move into a database holding a centre: exit 0\n%s", o.String())
	}
}
