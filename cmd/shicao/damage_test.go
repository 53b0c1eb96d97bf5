package main

import (
	"context"
	"database/sql"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/sqlitedb"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// damagePages overwrites n pages of the SQLite file at path with
// garbage: pages drawn with seed from those that hold the named tables'
// and indexes' data (dbstat), since a free page overwritten is damage
// that no check can or need see. It returns the pages overwritten.
func damagePages(t *testing.T, path string, seed uint64, n int, tables ...string) []int64 {
	t.Helper()
	db, err := sql.Open("sqlite", sqlitedb.DSN(path, 5000))
	if err != nil {
		t.Fatal(err)
	}
	var pageSize int64
	if err := db.QueryRow(`PRAGMA page_size`).Scan(&pageSize); err != nil {
		t.Fatal(err)
	}
	// The WAL folded into the file, so the file holds every page.
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		t.Fatal(err)
	}
	q := `SELECT DISTINCT pageno FROM dbstat WHERE name IN (?` + strings.Repeat(", ?", len(tables)-1) + `) ORDER BY pageno`
	args := make([]any, len(tables))
	for i, x := range tables {
		args[i] = x
	}
	rows, err := db.Query(q, args...)
	if err != nil {
		t.Fatal(err)
	}
	var pages []int64
	for rows.Next() {
		var p int64
		if err := rows.Scan(&p); err != nil {
			t.Fatal(err)
		}
		pages = append(pages, p)
	}
	rows.Close()
	db.Close()
	if len(pages) < n {
		t.Fatalf("%s: only %d pages hold %v, want at least %d", path, len(pages), tables, n)
	}
	rng := rand.New(rand.NewPCG(seed, seed^0xdead))
	rng.Shuffle(len(pages), func(i, j int) { pages[i], pages[j] = pages[j], pages[i] })
	pages = pages[:n]
	slices.Sort(pages)
	f, err := os.OpenFile(path, os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	garbage := make([]byte, pageSize)
	for _, p := range pages {
		for i := range garbage {
			garbage[i] = byte(rng.Uint32())
		}
		if _, err := f.WriteAt(garbage, (p-1)*pageSize); err != nil {
			t.Fatal(err)
		}
	}
	return pages
}

// copyFile copies a database file (its WAL already folded in).
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(to), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// copyDir copies a data directory's regular files.
func copyDir(t *testing.T, from, to string) {
	t.Helper()
	ents, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		if e.Type().IsRegular() {
			copyFile(t, filepath.Join(from, e.Name()), filepath.Join(to, e.Name()))
		}
	}
}

// serve runs `shicao centre serve` on dir in-process until it listens
// (then stops it) or exits; it returns the exit code, what it printed
// to stderr, and whether it listened.
func serve(t *testing.T, dir string) (code int, stderr string, listened bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrFile := filepath.Join(t.TempDir(), "addr")
	var out, errOut strings.Builder
	done := make(chan int, 1)
	go func() {
		done <- run(ctx, []string{"centre", "serve", "--data", dir, "--listen", "127.0.0.1:0", "--addr-file", addrFile}, nil, &out, &errOut)
	}()
	for {
		select {
		case code := <-done:
			_, err := os.Stat(addrFile)
			return code, errOut.String(), err == nil
		case <-time.After(10 * time.Millisecond):
		}
		if _, err := os.Stat(addrFile); err == nil {
			cancel()
			return <-done, errOut.String(), true
		}
	}
}

