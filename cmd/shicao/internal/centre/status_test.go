package centre_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// statusRig is a demo centre on a settable clock, its API, and the demo
// station's client on the same clock.
type statusRig struct {
	c      *centre.Centre
	clock  *centretest.Clock
	srv    *httptest.Server
	client *examsync.Client
}

func newStatusRig(t *testing.T) *statusRig {
	t.Helper()
	st := centretest.NewStation(t, "")
	_, dir := centretest.NewCentreDir(t, st)
	clock := centretest.NewClock(time.Now())
	_, zone := centretest.Zone()
	c, err := centre.Open(context.Background(), dir, centre.Options{Now: clock.Now, Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	srv := httptest.NewServer(c.Server(nil).Handler())
	t.Cleanup(srv.Close)
	client, err := examsync.NewClient(srv.URL, demo.Station, st.Signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	client.Now = clock.Now
	return &statusRig{c: c, clock: clock, srv: srv, client: client}
}

func sampleStatus() examsync.StationStatus {
	off := int64(12)
	return examsync.StationStatus{Screen: "live", Plan: "P-1", Candidate: "陈明 370902********0011", Item: "SD-DG-K42 心肺复苏", ElapsedMs: 73_000,
		Devices: []examsync.DeviceStatus{{Kind: "cpr", State: "connected"}}, OutboxDepth: 2, ClockOffsetMs: &off, Software: "shicao test", Standards: []string{"SD-DG-K42@1"}}
}

func refusalCode(t *testing.T, err error) string {
	t.Helper()
	var ref *examsync.Refusal
	if !errors.As(err, &ref) {
		t.Fatalf("want a refusal, got %v", err)
	}
	return ref.Code
}

func alarmsOf(t *testing.T, c *centre.Centre, kind string) []centre.Alarm {
	t.Helper()
	all, err := c.Alarms(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var out []centre.Alarm
	for _, a := range all {
		if a.Kind == kind {
			out = append(out, a)
		}
	}
	return out
}

// TestCentre_Status: a registered station's signed status is kept with
// the time it was seen; a forged one (another key under the station's
// name) and an unregistered station's are refused, counted and alarmed,
// and never shown; a replayed one is refused; a whole ID number is
// refused.
func TestCentre_Status(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newStatusRig(t)

	t.Run("OK", func(t *testing.T) {
		if err := r.client.PostStatus(ctx, sampleStatus()); err != nil {
			t.Fatal(err)
		}
		l, err := r.c.LiveStationByName(ctx, demo.Station)
		if err != nil {
			t.Fatal(err)
		}
		if l.Status == nil || l.Status.Screen != "live" || l.Status.Candidate != "陈明 370902********0011" || l.Status.OutboxDepth != 2 {
			t.Fatalf("kept status %+v", l.Status)
		}
		if l.SeenMs != r.clock.Now().UnixMilli() || l.Offline(r.clock.Now()) {
			t.Errorf("seen at %d, want %d and online", l.SeenMs, r.clock.Now().UnixMilli())
		}
	})

	forged, _, err := standards.GenerateKey(demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	t.Run("ErrBadSignature", func(t *testing.T) {
		fc, err := examsync.NewClient(r.srv.URL, demo.Station, forged, nil)
		if err != nil {
			t.Fatal(err)
		}
		fc.Now = r.clock.Now
		r.clock.Advance(time.Second)
		st := sampleStatus()
		st.Screen = "forged-screen"
		if code := refusalCode(t, fc.PostStatus(ctx, st)); code != examsync.CodeBadSignature {
			t.Errorf("forged status refused %q, want %q", code, examsync.CodeBadSignature)
		}
		l, _ := r.c.LiveStationByName(ctx, demo.Station)
		if l.Status.Screen == "forged-screen" {
			t.Error("the forged status is shown")
		}
	})

	t.Run("ErrUnknownStation", func(t *testing.T) {
		key, _, _ := standards.GenerateKey("STN-99")
		uc, err := examsync.NewClient(r.srv.URL, "STN-99", key, nil)
		if err != nil {
			t.Fatal(err)
		}
		uc.Now = r.clock.Now
		if code := refusalCode(t, uc.PostStatus(ctx, sampleStatus())); code != examsync.CodeUnknownStation {
			t.Errorf("unregistered station's status refused %q, want %q", code, examsync.CodeUnknownStation)
		}
		if _, err := r.c.LiveStationByName(ctx, "STN-99"); !errors.Is(err, centre.ErrNotFound) {
			t.Errorf("an unregistered station is listed: %v", err)
		}
	})

	t.Run("ErrWholeID", func(t *testing.T) {
		r.clock.Advance(time.Second)
		st := sampleStatus()
		st.Candidate = "陈明 370902199001010011"
		if code := refusalCode(t, r.client.PostStatus(ctx, st)); code != examsync.CodeBadStatus {
			t.Errorf("a whole ID number refused %q, want %q", code, examsync.CodeBadStatus)
		}
	})

	t.Run("ErrReplay", func(t *testing.T) {
		// The client signs at the clock's time: without advancing it, the
		// next status bears the time of one kept already.
		r.clock.Advance(time.Second)
		if err := r.client.PostStatus(ctx, sampleStatus()); err != nil {
			t.Fatal(err)
		}
		if code := refusalCode(t, r.client.PostStatus(ctx, sampleStatus())); code != examsync.CodeReplay {
			t.Errorf("a replayed status refused %q, want %q", code, examsync.CodeReplay)
		}
	})

	t.Run("Counted", func(t *testing.T) {
		refs, err := r.c.StatusRefusals(ctx)
		if err != nil {
			t.Fatal(err)
		}
		got := map[string]int64{}
		for _, x := range refs {
			got[x.Station+" "+x.Code] = x.Count
		}
		want := map[string]int64{demo.Station + " bad-signature": 1, " unknown-station": 1, demo.Station + " bad-status": 1, demo.Station + " replay": 1}
		for k, n := range want {
			if got[k] != n {
				t.Errorf("refusals %q counted %d, want %d (all: %v)", k, got[k], n, got)
			}
		}
		alarms := alarmsOf(t, r.c, centre.AlarmStatusRefused)
		if len(alarms) != 4 {
			t.Fatalf("%d status-refused alarms, want 4: %+v", len(alarms), alarms)
		}
		if !strings.Contains(alarms[1].Subject, "STN-99") {
			t.Errorf("the unregistered station's alarm does not name what it claimed: %+v", alarms[1])
		}
	})

	t.Run("AlarmOnce", func(t *testing.T) {
		fc, _ := examsync.NewClient(r.srv.URL, demo.Station, forged, nil)
		fc.Now = r.clock.Now
		for range 3 {
			r.clock.Advance(5 * time.Second)
			fc.PostStatus(ctx, sampleStatus())
		}
		if n := len(alarmsOf(t, r.c, centre.AlarmStatusRefused)); n != 4 {
			t.Errorf("%d status-refused alarms after three more forgeries within ten minutes, want still 4", n)
		}
	})
}

// TestCentre_StatusDrift: a station whose clock is 10 s behind raises
// one clock-drift alarm, not one per status; back within the
// threshold, it may raise another later.
func TestCentre_StatusDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newStatusRig(t)
	behind := 10 * time.Second
	r.client.Now = func() time.Time { return r.clock.Now().Add(-behind) }
	for range 3 {
		r.clock.Advance(5 * time.Second)
		if err := r.client.PostStatus(ctx, sampleStatus()); err != nil {
			t.Fatal(err)
		}
	}
	alarms := alarmsOf(t, r.c, centre.AlarmClockDrift)
	if len(alarms) != 1 || alarms[0].Station != demo.Station || !strings.Contains(alarms[0].Detail, "10s behind") {
		t.Fatalf("clock-drift alarms %+v, want one saying 10s behind", alarms)
	}
	l, _ := r.c.LiveStationByName(ctx, demo.Station)
	if !l.Drifting || l.OffsetMs() != behind.Milliseconds() {
		t.Errorf("drifting %v offset %d ms, want true and %d", l.Drifting, l.OffsetMs(), behind.Milliseconds())
	}
	behind = 0
	r.clock.Advance(5 * time.Second)
	if err := r.client.PostStatus(ctx, sampleStatus()); err != nil {
		t.Fatal(err)
	}
	if l, _ = r.c.LiveStationByName(ctx, demo.Station); l.Drifting {
		t.Error("still drifting with the clock right")
	}
	behind = -3 * time.Second
	r.clock.Advance(5 * time.Second)
	if err := r.client.PostStatus(ctx, sampleStatus()); err != nil {
		t.Fatal(err)
	}
	if alarms = alarmsOf(t, r.c, centre.AlarmClockDrift); len(alarms) != 2 || !strings.Contains(alarms[1].Detail, "3s ahead of") {
		t.Errorf("clock-drift alarms %+v, want a second saying 3s ahead of", alarms)
	}
}

// TestCentre_StatusOffline: a station silent for 30 s is offline, and
// so is one never heard from.
func TestCentre_StatusOffline(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newStatusRig(t)
	l, _ := r.c.LiveStationByName(ctx, demo.Station)
	if !l.Offline(r.clock.Now()) {
		t.Error("a station never heard from is online")
	}
	if err := r.client.PostStatus(ctx, sampleStatus()); err != nil {
		t.Fatal(err)
	}
	r.clock.Advance(centre.OfflineAfter - time.Millisecond)
	l, _ = r.c.LiveStationByName(ctx, demo.Station)
	if l.Offline(r.clock.Now()) {
		t.Error("offline before 30 s of silence")
	}
	r.clock.Advance(time.Millisecond)
	if !l.Offline(r.clock.Now()) {
		t.Error("online after 30 s of silence")
	}
}

// BenchmarkCentre_Status: keeping one status (a transaction, fsync'd):
// a province of 300 stations each every 5 s is 60 a second.
func BenchmarkCentre_Status(b *testing.B) {
	ctx := context.Background()
	st := centretest.NewStation(b, "")
	c := centretest.NewCentre(b, st)
	body, err := json.Marshal(func() examsync.StationStatus { s := sampleStatus(); s.Station = demo.Station; return s }())
	if err != nil {
		b.Fatal(err)
	}
	at := time.Now()
	for b.Loop() {
		at = at.Add(time.Millisecond)
		if err := c.Status(ctx, demo.Station, at, body); err != nil {
			b.Fatal(err)
		}
	}
}
