package tui

import (
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/station"
)

// TestView_StaleSensor (issue 17 §8): a manikin still connected but silent
// for station.StaleAfter shows -- on the live panel, not its last depth;
// a new reading shows again.
func TestView_StaleSensor(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.toCPR(t)
	press := ReadingMsg{Kind: "cpr", Type: "cpr.compression", Fields: map[string]any{"depth_mm": 55, "recoil": true, "position": "ok"}}
	f.run(t, press)
	if v := f.view(t, 120, 40); !strings.Contains(v, "depth  55 mm") {
		t.Fatalf("a fresh depth is not shown:\n%s", v)
	}
	f.clock.Add(station.StaleAfter)
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "depth  -- mm") || strings.Contains(v, "depth  55 mm") {
		t.Fatalf("a stale depth is still shown:\n%s", v)
	}
	if !strings.Contains(v, "cpr ● connected") {
		t.Fatalf("the stale manikin is not shown connected:\n%s", v)
	}
	f.run(t, press)
	if v := f.view(t, 120, 40); !strings.Contains(v, "depth  55 mm") {
		t.Fatalf("a new reading is not shown:\n%s", v)
	}
}
