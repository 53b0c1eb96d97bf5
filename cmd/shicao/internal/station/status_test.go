package station_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// fakePoster records the statuses posted, failing while fail is set.
type fakePoster struct {
	mu   sync.Mutex
	got  []examsync.StationStatus
	fail error
}

func (p *fakePoster) PostStatus(_ context.Context, st examsync.StationStatus) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.got = append(p.got, st)
	return p.fail
}

func (p *fakePoster) count() int { p.mu.Lock(); defer p.mu.Unlock(); return len(p.got) }

// TestStatusReporter_Run: a status at start, then one every tick with
// the snapshot of that moment; a failing centre does not stop it; the
// context's end does, with its error. Time is synctest's: nothing waits
// for the wall clock.
func TestStatusReporter_Run(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		p := &fakePoster{}
		n := 0
		r := &station.StatusReporter{Poster: p, Snapshot: func(context.Context) examsync.StationStatus {
			n++
			return examsync.StationStatus{Screen: "live", ElapsedMs: int64(n)}
		}}
		done := make(chan error, 1)
		go func() { done <- r.Run(ctx) }()
		synctest.Wait()
		if p.count() != 1 {
			t.Fatalf("%d statuses at start, want 1", p.count())
		}
		time.Sleep(station.StatusEvery - time.Millisecond)
		synctest.Wait()
		if p.count() != 1 {
			t.Fatalf("%d statuses before the first tick, want 1", p.count())
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if p.count() != 2 || p.got[1].ElapsedMs != 2 {
			t.Fatalf("after one tick: %+v, want a second status with the second snapshot", p.got)
		}
		p.mu.Lock()
		p.fail = errors.New("centre down")
		p.mu.Unlock()
		time.Sleep(2 * station.StatusEvery)
		synctest.Wait()
		if p.count() != 4 {
			t.Fatalf("%d statuses after two ticks of a failing centre, want 4", p.count())
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Errorf("Run returned %v, want context.Canceled", err)
		}
	})
}

// TestStatusReporter_Ticker: an injected ticker drives the sends.
func TestStatusReporter_Ticker(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	tick := make(chan time.Time)
	sent := make(chan examsync.StationStatus)
	r := &station.StatusReporter{
		Poster:    posterFunc(func(st examsync.StationStatus) { sent <- st }),
		Snapshot:  func(context.Context) examsync.StationStatus { return examsync.StationStatus{Screen: "draw"} },
		NewTicker: func(time.Duration) (<-chan time.Time, func()) { return tick, func() {} },
	}
	go r.Run(ctx)
	<-sent // at start
	tick <- time.Time{}
	if st := <-sent; st.Screen != "draw" {
		t.Errorf("sent %+v on the tick", st)
	}
}

type posterFunc func(examsync.StationStatus)

func (f posterFunc) PostStatus(_ context.Context, st examsync.StationStatus) error {
	f(st)
	return nil
}

// TestStation_FillStatus: the station's name, an empty outbox, the
// clock offset once a sync measured it, and every installed standard
// once, the running item's first.
func TestStation_FillStatus(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t)
	st := examsync.StationStatus{Standards: []string{"SD-DG-K42@1"}}
	if err := f.s.FillStatus(ctx, &st); err != nil {
		t.Fatal(err)
	}
	if st.Station != demo.Station || st.OutboxDepth != 0 || st.ClockOffsetMs != nil {
		t.Errorf("status %+v: want %s, an empty outbox and no clock offset", st, demo.Station)
	}
	if len(st.Standards) < 2 || st.Standards[0] != "SD-DG-K42@1" || strings.Count(strings.Join(st.Standards, ","), "SD-DG-K42@") != 1 {
		t.Errorf("standards %v: want the item's first, each once", st.Standards)
	}
	if err := f.s.RecordClockOffset(ctx, -37*time.Millisecond, f.s.Now()); err != nil {
		t.Fatal(err)
	}
	if err := f.s.FillStatus(ctx, &st); err != nil {
		t.Fatal(err)
	}
	if st.ClockOffsetMs == nil || *st.ClockOffsetMs != -37 {
		t.Errorf("clock offset %v, want -37 ms", st.ClockOffsetMs)
	}
}

var _ station.StatusPoster = (*examsync.Client)(nil)
