package rig

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/creack/pty"

	"shicao/cmd/shicao/internal/station"
	"shicao/hardware"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/serialport"
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
	mu.Lock()
	lost, back := seen["cpr"][hardware.TypeLost], seen["cpr"][hardware.TypeBack]
	mu.Unlock()
	// A new scenario swaps the simulator (Play returns once the driver is
	// back on it): the demo's doing, not a pulled cable, so no loss or
	// return reaches the station (they put 0.0 s outages on the sheet).
	if err := r.Play("cpr", "shallow"); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { mu.Lock(); defer mu.Unlock(); return seen["cpr"]["cpr.compression"] > 0 })
	mu.Lock()
	defer mu.Unlock()
	if seen["cpr"][hardware.TypeLost] != lost || seen["cpr"][hardware.TypeBack] != back {
		t.Errorf("a new scenario was passed on as an outage: lost %d -> %d, back %d -> %d", lost, seen["cpr"][hardware.TypeLost], back, seen["cpr"][hardware.TypeBack])
	}
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

// TestReal_PortNotFound: a configured port that is not there is reported
// as not found, which the screen tells apart from a device that was
// connected and is lost; an adapter plugged in later still connects.
func TestReal_PortNotFound(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	link := filepath.Join(t.TempDir(), "usb-SHICAO_CPR-if00")
	r, err := Real(ctx, []Port{{Kind: "cpr", Profile: "cpr", Path: link}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); r.Wait() }()
	cpr := func() station.Device { return r.Devices()[0] }
	waitFor(t, func() bool { return cpr().PortErr != nil })
	var oe *serialport.OpenError
	if d := cpr(); d.Connected || !errors.As(d.PortErr, &oe) || !oe.NotFound() || oe.Path != link {
		t.Fatalf("device %+v, want not connected with a not-found *serialport.OpenError for %s", d, link)
	}
	// The adapter is plugged in: a pseudo-terminal appears behind the link.
	m, s, err := pty.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	defer s.Close()
	if err := os.Symlink(s.Name(), link); err != nil {
		t.Fatal(err)
	}
	waitFor(t, func() bool { return cpr().Connected })
	if d := cpr(); d.PortErr != nil {
		t.Fatalf("connected device with PortErr %v", d.PortErr)
	}
}

// TestReal_RefusesFailingCaptures: a station will not drive a device whose
// profile's captures do not give the events they list, nor one whose
// profile leaves a vocabulary field unaccounted for.
func TestReal_RefusesFailingCaptures(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	const head = "kind: cpr\nmodel: PD-TEST\nframing: lines\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nline: {start: \"<\", end: \">\"}\nrecords:\n  - pattern: '<PD=(?P<depth_mm>\\d+)>'\n    event: cpr.compression\n    fields:\n      depth_mm: {type: int}\n"
	write("pd.cap", "0 3c50443d35343e\n")
	write("pd.events", `{"type": "cpr.compression", "data": {"depth_mm": 53}}`+"\n")
	bad := write("bad.yaml", head+"      position: {unmeasured: true}\n      recoil: {unmeasured: true}\ncaptures:\n  - {name: one, bytes: pd.cap, events: pd.events}\n")
	partial := write("partial.yaml", head)
	for _, tt := range []struct{ file, want string }{
		{bad, `capture "one": event 1: got t_ms=0 cpr.compression {"depth_mm":54}`},
		{partial, `cpr.compression field "position" is neither mapped, constant, derived nor unmeasured`},
	} {
		_, err := Real(context.Background(), []Port{{Kind: "cpr", Profile: tt.file, Path: "/dev/null"}}, func(string, hardware.Reading) {})
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Real(%s) = %v, want it refused: %s", filepath.Base(tt.file), err, tt.want)
		}
	}
}
