package sync_test

import (
	"context"
	"net/http"
	"net/http/httptest"
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
