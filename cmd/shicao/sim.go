package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"time"

	"shicao/hardware"
	"shicao/hardware/sim"
)

// simCmd is `shicao sim`: an equipment simulator on a pseudo-terminal,
// its path on the first line, for a driver (or a technician) to open.
func simCmd() *Command {
	c := &Command{
		UsageLine: "sim KIND [--scenario S] [--speed N] [--noise P] [--drop D] [--seed N] [--dir DIR]",
		Short:     "an equipment simulator on a pseudo-terminal (prints its path)",
		Long:      "Examples:\n  shicao sim cpr --scenario shallow\n  shicao sim board --scenario short-circuit --noise 0.01\n  shicao sim printer --scenario paper-out\n  shicao sim idcard --scenario expired\n",
	}
	scenario := c.Flag.String("scenario", "", "the scenario to play (default: the first)")
	speed := c.Flag.Float64("speed", 1, "clock multiplier")
	noise := c.Flag.Float64("noise", 0, "chance per record of a burst of garbage bytes (or a flipped bit, Modbus)")
	seed := c.Flag.Uint64("seed", 1, "random seed (runs are reproducible)")
	dir := c.Flag.String("dir", "", "directory for the stable device link (DIR/tty); default a new temporary one")
	drop := c.Flag.Duration("drop", 0, "every DROP, unplug the device for a second and plug it back (a loose cable)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			var kinds []string
			for _, k := range append(hardware.Kinds(), hardware.KindPrinter, hardware.KindIDCard) {
				kinds = append(kinds, fmt.Sprintf("%s (%s)", k, strings.Join(sim.Scenarios(k), ", ")))
			}
			return usagef("sim: give one KIND: %s", strings.Join(kinds, "; "))
		}
		kind := hardware.Kind(args[0])
		if *dir != "" {
			if err := os.MkdirAll(*dir, 0o755); err != nil {
				return err
			}
		}
		if kind == hardware.KindPrinter {
			return runSimPrinter(ctx, e, *scenario, *dir)
		}
		s, err := sim.Start(ctx, kind, *scenario, sim.Options{Speed: *speed, Noise: *noise, Seed: *seed, Dir: *dir})
		if err != nil {
			return err
		}
		defer s.Close()
		fmt.Fprintln(e.stdout, s.Path())
		return simDrops(ctx, e, s, *drop)
	}
	return c
}

// simDrops runs until ctx ends, unplugging the simulated device for a
// second every drop (never if drop is 0).
func simDrops(ctx context.Context, e *env, s *sim.Sim, drop time.Duration) error {
	var tick <-chan time.Time
	if drop > 0 {
		t := time.NewTicker(drop)
		defer t.Stop()
		tick = t.C
	}
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick:
			s.Unplug()
			fmt.Fprintln(e.stderr, "unplugged")
			select {
			case <-ctx.Done():
				return nil
			case <-time.After(time.Second):
			}
			if err := s.Plug(); err != nil {
				return err
			}
			fmt.Fprintln(e.stderr, "plugged back")
		}
	}
}
