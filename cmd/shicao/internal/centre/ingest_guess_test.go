package centre_test

import (
	"context"
	"fmt"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestIngest_WrongSizeGuess: an append reads the stored hashes it needs
// in the round trip that takes the log's lock, guessing the log's size
// from this process's last append. Another process may have appended
// since (or the last append rolled back): whatever the guess, each
// receipt verifies, with the record at the next index, and the log
// verifies whole.
func TestIngest_WrongSizeGuess(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, _ := centretest.NewCentreDirOn(t, centretest.Backend(), st)
	base := st.Exam(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("guess"), 0)
	guesses := []func(n int64) int64{
		func(n int64) int64 { return n },     // right
		func(n int64) int64 { return -1 },    // none
		func(n int64) int64 { return 0 },     // the empty log
		func(n int64) int64 { return n - 1 }, // one behind: another process appended
		func(n int64) int64 { return n + 1 }, // one ahead: the last append rolled back
		func(n int64) int64 { return n + 13 },
		func(n int64) int64 { return 1 << 40 },
	}
	const results = 16
	cands := st.BulkPlan(t, c, "TA-GUESS", results)
	for i := range results {
		body, err := centretest.Variant(base.Bundle, st.Signer, centretest.For(fmt.Sprintf("guess%03d", i), "TA-GUESS", cands[i]))
		if err != nil {
			t.Fatal(err)
		}
		centre.SetSizeHint(c, guesses[i%len(guesses)](int64(i)))
		receipt, err := c.Ingest(ctx, demo.Station, body)
		if err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		rc, cp, err := examsync.VerifyReceipt(receipt, c.Verifier(), fmt.Sprintf("guess%03d", i), demo.Station, body)
		if err != nil {
			t.Fatalf("result %d: %v", i, err)
		}
		if rc.Index != int64(i) || cp.Size != int64(i)+1 {
			t.Errorf("result %d: index %d in a log of %d", i, rc.Index, cp.Size)
		}
	}
	rep, err := c.VerifyLog(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != results || rep.Receipts != results {
		t.Errorf("log verify: %+v, want %d records and receipts", rep, results)
	}
}
