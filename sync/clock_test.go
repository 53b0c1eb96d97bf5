package sync_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	examsync "shicao/sync"
)

// The client measures its clock offset from the centre's time on every
// answer, even a refusal: with the centre 1.5 s ahead the offset is
// 1.5 s (the round trip here is next to nothing).
func TestClient_ClockOffset(t *testing.T) {
	keys, signers := stations(t, "S1")
	_, others := stations(t, "S2")
	station := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	srv := httptest.NewServer((&examsync.Server{Keys: keys, Nonces: &fakeNonces{},
		Now: func() time.Time { return station.Add(1500 * time.Millisecond) }}).Handler())
	defer srv.Close()
	// A station the centre does not know: refused, with the centre's time.
	c, err := examsync.NewClient(srv.URL, "S2", others["S2"], nil)
	if err != nil {
		t.Fatal(err)
	}
	_ = signers
	c.Now = func() time.Time { return station }
	if _, _, ok := c.ClockOffset(); ok {
		t.Fatal("ClockOffset is known before any answer")
	}
	_, _ = c.Checkpoint(context.Background()) // any answer will do
	off, at, ok := c.ClockOffset()
	if !ok || off != 1500*time.Millisecond || !at.Equal(station) {
		t.Fatalf("ClockOffset = %v at %v (%v), want 1.5s at %v", off, at, ok, station)
	}
}

// Without the centre's header, Date (whole seconds) is used.
func TestClient_ClockOffsetFromDate(t *testing.T) {
	_, signers := stations(t, "S1")
	station := time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", station.Add(-3*time.Second).Format(http.TimeFormat))
		w.WriteHeader(http.StatusNotFound)
	}))
	defer srv.Close()
	c, err := examsync.NewClient(srv.URL, "S1", signers["S1"], nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Now = func() time.Time { return station }
	_, _ = c.Checkpoint(context.Background())
	if off, _, ok := c.ClockOffset(); !ok || off != -3*time.Second {
		t.Fatalf("ClockOffset = %v (%v), want -3s", off, ok)
	}
}

// slowLog is a centre whose checkpoint takes 4 s of both clocks.
type slowLog struct {
	fakeLog
	clock *sharedClock
}

func (l slowLog) Checkpoint(ctx context.Context) ([]byte, error) {
	l.clock.advance(4 * time.Second)
	return []byte("cp"), nil
}

type sharedClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *sharedClock) now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *sharedClock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// A centre 200 ms ahead that takes 4 s to answer (a loaded centre
// checking an upload) is measured 200 ms ahead: its two stamps cancel
// the 4 s. The middle of the round trip would make it 2.2 s ahead, and
// the readiness gate would refuse a station whose clock is right.
func TestClient_ClockOffsetSlowCentre(t *testing.T) {
	keys, signers := stations(t, "S1")
	clock := &sharedClock{t: time.Date(2026, 11, 28, 8, 0, 0, 0, time.UTC)}
	srv := httptest.NewServer((&examsync.Server{Keys: keys, Nonces: &fakeNonces{}, Log: slowLog{clock: clock},
		Now: func() time.Time { return clock.now().Add(200 * time.Millisecond) }}).Handler())
	defer srv.Close()
	c, err := examsync.NewClient(srv.URL, "S1", signers["S1"], nil)
	if err != nil {
		t.Fatal(err)
	}
	c.Now = clock.now
	if _, err := c.Checkpoint(context.Background()); err != nil {
		t.Fatal(err)
	}
	if off, _, ok := c.ClockOffset(); !ok || off != 200*time.Millisecond {
		t.Fatalf("ClockOffset = %v (%v), want 200ms", off, ok)
	}
}
