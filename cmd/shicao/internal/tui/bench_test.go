package tui

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// BenchmarkFirstFrame: from New (reading the station's standards, plans,
// interrupted items and outbox) to the first rendered frame. Target
// (issue 7): <= 300 ms.
func BenchmarkFirstFrame(b *testing.B) {
	f := newFixture(b, "zh")
	b.ResetTimer()
	for b.Loop() {
		m := New(Deps{Station: f.s, Equipment: f.eq, Now: f.clock.Now})
		m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		if len(m.View()) == 0 {
			b.Fatal("empty frame")
		}
	}
}

// BenchmarkViewLiveCPR renders the live CPR screen at 120x40 with a full
// five-cycle item on it. Target (issue 7): <= 5 ms.
func BenchmarkViewLiveCPR(b *testing.B) {
	f := newFixture(b, "zh")
	f.signIn(b)
	f.do(b, "enter", "y", "d", "r", "down", "down", "down", "enter")
	f.playVector(b, "perfect")
	f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if f.m.screen != scrLive {
		b.Fatal("could not reach the live screen")
	}
	b.ResetTimer()
	for b.Loop() {
		_ = f.m.View()
	}
}

// BenchmarkDemoDay50 runs a demo day of 50 candidates (a whole paper
// each, every item playing its perfect vector) through one station with
// the TUI model refreshing, and reports resident memory. Target (issue 7):
// RSS <= 100 MB.
func BenchmarkDemoDay50(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		f := newFixture(b, "zh")
		// One candidate per paper: each is examined once per plan.
		cands, err := demo.IssueBulkPlan(ctx, f.s, "TA-BULK", 50)
		if err != nil {
			b.Fatal(err)
		}
		day := f.clock.Now()
		for n := 0; n < 50; n++ {
			f.clock.t = day
			r := &station.ScriptRunner{S: f.s, Out: discard{}, Devices: f.eq.Devices, Advance: f.clock.Add}
			script := strings.Join([]string{"plan TA-BULK", "signin " + demo.Examiners[0].ID + " 123456", "signin " + demo.Examiners[1].ID + " 567890",
				"candidate " + cands[n].IDNumber, "draw day-" + strconv.Itoa(n),
				"item K1", "play perfect", "finish", "confirm", "ack yes",
				"item K2", "play perfect", "finish", "confirm", "ack yes",
				"item K3", "play perfect", "finish", "confirm", "ack yes",
				"item K4", "play perfect", "finish", "confirm", "ack yes", "done"}, "\n")
			if err := r.Run(ctx, strings.NewReader(script), "day"); err != nil {
				b.Fatal(err)
			}
			f.m.refresh()
			_ = f.m.View()
		}
		runtime.GC()
		b.ReportMetric(rssMB(), "RSS-MB")
		time.Sleep(0)
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}
