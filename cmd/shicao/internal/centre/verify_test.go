package centre_test

import (
	"context"
	"fmt"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
)

// bigCentre makes a centre holding n results of the demo station, each a
// genuine signed result (one exam with extra CPR compressions, signed
// again per candidate of a bulk plan with its own id) appended to the
// log as Ingest would once its checks pass (centre.AppendBulk): what log
// verify and the exports read, without n full ingests. It returns the
// centre, its data directory and the bytes of one body.
func bigCentre(tb testing.TB, n, extra int) (*centre.Centre, string, int) {
	tb.Helper()
	ctx := context.Background()
	st := centretest.NewStation(tb, "")
	c, dir := centretest.NewCentreDir(tb, st)
	base := st.Exam(tb, demo.Candidates[0].IDNumber, centretest.CPRSeed("big"), extra)
	cands := st.BulkPlan(tb, c, "TA-BIG", n)
	variant, err := centretest.Variants(base.Bundle, st.Signer)
	if err != nil {
		tb.Fatal(err)
	}
	bodies := make(chan []byte, 64)
	errs := make(chan error, runtime.GOMAXPROCS(0))
	var wg sync.WaitGroup
	idx := make(chan int)
	go func() {
		defer close(idx)
		for i := range n {
			idx <- i
		}
	}()
	for range runtime.GOMAXPROCS(0) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range idx {
				body, err := variant(centretest.For(fmt.Sprintf("big%08d", i), "TA-BIG", cands[i]))
				if err != nil {
					errs <- err
					return
				}
				bodies <- body
			}
		}()
	}
	go func() { wg.Wait(); close(bodies) }()
	got, err := centre.AppendBulk(ctx, c, demo.Station, 1000, func() ([]byte, error) {
		select {
		case err := <-errs:
			return nil, err
		default:
		}
		return <-bodies, nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	if got != n {
		tb.Fatalf("appended %d results, want %d", got, n)
	}
	return c, dir, len(base.Bundle)
}

// buildShicao builds the shicao command into a temporary directory.
func buildShicao(t testing.TB) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "shicao")
	// The go command that runs the tests is on PATH (go test needs it).
	goCmd, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("the go command: %v", err)
	}
	out, err := exec.Command(goCmd, "build", "-o", bin, "shicao/cmd/shicao").CombinedOutput()
	if err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestVerifyLog_Memory runs the real `shicao centre log verify --rescore`
// over a centre whose bodies add up to far more than the bound, and
// checks its peak RSS (the kernel's high-water mark, rusage maxrss)
// stays under it: verify streams the log instead of holding every body
// (issue #18: 1.7 GB at 4.4k results).
func TestVerifyLog_Memory(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("builds shicao and a centre of 1,200 long results: not in -short")
	}
	// Measured through runMeasured, the command's own peak is ~42 MB on
	// a loaded machine (the 88–124 MB read before were mostly the test
	// process's, folded in at exec). Holding the bodies would take over
	// 293 MB, so 140 tells streaming apart with room for a lagging
	// collector.
	const boundMB = 140
	const n = 1200
	c, dir, size := bigCentre(t, n, 1200)
	if total := n * size >> 20; total < 2*boundMB {
		t.Fatalf("the bodies add up to %d MB: too little to prove a bound of %d MB", total, boundMB)
	}
	c.Close()
	bin := buildShicao(t)
	out, peakMB, err := runMeasured(t, bin, "centre", "log", "verify", "--data", dir, "--rescore")
	if err != nil {
		t.Fatalf("log verify: %v\n%s", err, out)
	}
	want := fmt.Sprintf("ok: log of %d records", n)
	if !strings.Contains(string(out), want) || !strings.Contains(string(out), fmt.Sprintf("%d results re-scored identically", n)) {
		t.Fatalf("log verify said %q, want %q and %d re-scored", out, want, n)
	}
	t.Logf("log verify --rescore over %d results of %d KB (%d MB of bodies): peak RSS %d MB", n, size>>10, n*size>>20, peakMB)
	if peakMB >= boundMB {
		t.Errorf("log verify --rescore peaked at %d MB RSS over %d results of %d KB; the bound is %d MB", peakMB, n, size>>10, boundMB)
	}
}

