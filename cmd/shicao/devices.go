package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/profiles"
	"shicao/hardware/serialport"
	"shicao/hardware/sim"
)

// runSim runs an equipment simulator on a pseudo-terminal and prints its
// path on the first line, for a driver (or a technician) to open.
func runSim(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "sim", "sim KIND [--scenario S] [--speed N] [--noise P] [--drop D] [--seed N] [--dir DIR]",
		"  shicao sim cpr --scenario shallow\n  shicao sim board --scenario short-circuit --noise 0.01\n  shicao sim printer --scenario paper-out\n  shicao sim idcard --scenario expired\n")
	scenario := fs.String("scenario", "", "the scenario to play (default: the first)")
	speed := fs.Float64("speed", 1, "clock multiplier")
	noise := fs.Float64("noise", 0, "chance per record of a burst of garbage bytes (or a flipped bit, Modbus)")
	seed := fs.Uint64("seed", 1, "random seed (runs are reproducible)")
	dir := fs.String("dir", "", "directory for the stable device link (DIR/tty); default a new temporary one")
	drop := fs.Duration("drop", 0, "every DROP, unplug the device for a second and plug it back (a loose cable)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		var kinds []string
		for _, k := range append(hardware.Kinds(), hardware.KindPrinter, hardware.KindIDCard) {
			kinds = append(kinds, fmt.Sprintf("%s (%s)", k, strings.Join(sim.Scenarios(k), ", ")))
		}
		return usagef("sim: give one KIND: %s", strings.Join(kinds, "; "))
	}
	kind := hardware.Kind(fs.Arg(0))
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
	var tick <-chan time.Time
	if *drop > 0 {
		t := time.NewTicker(*drop)
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

// runDevices lists the serial ports with their USB identity and stable names.
func runDevices(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "devices", "devices", "  shicao devices\n")
	if err := parse(fs, args); err != nil {
		return err
	}
	ports, err := serialport.List()
	if err != nil {
		return fmt.Errorf("list serial ports: %w", err)
	}
	t := &table{}
	t.add("port", "stable name", "usb", "serial", "product")
	for _, p := range ports {
		usb := "-"
		if p.USB {
			usb = p.VID + ":" + p.PID
		}
		t.add(p.Path, p.StablePath, usb, p.Serial, p.Product)
	}
	if len(ports) == 0 {
		fmt.Fprintln(e.stdout, "no serial ports found")
		return nil
	}
	return t.write(e.stdout)
}

// runDevice is the technician's check before an exam: read a device with
// a profile and print its readings as event JSON lines.
func runDevice(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 {
		if run, ok := deviceCommands[args[0]]; ok {
			return run(ctx, e, args[1:])
		}
	}
	if len(args) == 0 || args[0] != "read" {
		return usagef("device: use 'device read --profile NAME|FILE --port PATH [--for 10s]', 'device test PROFILE', 'device capture --port PATH -o FILE' or 'device replay PROFILE'")
	}
	fs := newFlags(e, "device read", "device read --profile NAME|FILE --port PATH [--for 10s]",
		"  shicao device read --profile cpr --port /dev/serial/by-id/usb-SHICAO_CPR-if00\n  shicao device read --profile my-trainer.yaml --port /dev/ttyUSB0 --for 30s\n")
	profile := fs.String("profile", "", "an embedded profile name (cpr, extinguisher, scba, board, ppe, harness) or a profile file")
	port := fs.String("port", "", "the serial port (a /dev/serial/by-id name is best)")
	dur := fs.Duration("for", 10*time.Second, "how long to read")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if *profile == "" || *port == "" {
		return usagef("device read: give --profile and --port")
	}
	var p *profiles.Profile
	var err error
	if strings.HasSuffix(*profile, ".yaml") || strings.Contains(*profile, "/") {
		b, rerr := os.ReadFile(*profile)
		if rerr != nil {
			return rerr
		}
		p, err = profiles.Parse(*profile, b)
	} else {
		p, err = profiles.Load(*profile)
	}
	if err != nil {
		return err
	}
	// A technician's check: a port that is not there is an error at once,
	// not a wait that ends in "0 readings".
	dev, err := driver.New(p, *port, driver.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, FailIfMissing: true})
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	seq, n, status := 0, 0, false
	err = dev.Run(ctx, func(r hardware.Reading) {
		if r.Type == hardware.TypeStatus {
			status = true
		}
		if r.Type != hardware.TypeConnected && r.Type != hardware.TypeLost && r.Type != hardware.TypeBack {
			n++
		}
		seq++
		enc.Encode(map[string]any{"seq": seq, "t_ms": r.At.Milliseconds(), "type": r.Type, "source": "device:" + r.Device, "data": r.Fields})
	})
	var oe *serialport.OpenError
	if errors.As(err, &oe) {
		switch {
		case oe.NotFound():
			return fmt.Errorf("port %s not found: nothing is at that path (is the device plugged in? 'shicao devices' lists the serial ports)", oe.Path)
		case errors.Is(err, serialport.ErrNotSerial):
			return fmt.Errorf("%s is not a serial port: %v", oe.Path, oe.Err)
		}
		return fmt.Errorf("port %s: %w", oe.Path, oe)
	}
	if err != nil {
		return err
	}
	if info := dev.Info(); status {
		fmt.Fprintf(e.stderr, "%d readings; device %s serial %s firmware %s\n", n, info.Model, info.Serial, info.Firmware)
	} else {
		fmt.Fprintf(e.stderr, "%d readings; the device reported no status (model, serial, firmware unknown; the profile is for %s)\n", n, info.Model)
	}
	if sd, ok := dev.(interface{ Stats() driver.Stats }); ok {
		s := sd.Stats()
		fmt.Fprintf(e.stderr, "%d bytes read; %d frames accepted, %d dropped (corrupt %d, unknown type %d, unmapped %d, no answer %d, refused %d); %d bytes outside any frame",
			s.Bytes, s.Frames, s.Bad, s.Corrupt, s.Unknown, s.Unmapped, s.Timeouts, s.Exceptions, s.Dropped)
		if s.Missed > 0 {
			fmt.Fprintf(e.stderr, "; %d events missed between polls", s.Missed)
		}
		fmt.Fprintln(e.stderr)
	}
	return nil
}
