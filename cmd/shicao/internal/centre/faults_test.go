package centre_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// TestFaults_Campaign sends results through a link that drops requests,
// drops answers after the centre committed, duplicates requests, delays,
// answers 5xx and cuts bodies short, on at least 20% of requests. At the
// end the centre holds exactly the station's results, none twice, every
// receipt the station kept verifies, and the log verifies.
//
// The default run sends 300 results; SHICAO_FAULTS=full (make faults)
// sends 1,000.
func TestFaults_Campaign(t *testing.T) {
	t.Parallel()
	n := 300
	if os.Getenv("SHICAO_FAULTS") == "full" {
		n = 1000
	}
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c := centretest.NewCentre(t, st)
	srv := httptest.NewServer(c.Server(nil).Handler())
	defer srv.Close()

	base := st.Exam(t, demo.Candidates[0].IDNumber, "faults", 0)
	ids := append([]string{base.ID}, st.Fill(t, c, base, n-1, "f")...)

	faults := centretest.NewFaults(srv.Client().Transport, 0.3, 6)
	client, err := examsync.NewClient(srv.URL, demo.Station, st.Signer, &http.Client{Transport: faults, Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	// The schedule runs on a fake clock (rounds need not wait out the
	// backoff); requests are signed with the real time the centre checks.
	clock := centretest.NewClock(time.Now())
	u := &examsync.Uploader{Outbox: st.S.Store().SyncOutbox(), Client: client, CentreKey: c.Verifier(), Now: clock.Now,
		Backoff: examsync.Backoff{Base: time.Second, Cap: 30 * time.Second}}
	rounds := 0
	for ; rounds < 200; rounds++ {
		rep, err := u.Round(ctx)
		if err != nil {
			t.Fatalf("round %d: %v", rounds, err)
		}
		if len(rep.Parked) > 0 {
			t.Fatalf("round %d parked %s: %s", rounds, rep.Parked[0].ResultID, rep.Parked[0].Reason)
		}
		queued, err := st.S.Store().Outbox(ctx, store.OutboxQueued)
		if err != nil {
			t.Fatal(err)
		}
		if len(queued) == 0 {
			break
		}
		clock.Advance(30 * time.Second) // the backoff's cap: every row is due again
	}
	total, counts := faults.Counts()
	faulted := 0
	for _, v := range counts {
		faulted += v
	}
	t.Logf("%d results in %d rounds; %s", n, rounds+1, faults)
	if float64(faulted) < 0.2*float64(total) {
		t.Errorf("only %d of %d requests faulted, want at least 20%%", faulted, total)
	}
	for _, k := range []string{centretest.FaultDropResponse, centretest.FaultDuplicate, centretest.FaultTruncRequest, centretest.FaultTruncResponse} {
		if counts[k] == 0 {
			t.Errorf("no %s fault was injected", k)
		}
	}
	if faults.ReplaysAccepted != 0 {
		t.Errorf("%d duplicated requests were not refused as replays", faults.ReplaysAccepted)
	}
	checkSame(t, ctx, st, c.Results, c.Verifier(), ids)
	rep, err := c.VerifyLog(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != int64(n) || rep.Receipts != n {
		t.Fatalf("log: %+v, want %d records", rep, n)
	}
}