// TestVerifyLog_BesideIngest runs log verify again and again while
// results are ingested: each run reads one snapshot, so it never reports
// a log that does not verify (before, results and hashes were read in
// separate queries: "the log stores N hashes; M records need K").
func TestVerifyLog_BesideIngest(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c := centretest.NewCentre(t, st)
	base := st.Exam(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("beside"), 0)
	if _, err := c.Ingest(ctx, demo.Station, base.Bundle); err != nil {
		t.Fatal(err)
	}
	const n = 150
	ids := st.Fill(t, c, base, n, "bi")
	outbox, err := st.S.Store().Outbox(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var bodies [][]byte
	for _, o := range outbox {
		if slices.Contains(ids, o.ResultID) {
			b, err := st.S.Store().OutboxBody(ctx, o.ResultID)
			if err != nil {
				t.Fatal(err)
			}
			bodies = append(bodies, b)
		}
	}
	if len(bodies) != n {
		t.Fatalf("the outbox holds %d of the %d results", len(bodies), n)
	}
	done := make(chan error, 1)
	go func() {
		for _, body := range bodies {
			if _, err := c.Ingest(ctx, demo.Station, body); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	runs, last := 0, int64(0)
	for ingesting := true; ingesting; {
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
			ingesting = false
		default:
		}
		rep, err := c.VerifyLog(ctx, false)
		if err != nil {
			t.Fatalf("log verify run %d beside ingest (after %d records): %v", runs+1, last, err)
		}
		if rep.Records < last || int64(rep.Receipts) != rep.Records || int64(rep.Checkpoints) < rep.Records {
			t.Fatalf("run %d: %d records, %d receipts, %d checkpoints after a run of %d records", runs+1, rep.Records, rep.Receipts, rep.Checkpoints, last)
		}
		last = rep.Records
		runs++
	}
	if last != n+1 {
		t.Errorf("the last run saw %d records, want %d", last, n+1)
	}
	t.Logf("%d log verify runs beside %d ingests", runs, n)
}

// TestVerifyLog_From: the first failure reported is the first in log
// order though bodies are checked in parallel; Next says where to go on;
// a run from there checks the bodies from there on and still the whole
// tree.
func TestVerifyLog_From(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, _, _ := bigCentre(t, 40, 0)
	rep, err := c.VerifyLogWith(ctx, centre.VerifyOptions{Rescore: true})
	if err != nil || rep.Records != 40 || rep.Receipts != 40 || rep.Rescored != 40 || rep.Next != 40 {
		t.Fatalf("VerifyLogWith = %+v, %v; want 40 records, receipts and re-scored", rep, err)
	}
	// Damage the bodies of records 17 and 31 (one byte each).
	for _, i := range []int{17, 31} {
		if _, err := c.DB().ExecContext(ctx, `UPDATE result_bodies SET body = CAST(body || ' ' AS BLOB) WHERE log_index = ?`, i); err != nil {
			t.Fatal(err)
		}
	}
	tests := []struct {
		from, next int64
		err        string
	}{
		{0, 17, "record 17 (result big"},
		{17, 17, "record 17 (result big"},
		{18, 31, "record 31 (result big"},
		{32, 40, ""},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint("from", tt.from), func(t *testing.T) {
			rep, err := c.VerifyLogWith(ctx, centre.VerifyOptions{Rescore: true, From: tt.from, Workers: 4})
			switch {
			case tt.err == "" && err != nil:
				t.Fatalf("from %d: %v", tt.from, err)
			case tt.err != "" && (err == nil || !strings.Contains(err.Error(), tt.err) || !strings.Contains(err.Error(), "SHA-256")):
				t.Fatalf("from %d: error %v, want %q and SHA-256", tt.from, err, tt.err)
			}
			if rep.Next != tt.next {
				t.Errorf("from %d: Next = %d, want %d", tt.from, rep.Next, tt.next)
			}
		})
	}
	// The tree is checked whole whatever From says: a record edited
	// before From fails.
	if _, err := c.DB().ExecContext(ctx, `UPDATE results SET station = 'other' WHERE log_index = 3`); err != nil {
		t.Fatal(err)
	}
	if _, err := c.VerifyLogWith(ctx, centre.VerifyOptions{From: 32}); err == nil || !strings.Contains(err.Error(), "stored hash") {
		t.Errorf("from 32 with record 3 edited: %v, want a stored hash that differs", err)
	}
}
