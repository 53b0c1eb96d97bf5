package tui

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"
)

// TestFlow_Resume: the station stops with the CPR item running and is
// started again a minute later by the wall clock, its exam clock running
// at ten times the wall's (the demo's --speed 10). The start screen offers
// r; the item's examiners sign in again; the item continues where its log
// ended; the station hands it to the equipment wiring (Live), so readings
// reach it again; session.resume records the minute by the wall clock.
func TestFlow_Resume(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "en")
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	if f.item == nil || f.item.Std.ID != "SD-DG-K42" {
		t.Fatalf("the CPR item did not start: %v", f.item)
	}
	f.playVector(t, "twelve-shallow")
	session := f.item.Session
	// The station goes down: nothing but the store survives.
	f.item.Close()
	logged, err := f.s.Store().Events(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	lastT := time.Duration(logged[len(logged)-1].TMs) * time.Millisecond
	f.s.Close()

	wall := &fakeClock{t: f.clock.Now().Add(time.Minute)}
	start := wall.Now()
	// Down from the last event written to the restart, by the wall clock.
	down := start.Sub(time.UnixMilli(logged[len(logged)-1].WallMs))
	exam := func() time.Time { return start.Add(10 * wall.Now().Sub(start)) }
	g := openFixture(t, "en", f.dir, wall, exam)
	if v := g.view(t, 120, 40); !strings.Contains(v, "an exam was interrupted: press r to resume") {
		t.Fatalf("the start screen does not offer the resume:\n%s", v)
	}
	g.do(t, "r", "enter", "1", "2", "3", "4", "5", "6", "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
	if g.m.screen != scrLive || g.m.item == nil {
		t.Fatalf("not on the live screen after signing in again: screen %d, status %q", g.m.screen, g.m.status)
	}
	it := g.item
	if it == nil || it != g.m.item || it.Session != session {
		t.Fatalf("the station did not hand the resumed item (session %d) to the equipment wiring: %v", session, it)
	}
	if el := it.Elapsed(); el != lastT {
		t.Fatalf("the item continues at %s, want %s where its log ended", el, lastT)
	}
	if got := it.Down(); got != down || got < time.Minute {
		t.Fatalf("outage %s, want %s (the minute the station was down and more)", got, down)
	}
	// A second of wall time is ten of the exam's: a reading then lands
	// 10 s after the log's end.
	wall.Add(time.Second)
	if err := it.Record(ctx, "cpr", "cpr.compression", map[string]any{"depth_mm": 55, "recoil": true, "position": "ok"}); err != nil {
		t.Fatal(err)
	}
	if err := it.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	evs, err := g.s.Store().Events(ctx, session)
	if err != nil {
		t.Fatal(err)
	}
	var resume, last = evs[len(evs)-2], evs[len(evs)-1]
	var d struct {
		DownMs int64 `json:"down_ms"`
	}
	if err := json.Unmarshal(resume.Data, &d); resume.Type != "session.resume" || err != nil || d.DownMs != down.Milliseconds() {
		t.Fatalf("event %d: %s %s, want session.resume with down_ms %d", resume.Seq, resume.Type, resume.Data, down.Milliseconds())
	}
	if last.Type != "cpr.compression" || last.TMs != lastT.Milliseconds()+10000 {
		t.Fatalf("the reading after the resume: %s at %d ms, want cpr.compression at %d", last.Type, last.TMs, lastT.Milliseconds()+10000)
	}
}
