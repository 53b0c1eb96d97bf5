package hardwaretest_test

import (
	"context"
	"flag"
	"slices"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
)

var long = flag.Bool("long", false, "run 500 unplug/replug cycles per simulator instead of 50")

// TestSimulators runs the conformance suite over every profile in the
// repository, on a real pseudo-terminal opened with go.bug.st/serial: the
// reference device of a kind against its scripted simulator, every other
// model against a simulator replaying the profile's first capture.
func TestSimulators(t *testing.T) {
	cycles := 50
	if *long {
		cycles = 500
	}
	if testing.Short() {
		cycles = 5
	}
	for _, name := range profiles.Names() {
		t.Run(name, func(t *testing.T) {
			p, err := profiles.Load(name)
			if err != nil {
				t.Fatal(err)
			}
			var s *sim.Sim
			if slices.Contains(hardware.Kinds(), hardware.Kind(name)) {
				s, err = sim.Start(context.Background(), p.Kind, "", sim.Options{Seed: 1, Speed: 20, Noise: 0.05})
			} else {
				if len(p.Captures) == 0 {
					t.Fatalf("profile %s has neither a simulator nor a capture to replay", name)
				}
				chunks, _, cerr := p.CaptureData(p.Captures[0])
				if cerr != nil {
					t.Fatal(cerr)
				}
				s, err = sim.StartReplay(context.Background(), p.Kind, chunks, sim.Options{Seed: 1, Speed: 20, Noise: 0.05})
			}
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			sub := hardwaretest.Subject{
				Profile: p, Path: s.Path(), Unplug: s.Unplug, Plug: s.Plug,
				Options: driver.Options{MinBackoff: 2 * time.Millisecond, MaxBackoff: 20 * time.Millisecond},
			}
			if p.Kind == hardware.KindBoard {
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

// TestCaptures replays every capture of every profile in the repository
// over a pseudo-terminal and the driver, and checks the events it gives.
func TestCaptures(t *testing.T) {
	n := 0
	for _, name := range profiles.Names() {
		p, err := profiles.Load(name)
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range p.Captures {
			n++
			t.Run(name+"/"+c.Name, func(t *testing.T) { hardwaretest.ReplayCapture(t, p, c) })
		}
	}
	if n < 6 {
		t.Errorf("%d captures in the repository; every streaming profile should carry one", n)
	}
}
