package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// killScript is a whole exam; the campaign kills it somewhere inside.
// Its seeds draw the CPR item (cprSeed), whose reference check the
// script does before the first item.
const killScript = `plan TA-2026-KILL
signin 370902198001011230 123456
signin 37090219820202234X 567890
candidate %s
draw %s
reference cpr 50
item K1
play perfect
finish
confirm
ack yes
item K2
play perfect
finish
confirm
ack yes
item K3
play perfect
finish
confirm
ack yes
item K4
play perfect
finish
confirm
ack yes
done
`

// TestKillCampaign SIGKILLs a running `shicao station run` at random
// points, SHICAO_KILLS times (default 100), and after each kill checks
// what the issue demands: every event the station acknowledged as durable
// is in the database, every chain verifies, integrity_check is ok, and
// every interrupted session can be resumed (here then voided, to start
// the next round clean).
func TestKillCampaign(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the kill campaign runs in make test, not in -short")
	}
	kills := 100
	if v := os.Getenv("SHICAO_KILLS"); v != "" {
		kills, _ = strconv.Atoi(v)
	}
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "st")
	if code := run(ctx, []string{"station", "init", "--data", dir, "--demo"}, nil, io.Discard, io.Discard); code != 0 {
		t.Fatalf("station init exited %d", code)
	}
	// A candidate is examined once per plan and attempt, and a round that
	// completes gives its candidate a result: every round has its own.
	cands := killPlan(t, dir, 2*kills+10)
	script := filepath.Join(t.TempDir(), "exam.txt")
	rng := rand.New(rand.NewPCG(7, uint64(kills)))
	killed, completed := 0, 0
	// Calibrate: how many events does a whole exam append? Kill points
	// are drawn from that range, so that every kill lands mid-exam.
	total := 0
	for round := -1; killed < kills; round++ {
		if round+1 >= len(cands) {
			t.Fatalf("round %d: the plan's %d candidates are used up (%d kills, %d runs finished first)", round, len(cands), killed, completed)
		}
		cand := cands[round+1].IDNumber
		if err := os.WriteFile(script, fmt.Appendf(nil, killScript, cand, cprSeed("kill-"+strconv.Itoa(round))), 0o644); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command(os.Args[0], "station", "run", "--data", dir, "--script", script, "--virtual-clock", "--simulated-devices", "--trace")
		cmd.Env = append(os.Environ(), "SHICAO_AS_MAIN=1")
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd.Stderr = io.Discard
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		// Kill after a random number of acknowledgements: anywhere from
		// the first event to well past the end of the first item.
		killAt := 1 << 30
		if round >= 0 {
			killAt = 1 + rng.IntN(max(total, 1))
		}
		acked := map[int64]int64{} // session -> highest acknowledged seq
		sc := bufio.NewScanner(out)
		n := 0
		for sc.Scan() {
			f := strings.Fields(sc.Text())
			if len(f) == 3 && f[0] == "ack" {
				sess, _ := strconv.ParseInt(f[1], 10, 64)
				seq, _ := strconv.ParseInt(f[2], 10, 64)
				acked[sess] = max(acked[sess], seq)
				if n++; n == killAt {
					cmd.Process.Signal(syscall.SIGKILL)
					break
				}
			}
		}
		go io.Copy(io.Discard, out)
		state, _ := cmd.Process.Wait()
		switch ws, _ := state.Sys().(syscall.WaitStatus); {
		case ws.Signaled():
			killed++
		case round < 0:
			if !state.Success() {
				t.Fatalf("the calibration exam failed: %v", state)
			}
			total = n
			t.Logf("a whole exam appends %d events", total)
		default:
			completed++
		}
		check(t, ctx, dir, acked, round)
	}
	t.Logf("%d SIGKILLs mid-exam (%d runs finished first); every acknowledged event survived, every chain verified, every attempt resumed", killed, completed)
}

// killPlan imports into the station a plan like the demo plan with n
// made-up candidates.
func killPlan(t *testing.T, dir string, n int) []examsync.Candidate {
	t.Helper()
	p := demo.BulkPlan(standards.DateOf(time.Now()).String(), "TA-2026-KILL", n)
	signed, err := demo.SignPlan(p)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "plan.signed")
	if err := os.WriteFile(file, signed, 0o644); err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	if code := run(context.Background(), []string{"station", "plan", "import", "--data", dir, file}, nil, &out, &out); code != 0 {
		t.Fatalf("plan import exited %d: %s", code, out.String())
	}
	return p.Candidates
}

func check(t *testing.T, ctx context.Context, dir string, acked map[int64]int64, round int) {
	t.Helper()
	s, err := station.OpenDir(ctx, dir, nil)
	if err != nil {
		t.Fatalf("round %d: reopen: %v", round, err)
	}
	defer s.Close()
	if err := s.Store().IntegrityCheck(ctx); err != nil {
		t.Fatalf("round %d: %v", round, err)
	}
	for sess, seq := range acked {
		evs, err := s.Store().Events(ctx, sess)
		if err != nil {
			t.Fatal(err)
		}
		if int64(len(evs)) < seq {
			t.Fatalf("round %d: session %d has %d events, but event %d was acknowledged as durable", round, sess, len(evs), seq)
		}
		if _, err := s.Store().VerifyChain(ctx, sess); err != nil {
			t.Fatalf("round %d: %v", round, err)
		}
	}
	in, err := s.Interrupted(ctx)
	if err != nil {
		t.Fatal(err)
	}
	attempts := map[string]bool{}
	for _, x := range in {
		attempts[x.Session.AttemptID] = true
	}
	for a := range attempts {
		ex, err := s.ResumeExam(ctx, a)
		if err != nil {
			t.Fatalf("round %d: attempt %s cannot be resumed: %v", round, a, err)
		}
		if err := ex.Void(ctx, "kill campaign round "+strconv.Itoa(round)); err != nil {
			t.Fatalf("round %d: void %s: %v", round, a, err)
		}
	}
}

func init() {
	// The kill campaign re-executes the test binary as the shicao command.
	if os.Getenv("SHICAO_AS_MAIN") == "1" {
		ctx := context.Background()
		os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
	}
}

// cprSeed returns the first seed prefix-0, prefix-1... that draws the CPR
// item (SD-DG-K42, first of K4's pool of two): every round then runs the
// same items, the longest log among them.
func cprSeed(prefix string) string {
	for i := 0; ; i++ {
		if seed := prefix + "-" + strconv.Itoa(i); station.DrawIndex(seed, "K4", 2) == 0 {
			return seed
		}
	}
}
