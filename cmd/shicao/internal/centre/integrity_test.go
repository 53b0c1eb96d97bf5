package centre_test

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the "pgx" driver, for rawDB

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/sqlitedb"
	"shicao/cmd/shicao/internal/store"
)

// TestCheckStart_Cost measures the check `centre serve` runs at start
// (quick_check and the log's tail) and the full integrity_check of
// `centre log verify`, on a centre holding SHICAO_CHECK_RESULTS results
// of the demo paper (about 100 KB each). It runs only when that is set,
// since making the results takes minutes:
//
//	SHICAO_CHECK_RESULTS=3000 go test -count=1 -v -run TestCheckStart_Cost ./cmd/shicao/internal/centre/
func TestCheckStart_Cost(t *testing.T) {
	t.Parallel()
	n, _ := strconv.Atoi(os.Getenv("SHICAO_CHECK_RESULTS"))
	if n <= 0 {
		t.Skip("set SHICAO_CHECK_RESULTS=N to measure the start check on a centre of N results")
	}
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	base := st.Exam(t, demo.Candidates[0].IDNumber, "cost", 0)
	st.Fill(t, c, base, n-1, "c")
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
	c, err = centre.Open(ctx, dir, centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	fi, err := os.Stat(filepath.Join(dir, centre.DBFile))
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if err := c.CheckStart(ctx); err != nil {
		t.Fatal(err)
	}
	quick := time.Since(start)
	start = time.Now()
	if err := c.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
	full := time.Since(start)
	t.Logf("%d results, centre.db %d MB: start check (quick_check + log tail) %s, integrity_check %s", len(rows), fi.Size()>>20, quick.Round(time.Millisecond), full.Round(time.Millisecond))
}

// TestCheckStart_TamperedLog: the check `centre serve` runs at start
// finds, on either database, a log whose last stored hash or last
// result's bytes were changed behind the centre's back, so that no
// receipt is issued on top of them; the untouched log passes. On
// PostgreSQL, which has no quick_check, this is the whole check.
func TestCheckStart_TamperedLog(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		sqlite string // the change, on each database
		pg     string
		want   string
	}{
		{"LastHash", `UPDATE log_hashes SET hash = zeroblob(32) WHERE idx = (SELECT max(idx) FROM log_hashes)`,
			`UPDATE log_hashes SET hash = decode(repeat('00', 32), 'hex') WHERE idx = (SELECT max(idx) FROM log_hashes)`,
			"the log's stored hashes give another root than its last signed checkpoint"},
		{"LastBody", `UPDATE result_bodies SET body = x'00' WHERE log_index = (SELECT max(log_index) FROM result_bodies)`,
			`UPDATE result_bodies SET body = '\x00'::bytea WHERE log_index = (SELECT max(log_index) FROM result_bodies)`,
			"the stored bytes' SHA-256 is not the logged one"},
	}
	for _, backend := range backends {
		for _, tt := range tests {
			t.Run(backend+"/"+tt.name, func(t *testing.T) {
				ctx := context.Background()
				st := centretest.NewStation(t, "")
				c, dir := centretest.NewCentreDirOn(t, backend, st)
				for i, seed := range []string{"tamper-1", "tamper-2"} {
					s := st.Exam(t, demo.Candidates[i].IDNumber, seed, 0)
					if _, err := c.Ingest(ctx, demo.Station, s.Bundle); err != nil {
						t.Fatal(err)
					}
				}
				if err := c.CheckStart(ctx); err != nil {
					t.Fatalf("the untouched log: %v", err)
				}
				db, change := rawDB(t, backend, dir), tt.sqlite
				if backend == "postgres" {
					change = tt.pg
				}
				if res, err := db.ExecContext(ctx, change); err != nil {
					t.Fatal(err)
				} else if n, _ := res.RowsAffected(); n != 1 {
					t.Fatalf("the change touched %d rows, want 1", n)
				}
				err := c.CheckStart(ctx)
				if !errors.Is(err, centre.ErrDamaged) || !strings.Contains(err.Error(), tt.want) {
					t.Fatalf("CheckStart after the change: %v, want ErrDamaged saying %q", err, tt.want)
				}
			})
		}
	}
}

// rawDB opens a centre's database behind its back, as someone with the
// file or the role could.
func rawDB(t *testing.T, backend, dir string) *sql.DB {
	t.Helper()
	var db *sql.DB
	var err error
	if backend == "postgres" {
		dsn, rerr := os.ReadFile(filepath.Join(dir, centre.DSNFile))
		if rerr != nil {
			t.Fatal(rerr)
		}
		db, err = sql.Open("pgx", strings.TrimSpace(string(dsn)))
	} else {
		db, err = sql.Open("sqlite", sqlitedb.DSN(filepath.Join(dir, centre.DBFile), 5000))
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
