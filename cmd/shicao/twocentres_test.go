package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestServe_TwoCentresOnePostgres: two `shicao centre serve` processes
// on different ports share one PostgreSQL database; several stations
// upload at once, each to both in turn; one process is SIGKILLed in the
// middle of the burst and started again. Then: the Merkle log is one log
// (log verify over it all), no result is held twice, every receipt a
// station got verifies and is consistent with the final checkpoint, and
// every receipted result is held with its exact bytes. It prints the
// counts:
//
//	go test -count=1 -v -run TestServe_TwoCentresOnePostgres ./cmd/shicao/
func TestServe_TwoCentresOnePostgres(t *testing.T) {
	t.Parallel()
	const (
		stations   = 4
		perStation = 24
	)
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDirOn(t, "postgres", st) // skips loudly with no PostgreSQL
	base := st.Exam(t, demo.Candidates[0].IDNumber, "two-centres", 0)

	// Stations STN-01 (the demo's) to STN-04, each with a plan of its
	// own and results signed with its own key.
	type upload struct {
		id, station string
		body        []byte
	}
	work := make([][]upload, stations)
	signers := make([]string, stations)
	names := make([]string, stations)
	for k := range stations {
		names[k], signers[k] = demo.Station, st.Signer
		if k > 0 {
			names[k] = fmt.Sprintf("STN-%02d", k+1)
			signer, pub, err := standards.GenerateKey("station-" + names[k])
			if err != nil {
				t.Fatal(err)
			}
			signers[k] = signer
			if err := c.AddStation(ctx, names[k], demo.Site, pub); err != nil {
				t.Fatal(err)
			}
		}
		plan := fmt.Sprintf("TA-TWO-%d", k+1)
		p := demo.BulkPlan(st.S.Today().String(), plan, perStation)
		var rows []centre.PlanRow
		for _, x := range p.Candidates {
			rows = append(rows, centre.PlanRow{Plan: plan, Date: p.Date, Site: p.Site, Station: names[k], Category: p.Category,
				Blueprint: p.Blueprint, IDNumber: x.IDNumber, Name: x.Name, Attempt: x.Attempt, Examiners: p.Examiners})
		}
		if _, err := c.ImportPlans(ctx, rows); err != nil {
			t.Fatal(err)
		}
		for i, x := range p.Candidates {
			id := fmt.Sprintf("two%d%05d", k+1, i)
			body, err := centretest.Variant(base.Bundle, signers[k], func(d *examsync.ResultDoc) {
				d.ID, d.Station, d.Plan = id, names[k], plan
				d.Candidate = examsync.CandidateRef{IDNumber: x.IDNumber, Name: x.Name, Attempt: 1}
				d.SignedMs += int64(i)
			})
			if err != nil {
				t.Fatal(err)
			}
			work[k] = append(work[k], upload{id, names[k], body})
		}
	}
	c.Close()

	// The two centres.
	zone, _ := centretest.Zone()
	type proc struct {
		cmd    *exec.Cmd
		url    string
		exited chan struct{}
	}
	start := func(name string) *proc {
		addrFile := filepath.Join(t.TempDir(), "addr")
		cmd := exec.Command(os.Args[0], "centre", "serve", "--data", dir, "--listen", "127.0.0.1:0", "--addr-file", addrFile)
		cmd.Env = append(os.Environ(), "SHICAO_AS_MAIN=1", "TZ="+zone)
		logFile, err := os.Create(filepath.Join(t.TempDir(), name+".log"))
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { logFile.Close() })
		cmd.Stdout, cmd.Stderr = logFile, logFile
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		p := &proc{cmd: cmd, exited: make(chan struct{})}
		go func() { cmd.Wait(); close(p.exited) }()
		t.Cleanup(func() { cmd.Process.Kill(); <-p.exited })
		p.url = waitAddr(t, addrFile, p.exited)
		return p
	}
	var mu gosync.Mutex // guards procs
	procs := []*proc{start("a"), start("b")}
	urls := func() []string {
		mu.Lock()
		defer mu.Unlock()
		return []string{procs[0].url, procs[1].url}
	}

	// The burst: each station uploads its results in turn to A and B,
	// going on at the other centre when one does not answer.
	total := stations * perStation
	var receipted, attempts, failed, internal atomic.Int64
	receipts := make([][][]byte, stations)
	killAt := int64(total / 3)
	killed := make(chan struct{})
	var killOnce gosync.Once
	var wg gosync.WaitGroup
	for k := range stations {
		receipts[k] = make([][]byte, perStation)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i, u := range work[k] {
				// A bounded number of tries: the survivor answers every one.
				for try := 0; ; try++ {
					if try == 40 {
						t.Errorf("station %s: result %s not receipted after %d tries", u.station, u.id, try)
						return
					}
					url := urls()[(i+try+k)%2]
					client, err := examsync.NewClient(url, u.station, signers[k], &http.Client{Timeout: time.Minute})
					if err != nil {
						t.Error(err)
						return
					}
					attempts.Add(1)
					rc, err := client.Upload(ctx, u.body)
					var ref *examsync.Refusal
					if errors.As(err, &ref) && ref.Status != http.StatusTooManyRequests && ref.Status < 500 {
						t.Errorf("station %s: result %s refused: %v", u.station, u.id, err)
						return
					}
					if err != nil {
						// Cut by the kill; a 5xx is the centre failing to
						// serialise appends, counted against it.
						if ref != nil {
							internal.Add(1)
						}
						failed.Add(1)
						continue
					}
					receipts[k][i] = rc
					if receipted.Add(1) == killAt {
						killOnce.Do(func() { close(killed) })
					}
					break
				}
			}
		}()
	}
	// SIGKILL A in the middle of the burst, then start it again.
	select {
	case <-killed:
	case <-time.After(10 * time.Minute):
		t.Fatal("the burst did not reach a third of its uploads")
	}
	mu.Lock()
	victim := procs[0]
	mu.Unlock()
	victim.cmd.Process.Signal(syscall.SIGKILL)
	<-victim.exited
	again := start("a2")
	mu.Lock()
	procs[0] = again
	mu.Unlock()
	wg.Wait()
	if t.Failed() {
		t.FailNow()
	}

	// One log, no duplicate, every receipt verifies, nothing lost.
	pc, err := centre.Open(ctx, dir, centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	rep, err := pc.VerifyLog(ctx, false)
	if err != nil {
		t.Fatalf("log verify over both centres' appends: %v", err)
	}
	final, err := pc.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	finalCP, err := examsync.OpenCheckpoint(final, pc.Verifier())
	if err != nil {
		t.Fatal(err)
	}
	rows, err := pc.Results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	held := map[string]int{}
	for _, r := range rows {
		held[r.ID]++
	}
	var duplicates, lost int
	for _, n := range held {
		duplicates += n - 1
	}
	indexes := map[int64]string{}
	for k := range stations {
		for i, u := range work[k] {
			r, cp, err := examsync.VerifyReceipt(receipts[k][i], pc.Verifier(), u.id, u.station, u.body)
			if err != nil {
				t.Errorf("receipt of %s: %v", u.id, err)
				continue
			}
			if other, ok := indexes[r.Index]; ok {
				t.Errorf("results %s and %s were both receipted at index %d", other, u.id, r.Index)
			}
			indexes[r.Index] = u.id
			proof, err := pc.Consistency(ctx, cp.Size, finalCP.Size)
			if err != nil {
				t.Fatal(err)
			}
			if err := examsync.VerifyConsistency(cp, finalCP, proof); err != nil {
				t.Errorf("receipt of %s (checkpoint %d) is not consistent with the final checkpoint %d: %v", u.id, cp.Size, finalCP.Size, err)
			}
			body, err := pc.ResultBody(ctx, u.id)
			if err != nil || string(body) != string(u.body) {
				lost++
				t.Errorf("receipted result %s is not held with its bytes (%v)", u.id, err)
			}
		}
	}
	t.Logf("%d uploads (%d results, %d cut by the kill and sent again, %d server errors) from %d stations to 2 centre processes on one PostgreSQL; 1 SIGKILL mid-burst (after %d receipts) and a restart; log verify: %d records, %d receipts, %d checkpoints, one root; %d duplicates, %d lost",
		attempts.Load(), total, failed.Load()-internal.Load(), internal.Load(), stations, killAt, rep.Records, rep.Receipts, rep.Checkpoints, duplicates, lost)
	if n := internal.Load(); n > 0 {
		t.Errorf("the centres answered %d uploads with a server error (5xx): appends were not serialised", n)
	}
	if rep.Records != int64(total) || len(held) != total || duplicates != 0 {
		t.Errorf("the log holds %d records and the results table %d results (%d duplicates), want %d", rep.Records, len(held), duplicates, total)
	}
}
