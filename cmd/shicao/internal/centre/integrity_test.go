package centre_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
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
