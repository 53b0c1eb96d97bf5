package hardwaretest_test

import (
	"context"
	"flag"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
)

var long = flag.Bool("long", false, "run 500 unplug/replug cycles per simulator instead of 50")

// TestSimulators runs the conformance suite against every simulator over
// a real pseudo-terminal opened with go.bug.st/serial.
func TestSimulators(t *testing.T) {
	cycles := 50
	if *long {
		cycles = 500
	}
	if testing.Short() {
		cycles = 5
	}
	for _, kind := range hardware.Kinds() {
		t.Run(string(kind), func(t *testing.T) {
			s, err := sim.Start(context.Background(), kind, "", sim.Options{Seed: 1, Speed: 20, Noise: 0.05})
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			p, err := profiles.ForKind(kind)
			if err != nil {
				t.Fatal(err)
			}
			sub := hardwaretest.Subject{
				Profile: p, Path: s.Path(), Unplug: s.Unplug, Plug: s.Plug,
				Options: driver.Options{MinBackoff: 2 * time.Millisecond, MaxBackoff: 20 * time.Millisecond},
			}
			if kind == hardware.KindBoard {
				// Power granted, and the trial run it starts played out:
				// the simulator's reaction is not left running past the
				// subtest (goleak), whatever the machine's load.
				sub.Prepare = func(ctx context.Context, d hardware.Device) error {
					if err := d.(*driver.Modbus).Set(ctx, "power_enable", true); err != nil {
						return err
					}
					return s.Settle(hardwaretest.Context(t))
				}
			}
			hardwaretest.Conformance(t, sub, cycles)
		})
	}
}
