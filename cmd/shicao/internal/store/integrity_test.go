package store_test

import (
	"context"
	"errors"
	"os"
	"strconv"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/store"
)

// TestCheckStart: a station's database whose chains are whole passes;
// a session whose recorded head is not its last event is damage.
func TestCheckStart(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	var ids []int64
	for range 3 {
		id := newSession(t, s)
		for i := range 5 {
			if _, err := s.Append(ctx, id, store.NewEvent{TMs: int64(i), Type: "cpr.compression", Source: "device:cpr", Data: []byte(`{"depth_mm":55}`)}); err != nil {
				t.Fatal(err)
			}
		}
		ids = append(ids, id)
	}
	newSession(t, s) // no event yet
	if err := s.CheckStart(ctx); err != nil {
		t.Fatalf("whole chains: %v", err)
	}
	if _, err := s.DB().ExecContext(ctx, `UPDATE sessions SET head_seq = 4 WHERE id = ?`, ids[1]); err != nil {
		t.Fatal(err)
	}
	err := s.CheckStart(ctx)
	if !errors.Is(err, store.ErrDamaged) || err.Error() != "the station's database is damaged: session 2: its recorded head is event 4, its log ends at event 5" {
		t.Fatalf("a head behind its log: %v", err)
	}
}

// TestCheckStart_Cost measures the station's start check on a database
// of SHICAO_CHECK_SESSIONS sessions of 250 events each (a CPR item with
// its 25 Hz samples is a few thousand; most items are tens). It runs
// only when that is set:
//
//	SHICAO_CHECK_SESSIONS=2000 go test -count=1 -v -run TestCheckStart_Cost ./cmd/shicao/internal/store/
func TestCheckStart_Cost(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("SHICAO_CHECK_SESSIONS"))
	if n <= 0 {
		t.Skip("set SHICAO_CHECK_SESSIONS=N to measure the start check on a station of N sessions")
	}
	ctx := context.Background()
	s, path := open(t)
	data := []byte(`{"depth_mm":55,"position":"ok","recoil":true}`)
	for range n {
		id := newSession(t, s)
		var last *store.Pending
		for i := range 250 {
			p, err := s.Enqueue(ctx, id, store.NewEvent{TMs: int64(i), Type: "cpr.compression", Source: "device:cpr", Data: data})
			if err != nil {
				t.Fatal(err)
			}
			last = p
		}
		if _, err := last.Wait(); err != nil {
			t.Fatal(err)
		}
	}
	start := time.Now()
	if err := s.CheckStart(ctx); err != nil {
		t.Fatal(err)
	}
	took := time.Since(start)
	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d sessions, %d events, station.db %d MB (+ WAL): start check %s", n, n*250, fi.Size()>>20, took.Round(time.Millisecond))
}