// TestServe_DamagedDatabase: with 20 pages of centre.db that hold
// results or the log's hashes overwritten with garbage, `centre serve`
// exits 1 with a message that says the database is damaged and points to
// the restore procedure, and never listens; `centre log verify` says
// the same. The undamaged copy serves.
func TestServe_DamagedDatabase(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	base := st.Exam(t, demo.Candidates[0].IDNumber, "damage", 0)
	st.Fill(t, c, base, 39, "d")
	rows, err := st.S.Store().Outbox(ctx, store.OutboxQueued)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rows {
		body, err := st.S.Store().OutboxBody(ctx, r.ResultID)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Ingest(ctx, demo.Station, body); err != nil {
			t.Fatal(err)
		}
	}
	c.Close()

	good := filepath.Join(t.TempDir(), "good")
	copyDir(t, dir, good)
	if code, stderr, listened := serve(t, good); code != 0 || !listened {
		t.Fatalf("the undamaged centre: exit %d, listened %v: %s", code, listened, stderr)
	}
	var out, errOut strings.Builder
	if code := run(ctx, []string{"centre", "log", "verify", "--data", good}, nil, &out, &errOut); code != 0 || !strings.Contains(out.String(), "ok: SQLite integrity_check\nok: log of 40 records") {
		t.Fatalf("log verify of the undamaged centre: exit %d: %s%s", code, out.String(), errOut.String())
	}

	// Pages overwritten, or (EditedHash) a stored hash of the log
	// changed through SQL: the file is well formed, quick_check passes,
	// and only the log's tail against its checkpoint finds it.
	tests := []struct {
		name   string
		damage func(t *testing.T, path string) string
	}{
		{"Results", func(t *testing.T, path string) string {
			return fmt.Sprintf("pages %v", damagePages(t, path, 2026, 20, "results", "result_bodies"))
		}},
		{"LogHashes", func(t *testing.T, path string) string {
			// 40 records' hashes and checkpoints fill a few pages.
			return fmt.Sprintf("pages %v", damagePages(t, path, 2027, 2, "log_hashes", "checkpoints"))
		}},
		{"EditedHash", func(t *testing.T, path string) string {
			db, err := sql.Open("sqlite", sqlitedb.DSN(path, 5000))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`UPDATE log_hashes SET hash = zeroblob(32) WHERE idx = (SELECT max(idx) FROM log_hashes)`); err != nil {
				t.Fatal(err)
			}
			return "the last stored hash zeroed"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad")
			copyDir(t, good, bad)
			what := tt.damage(t, filepath.Join(bad, centre.DBFile))
			code, stderr, listened := serve(t, bad)
			t.Logf("%s: exit %d: %s", what, code, stderr)
			if code != exitRefused || listened {
				t.Fatalf("%s: exit %d, listened %v, want exit 1 and no listening: %s", what, code, listened, stderr)
			}
			for _, want := range []string{"refusing to serve", "the centre's database is damaged", "restore", "docs/operations.md"} {
				if !strings.Contains(stderr, want) {
					t.Errorf("the message does not say %q: %s", want, stderr)
				}
			}
			var out, errOut strings.Builder
			if code := run(ctx, []string{"centre", "log", "verify", "--data", bad}, nil, &out, &errOut); code != exitRefused {
				t.Errorf("log verify of the damaged centre: exit %d: %s%s", code, out.String(), errOut.String())
			}
		})
	}

	// An index that no longer matches its table: every page is well
	// formed and the log's tail is intact, so quick_check and the check
	// at start pass, and only the full integrity_check (index against
	// table) finds it. `centre log verify` must run that one.
	t.Run("IndexMismatch", func(t *testing.T) {
		bad := filepath.Join(t.TempDir(), "bad")
		copyDir(t, good, bad)
		db, err := sql.Open("sqlite", sqlitedb.DSN(filepath.Join(bad, centre.DBFile), 5000))
		if err != nil {
			t.Fatal(err)
		}
		// The index keeps its entries (of sha256) but now says it indexes id.
		for _, q := range []string{`PRAGMA writable_schema = ON`,
			`UPDATE sqlite_master SET sql = 'CREATE INDEX results_sha256 ON results (id)' WHERE type = 'index' AND name = 'results_sha256'`} {
			if _, err := db.Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		db.Close()
		ce, err := centre.Open(ctx, bad, centre.Options{})
		if err != nil {
			t.Fatal(err)
		}
		startErr := ce.CheckStart(ctx)
		ce.Close()
		if startErr != nil {
			t.Fatalf("the check at start (quick_check) should not see an index mismatch, or this case proves nothing: %v", startErr)
		}
		var out, errOut strings.Builder
		code := run(ctx, []string{"centre", "log", "verify", "--data", bad}, nil, &out, &errOut)
		t.Logf("log verify: exit %d: %s", code, errOut.String())
		if code != exitRefused || strings.Contains(out.String(), "ok: SQLite integrity_check") {
			t.Fatalf("log verify of a centre whose index does not match its table: exit %d: %s%s", code, out.String(), errOut.String())
		}
		for _, want := range []string{"integrity_check", "missing from index results_sha256", "docs/operations.md"} {
			if !strings.Contains(errOut.String(), want) {
				t.Errorf("log verify's message does not say %q: %s", want, errOut.String())
			}
		}
	})
}

// TestStation_DamagedDatabase: with 20 pages of station.db that hold
// events or sessions overwritten, `station run` exits 1 before running a
// step, with a message that says the database is damaged and points to
// the restore procedure; the undamaged copy runs.
func TestStation_DamagedDatabase(t *testing.T) {
	t.Parallel()
	st := centretest.NewStation(t, "")
	st.Exam(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("damage"), 2000)
	st.S.Close()
	script := filepath.Join(t.TempDir(), "exam.txt")
	if err := os.WriteFile(script, []byte("plan "+demo.PlanID+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stationRun := func(dir string) (int, string, string) {
		var out, errOut strings.Builder
		code := run(context.Background(), []string{"station", "run", "--data", dir, "--script", script, "--virtual-clock", "--simulated-devices", "--lang", "en"}, nil, &out, &errOut)
		return code, out.String(), errOut.String()
	}
	good := filepath.Join(t.TempDir(), "good")
	copyDir(t, st.Dir, good)
	if code, out, errOut := stationRun(good); code != 0 {
		t.Fatalf("the undamaged station: exit %d: %s%s", code, out, errOut)
	}
	tests := []struct {
		name   string
		damage func(t *testing.T, path string) string
	}{
		{"Pages", func(t *testing.T, path string) string {
			return fmt.Sprintf("pages %v", damagePages(t, path, 2026, 20, "events", "sessions"))
		}},
		// A well-formed file (quick_check passes) whose session head is
		// not its chain's last hash.
		{"EditedHead", func(t *testing.T, path string) string {
			db, err := sql.Open("sqlite", sqlitedb.DSN(path, 5000))
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := db.Exec(`UPDATE sessions SET head_hash = replace(head_hash, substr(head_hash, 1, 1), 'x') WHERE id = (SELECT max(id) FROM sessions)`); err != nil {
				t.Fatal(err)
			}
			return "a session's head hash edited"
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			bad := filepath.Join(t.TempDir(), "bad")
			copyDir(t, st.Dir, bad)
			what := tt.damage(t, filepath.Join(bad, station.DBFile))
			code, out, errOut := stationRun(bad)
			t.Logf("%s: exit %d: %s", what, code, errOut)
			if code != exitRefused || out != "" {
				t.Fatalf("%s: exit %d, printed %q, want exit 1 before any step", what, code, out)
			}
			for _, want := range []string{"this station's database is damaged", "no exam can start", "restore", "docs/operations.md"} {
				if !strings.Contains(errOut, want) {
					t.Errorf("the message does not say %q: %s", want, errOut)
				}
			}
		})
	}
}
