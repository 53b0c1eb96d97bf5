package tui

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
)

// TestModel_StatusSnapshot: at the start the status names the screen
// and today's plan; in the CPR item, the item, the time into it, the
// candidate with the ID number masked and a device lost. WithStatus
// keeps the board up to date after every message.
func TestModel_StatusSnapshot(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	board := &StatusBoard{}
	wrapped := WithStatus(f.m, board)
	if st := board.Load(); st.Screen != "start" || st.Station != demo.Station || st.Plan == "" || st.Item != "" {
		t.Fatalf("start status %+v", st)
	}
	f.toCPR(t)
	f.clock.Add(73 * time.Second)
	wrapped.Update(DeviceStateMsg{Kind: "cpr", State: "lost"})
	st := board.Load()
	if st.Screen != "live" || !strings.HasPrefix(st.Item, "SD-DG-K42 ") || st.ElapsedMs < 73_000 || st.Standards[0] != "SD-DG-K42@"+strconv.Itoa(f.item.Std.Version) {
		t.Errorf("live status %+v", st)
	}
	c := demo.Candidates[0]
	if want := c.Name + " " + c.IDNumber[:6] + "********" + c.IDNumber[14:]; st.Candidate != want {
		t.Errorf("candidate %q, want %q", st.Candidate, want)
	}
	lost := false
	for _, d := range st.Devices {
		if d.Kind == "cpr" {
			lost = d.State == "lost"
		}
	}
	if !lost {
		t.Errorf("devices %+v: want cpr lost", st.Devices)
	}
}
