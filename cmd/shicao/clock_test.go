package main

import (
	"context"
	"encoding/json"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// fakeWall is a wall clock that moves only when told.
type fakeWall struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeWall) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeWall) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// TestSpeedConfig_Clocks: under --speed only the exam clock runs faster.
// The demo at --speed 10 is run for 6 s of wall time, stopped with its item
// running and started again 60 s later: the station's clock (the screen's,
// the date, the log's wall times) is the wall's throughout, not minutes
// ahead in the first run and minutes behind after the restart; the item's
// time ran at ten times the wall's; and the outage is the wall's 60 s (a
// scaled wall clock restarted behind the log and recorded 0).
func TestSpeedConfig_Clocks(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "station")
	if _, err := station.InitDir(ctx, dir, demo.Station, demo.Site); err != nil {
		t.Fatal(err)
	}
	wall := &fakeWall{t: time.Date(2026, 12, 7, 23, 58, 0, 0, time.Local)}
	s, err := station.OpenDirConfig(ctx, dir, speedConfig(wall.Now, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := demo.Seed(ctx, s); err != nil {
		t.Fatal(err)
	}
	ex, err := s.NewExam(ctx, demo.PlanID)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range demo.Examiners[:2] {
		if _, err := ex.SignIn(ctx, x.ID, x.PIN); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber); err != nil {
		t.Fatal(err)
	}
	if _, err := ex.Draw(ctx, "clock"); err != nil {
		t.Fatal(err)
	}
	// The readiness gate wants every device the drawn items need.
	it, err := ex.StartItem(ctx, "K1", registeredAsSimulated(ctx, s))
	if err != nil {
		t.Fatal(err)
	}
	wall.Add(6 * time.Second)
	if err := it.Phase(ctx, "six-seconds"); err != nil {
		t.Fatal(err)
	}
	if el := it.Elapsed(); el != time.Minute {
		t.Fatalf("after 6 s of wall time at --speed 10 the item is at %s, want 1m0s", el)
	}
	if got, want := s.Now(), wall.Now(); !got.Equal(want) {
		t.Fatalf("the station's clock says %s, the wall %s", got.Format(time.TimeOnly), want.Format(time.TimeOnly))
	}
	evs, err := s.Store().Events(ctx, it.Session)
	if err != nil {
		t.Fatal(err)
	}
	if last := evs[len(evs)-1]; last.WallMs != wall.Now().UnixMilli() {
		t.Fatalf("the log's wall time is %s, the wall's %s", time.UnixMilli(last.WallMs).Format(time.TimeOnly), wall.Now().Format(time.TimeOnly))
	}
	attempt := ex.AttemptID()
	it.Close()
	s.Close()

	wall.Add(time.Minute)
	s2, err := station.OpenDirConfig(ctx, dir, speedConfig(wall.Now, 10))
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if got, want := s2.Today(), ex.Plan().Date; got.String() != want {
		t.Fatalf("after the restart the station's date is %s, the plan's (the wall's) %s", got, want)
	}
	rex, err := s2.ResumeExam(ctx, attempt)
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range demo.Examiners[:2] {
		if _, err := rex.SignIn(ctx, x.ID, x.PIN); err != nil {
			t.Fatal(err)
		}
	}
	rit, err := rex.Continue(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if d := rit.Down(); d != time.Minute {
		t.Fatalf("outage recorded as %s, want the wall's 1m0s", d)
	}
	wall.Add(3 * time.Second)
	if el := rit.Elapsed(); el != time.Minute+30*time.Second {
		t.Fatalf("3 s of wall time after the resume the item is at %s, want 1m30s", el)
	}
	evs, err = s2.Store().Events(ctx, rit.Session)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		DownMs int64 `json:"down_ms"`
	}
	last := evs[len(evs)-1]
	if err := json.Unmarshal(last.Data, &d); err != nil || last.Type != "session.resume" || d.DownMs != 60000 {
		t.Fatalf("last event %s %s, want session.resume down_ms 60000", last.Type, last.Data)
	}
}
