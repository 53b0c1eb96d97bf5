package station_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/station"
)

// readinessChecks returns the readiness.check events of a session's log.
func readinessChecks(t *testing.T, f *fixture, session int64) []map[string]any {
	t.Helper()
	evs, err := f.s.Store().Events(context.Background(), session)
	if err != nil {
		t.Fatal(err)
	}
	var out []map[string]any
	for _, a := range evs {
		if a.Event.Type == "readiness.check" {
			var m map[string]any
			if err := json.Unmarshal(a.Event.Data, &m); err != nil {
				t.Fatal(err)
			}
			out = append(out, m)
		}
	}
	return out
}

// The gate's checks are events in the opening of the candidate's first
// item: connected, registered and self-test for every device any drawn
// item needs; the second item does not repeat them.
func TestReadiness_RecordedInFirstItem(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, subject := drawStandard(t, f, "SD-DG-K42")
	need := map[string]bool{}
	for _, d := range ex.Drawn() {
		for _, k := range d.Standard.Devices {
			need[k] = true
		}
	}
	it, err := ex.StartItem(ctx, subject, allDevices())
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	got := map[string]bool{}
	for _, c := range readinessChecks(t, f, it.Session) {
		if c["ok"] != true {
			t.Errorf("a recorded check did not pass: %v", c)
		}
		got[c["device"].(string)+" "+c["check"].(string)] = true
	}
	for k := range need {
		for _, check := range []string{"connected", "registered", "self-test"} {
			if !got[k+" "+check] {
				t.Errorf("the first item's log has no %s check of %s (has %v)", check, k, got)
			}
		}
	}
	for _, d := range ex.Drawn() {
		if d.Subject == subject || len(d.Standard.Devices) == 0 {
			continue
		}
		if err := it.Finish(ctx, "finished"); err != nil {
			t.Fatal(err)
		}
		it2, err := ex.StartItem(ctx, d.Subject, allDevices())
		if err != nil {
			t.Fatal(err)
		}
		defer it2.Close()
		if c := readinessChecks(t, f, it2.Session); len(c) != 0 {
			t.Errorf("the second item's log repeats the gate: %v", c)
		}
		break
	}
}

// A standard's reference check (the library's CPR standard asks for the
// manikin held at its 50 mm gauge): the item does not start until the
// examiner has started it and the device read the reference within
// tolerance; a reading outside is refused, naming it; the pass is in
// the log.
func TestReadiness_ReferenceCheck(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	ex, subject := drawUnready(t, f, "SD-DG-K42")
	if _, err := ex.StartItem(ctx, subject, allDevices()); refusalCode(err) != "reference-needed" {
		t.Fatalf("StartItem before the reference check: %v, want reference-needed", err)
	} else if !strings.Contains(err.Error(), "50毫米标尺") {
		t.Errorf("the refusal %q does not say what to do", err)
	}
	if _, err := ex.StartReference("board"); refusalCode(err) != "reference-none" {
		t.Errorf("StartReference(board): %v, want reference-none", err)
	}
	r, err := ex.StartReference("cpr")
	if err != nil {
		t.Fatal(err)
	}
	if r.Expected != 50 || r.Tolerance != 2 {
		t.Fatalf("reference = %+v", r)
	}
	// Another event type is not the reading.
	if done, err := f.s.Offer("cpr", "cpr.ventilation", map[string]any{"volume_ml": 50}); done || err != nil {
		t.Fatalf("Offer(ventilation) = %v, %v: want it ignored", done, err)
	}
	done, err := f.s.Offer("cpr", "cpr.compression", map[string]any{"depth_mm": 47})
	if !done || refusalCode(err) != "reference-failed" || !strings.Contains(err.Error(), "47") {
		t.Fatalf("Offer(47 mm) = %v, %v: want reference-failed naming 47", done, err)
	}
	if _, err := ex.StartItem(ctx, subject, allDevices()); refusalCode(err) != "reference-needed" {
		t.Fatalf("StartItem after a failed check: %v, want reference-needed", err)
	}
	if _, err := ex.StartReference("cpr"); err != nil {
		t.Fatal(err)
	}
	if done, err := f.s.Offer("cpr", "cpr.compression", map[string]any{"depth_mm": 51}); !done || err != nil {
		t.Fatalf("Offer(51 mm) = %v, %v: want a pass", done, err)
	}
	it, err := ex.StartItem(ctx, subject, allDevices())
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	var ref map[string]any
	for _, c := range readinessChecks(t, f, it.Session) {
		if c["check"] == "reference" {
			ref = c
		}
	}
	if ref == nil || ref["value"] != 51.0 || ref["expected"] != 50.0 || ref["tolerance"] != 2.0 || ref["device"] != "cpr" {
		t.Fatalf("the reference check in the log = %v", ref)
	}
}

// With the clock gate on, the offset the last sync measured must be
// known, recent and under 1 s; each failure has its own code.
func TestReadiness_Clock(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		offset time.Duration
		age    time.Duration // how long before the exam it was measured; -1: never
		code   string
	}{
		{"Unknown", 0, -1, "clock-unknown"},
		{"TooOld", 0, 48 * time.Hour, "clock-stale"},
		{"Ahead", 1500 * time.Millisecond, time.Hour, "clock-offset"},
		{"Behind", -time.Second, time.Hour, "clock-offset"},
		{"Within", 300 * time.Millisecond, time.Hour, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t)
			ctx := context.Background()
			f.s.Close()
			s, err := station.OpenDirConfig(ctx, f.dir, station.Config{Now: f.clock.Now, ClockMaxAge: 24 * time.Hour})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			f.s = s
			if tt.age >= 0 {
				if err := s.RecordClockOffset(ctx, tt.offset, examDay.Add(-tt.age)); err != nil {
					t.Fatal(err)
				}
			}
			ex, subject := drawStandard(t, f, "SD-DG-K42")
			it, err := ex.StartItem(ctx, subject, allDevices())
			if refusalCode(err) != tt.code {
				t.Fatalf("StartItem: %v, want %q", err, tt.code)
			}
			if it == nil {
				return
			}
			defer it.Close()
			var clock map[string]any
			for _, c := range readinessChecks(t, f, it.Session) {
				if c["check"] == "clock" {
					clock = c
				}
			}
			if clock == nil || clock["offset_ms"] != float64(tt.offset.Milliseconds()) {
				t.Fatalf("the clock check in the log = %v, want offset_ms %d", clock, tt.offset.Milliseconds())
			}
		})
	}
}

// A sensor's value is shown only within 1 s of its last reading.
func TestDevice_Stale(t *testing.T) {
	t.Parallel()
	at := examDay
	d := station.Device{Kind: "cpr", Connected: true}
	if !d.Stale(at) {
		t.Error("a device with no reading yet is not stale")
	}
	d.LastReading = at
	for _, tt := range []struct {
		after time.Duration
		stale bool
	}{{0, false}, {999 * time.Millisecond, false}, {time.Second, true}, {5 * time.Second, true}} {
		if got := d.Stale(at.Add(tt.after)); got != tt.stale {
			t.Errorf("Stale %v after the last reading = %v, want %v", tt.after, got, tt.stale)
		}
	}
}
