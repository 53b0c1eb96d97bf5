package centre_test

import (
	"context"
	"errors"
	"io"
	"log"
	"math/rand/v2"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// TestFaults_Kills is the long campaign of make faults
// (SHICAO_FAULTS=full): 1,000 results from a `shicao station sync
// process to a `shicao centre serve` process through a loopback proxy
// that faults 30% of requests, while the test SIGKILLs the station at
// least 20 times and the centre at least 20 times at random moments. At
// the end the centre's set equals the station's, none twice, every
// receipt verifies, and the log verifies.
func TestFaults_Kills(t *testing.T) {
	t.Parallel()
	if os.Getenv("SHICAO_FAULTS") != "full" {
		t.Skip("the kill campaign runs with SHICAO_FAULTS=full (make faults)")
	}
	const n, minKills = 1000, 20
	ctx := context.Background()
	bin := filepath.Join(t.TempDir(), "shicao")
	if out, err := exec.Command("go", "build", "-o", bin, "shicao/cmd/shicao").CombinedOutput(); err != nil {
		t.Fatalf("build shicao: %v\n%s", err, out)
	}
	zone, _ := centretest.Zone()
	st := centretest.NewStation(t, "")
	c, centreDir := centretest.NewCentreDir(t, st)
	base := st.Exam(t, demo.Candidates[0].IDNumber, "kills", 0)
	ids := append([]string{base.ID}, st.Fill(t, c, base, n-1, "k")...)
	centreKey := c.Verifier()
	st.S.Close()
	c.Close()

	// The proxy: every request through the fault injector, to wherever
	// the centre listens now.
	var target atomic.Pointer[url.URL]
	faults := centretest.NewFaults(nil, 0.3, 7)
	proxy := httptest.NewServer(&httputil.ReverseProxy{
		Rewrite:   func(r *httputil.ProxyRequest) { r.SetURL(target.Load()) },
		Transport: faults,
		ErrorLog:  log.New(io.Discard, "", 0), // the faults are the point
	})
	defer proxy.Close()

	var centreCmd *exec.Cmd
	addrFile := filepath.Join(t.TempDir(), "addr")
	startCentre := func() {
		os.Remove(addrFile)
		centreCmd = exec.Command(bin, "centre", "serve", "--data", centreDir, "--listen", "127.0.0.1:0", "--addr-file", addrFile)
		centreCmd.Env = append(os.Environ(), "TZ="+zone) // the demo centre's exam dates are local days
		if err := centreCmd.Start(); err != nil {
			t.Fatal(err)
		}
		for i := 0; ; i++ {
			b, err := os.ReadFile(addrFile)
			if err == nil {
				u, err := url.Parse(strings.TrimSpace(string(b)))
				if err != nil {
					t.Fatal(err)
				}
				target.Store(u)
				return
			}
			if i > 400 {
				t.Fatal("the centre did not start")
			}
			time.Sleep(25 * time.Millisecond)
		}
	}
	startCentre()
	defer func() { centreCmd.Process.Kill(); centreCmd.Wait() }()

	rng := rand.New(rand.NewPCG(20, 26))
	stationKills, centreKills, runs := 0, 0, 0
	killLater := func(cmd *exec.Cmd, after time.Duration) *time.Timer {
		return time.AfterFunc(after, func() { cmd.Process.Signal(syscall.SIGKILL) })
	}
	for ; runs < 2000; runs++ {
		done := stationKills >= minKills && centreKills >= minKills
		sync := exec.Command(bin, "station", "sync", "--data", st.Dir, "--centre", proxy.URL, "--timeout", "5s")
		if err := sync.Start(); err != nil {
			t.Fatal(err)
		}
		var killStation, killCentre *time.Timer
		if !done && rng.IntN(2) == 0 {
			killStation = killLater(sync, time.Duration(50+rng.IntN(750))*time.Millisecond)
		}
		if !done && rng.IntN(3) == 0 {
			killCentre = killLater(centreCmd, time.Duration(50+rng.IntN(750))*time.Millisecond)
		}
		err := sync.Wait()
		if killStation != nil {
			killStation.Stop()
		}
		var exit *exec.ExitError
		if errors.As(err, &exit) && exit.Sys().(syscall.WaitStatus).Signaled() {
			stationKills++
		}
		if killCentre != nil {
			if !killCentre.Stop() { // it fired: the centre is dead or dying
				centreCmd.Wait()
				centreKills++
				startCentre()
			}
		}
		if done && queued(t, ctx, st.Dir) == 0 {
			break
		}
	}
	centreCmd.Process.Signal(syscall.SIGKILL)
	centreCmd.Wait()
	t.Logf("%d results, %d sync runs, %d station SIGKILLs, %d centre SIGKILLs; %s", n, runs+1, stationKills, centreKills, faults)
	if stationKills < minKills || centreKills < minKills {
		t.Fatalf("only %d station and %d centre kills", stationKills, centreKills)
	}
	if faults.ReplaysAccepted != 0 {
		t.Errorf("%d duplicated requests were not refused as replays", faults.ReplaysAccepted)
	}

	s, err := station.OpenDir(ctx, st.Dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st.S = s
	c, err = centre.Open(ctx, centreDir, centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	checkSame(t, ctx, st, c.Results, centreKey, ids)
	rep, err := c.VerifyLog(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != n {
		t.Fatalf("log: %+v, want %d records", rep, n)
	}
	if err := s.Store().IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

func queued(t *testing.T, ctx context.Context, dir string) int {
	t.Helper()
	st, err := store.Open(ctx, filepath.Join(dir, station.DBFile), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	rows, err := st.Outbox(ctx, store.OutboxQueued)
	if err != nil {
		t.Fatal(err)
	}
	return len(rows)
}
