package centre_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
	examsync "shicao/sync"
)

// TestMove: a SQLite centre with results, an appeal and alarms moves to
// PostgreSQL; log verify passes on both sides with the same root; the
// moved centre takes the next upload at the next index (its identity
// columns go on after the ids moved), and a second move into the same
// database is refused.
func TestMove(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	to := pgdbtest.DSN(t)
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDirOn(t, "sqlite", st)
	var ids []string
	for i, seed := range []string{"move-1", "move-2"} {
		s := st.Exam(t, demo.Candidates[i].IDNumber, seed, 0)
		if _, err := c.Ingest(ctx, demo.Station, s.Bundle); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, s.ID)
	}
	if _, err := c.FileAppeal(ctx, ids[0], "误判", 0); err != nil {
		t.Fatal(err)
	}
	// An alarm, so that alarms' identity column has rows.
	if _, err := c.Ingest(ctx, demo.Station, []byte(`{"not":"a bundle"}`)); err == nil {
		t.Fatal("a malformed bundle was accepted")
	}
	c.Close()
	key, err := os.ReadFile(filepath.Join(dir, centre.KeyFile))
	if err != nil {
		t.Fatal(err)
	}

	rep, err := centre.Move(ctx, filepath.Join(dir, centre.DBFile), to, string(key))
	if err != nil {
		t.Fatal(err)
	}
	t.Log(rep.Summary())
	if rep.From.Records != 3 || rep.To.Records != 3 || rep.To.Root != rep.From.Root || rep.To.Appeals != 1 || rep.To.Receipts != 3 {
		t.Errorf("moved: %+v from %+v", rep.To, rep.From)
	}

	// The moved centre goes on.
	_, zone := centretest.Zone()
	pc, err := centre.Open(ctx, dir, centre.Options{DB: to, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	defer pc.Close()
	alarms, err := pc.Alarms(ctx)
	if err != nil || len(alarms) != 1 {
		t.Fatalf("alarms moved: %+v, %v", alarms, err)
	}
	s := st.Exam(t, demo.Candidates[2].IDNumber, "move-3", 0)
	receipt, err := pc.Ingest(ctx, demo.Station, s.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	r, _, err := examsync.VerifyReceipt(receipt, pc.Verifier(), s.ID, demo.Station, s.Bundle)
	if err != nil || r.Index != 3 {
		t.Fatalf("the next upload after the move: index %v, %v; want 3", r, err)
	}
	if _, err := pc.Ingest(ctx, demo.Station, []byte(`{"not":"a bundle"}`)); err == nil {
		t.Fatal("a malformed bundle was accepted")
	}
	if alarms, err = pc.Alarms(ctx); err != nil || len(alarms) != 2 {
		t.Fatalf("a new alarm after the move: %+v, %v", alarms, err)
	}
	if rep, err := pc.VerifyLog(ctx, true); err != nil || rep.Records != 4 || rep.Rescored != 3 {
		t.Fatalf("log verify after the move and an upload: %+v, %v", rep, err)
	}

	_, err = centre.Move(ctx, filepath.Join(dir, centre.DBFile), to, string(key))
	if err == nil || !strings.Contains(err.Error(), "already holds a centre") {
		t.Errorf("a second move into the same database: %v", err)
	}
}
