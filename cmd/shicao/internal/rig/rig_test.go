package rig

import (
	"context"
	"sync"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/hardwaretest"
)

// TestSimulated: every kind's simulator and driver come up through a real
// pseudo-terminal, report their provenance, deliver readings, and a device
// pulled out is reported lost and then back.
func TestSimulated(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var mu sync.Mutex
	seen := map[string]map[string]int{}
	kinds := []string{"cpr", "extinguisher", "scba", "board", "ppe", "harness"}
	r, err := Simulated(ctx, kinds, Options{Dir: t.TempDir(), Speed: 20}, func(kind string, rd hardware.Reading) {
		mu.Lock()
		defer mu.Unlock()
		if seen[kind] == nil {
			seen[kind] = map[string]int{}
		}
		seen[kind][rd.Type]++
	})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); r.Wait() }()
	waitFor(t, func() bool {
		ready := 0
		for _, d := range r.Devices() {
			if d.Connected && d.Serial != "" {
				ready++
			}
		}
		return ready == len(kinds)
	})
	for _, d := range r.Devices() {
		t.Logf("%s %s %s %s %s connected=%v", d.Kind, d.Model, d.Serial, d.Firmware, d.Port, d.Connected)
		if !d.Connected || d.Serial == "" {
			t.Errorf("%s: connected %v serial %q", d.Kind, d.Connected, d.Serial)
		}
	}
	if err := r.Unplug("cpr"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return seen["cpr"][hardware.TypeLost] > 0 })
	if err := r.Unplug("cpr"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return seen["cpr"][hardware.TypeBack] > 0 })
	if err := r.Play("cpr", "shallow"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return seen["cpr"]["cpr.compression"] > 0 })
}

// waitFor polls cond until shortly before the test's deadline: a wait for
// an event, which a loaded machine only makes later.
func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	ctx := hardwaretest.Context(t)
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatal("timed out")
		case <-time.After(20 * time.Millisecond):
		}
	}
}
