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
)

// deviceCmd is `shicao device`: the technician's check of a device before
// an exam, and the tools for adding a model by profile (docs/devices.md).
func deviceCmd() *Command {
	return &Command{
		UsageLine: "device",
		Short:     "read a device with a profile (the technician's check); test, capture and replay profiles",
		Commands: []*Command{
			deviceReadCmd(),
			deviceTestCmd(),
			deviceCaptureCmd(),
			deviceReplayCmd(),
		},
	}
}

func deviceReadCmd() *Command {
	c := &Command{
		UsageLine: "device read --profile NAME|FILE --port PATH [--for 10s]",
		Short:     "readings as event JSON lines, then bytes read, frames accepted and dropped by reason",
		Long:      "Examples:\n  shicao device read --profile cpr --port /dev/serial/by-id/usb-SHICAO_CPR-if00\n  shicao device read --profile my-trainer.yaml --port /dev/ttyUSB0 --for 30s\n",
	}
	profile := c.Flag.String("profile", "", "an embedded profile name (cpr, extinguisher, scba, board, ppe, harness) or a profile file")
	port := c.Flag.String("port", "", "the serial port (a /dev/serial/by-id name is best)")
	dur := c.Flag.Duration("for", 10*time.Second, "how long to read")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *profile == "" || *port == "" {
			return usagef("device read: give --profile and --port")
		}
		p, err := loadTestedProfile(*profile)
		if err != nil {
			return err
		}
		// A technician's check: a port that is not there is an error at
		// once, not a wait that ends in "0 readings".
		dev, err := driver.New(p, *port, driver.Options{MinBackoff: 50 * time.Millisecond, MaxBackoff: 500 * time.Millisecond, FailIfMissing: true})
		if err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(ctx, *dur)
		defer cancel()
		n, status, err := readDevice(ctx, e, dev)
		if err != nil {
			return portError(err)
		}
		printReadSummary(e, dev, n, status)
		return nil
	}
	return c
}

// loadTestedProfile reads an embedded profile by name or a profile file,
// running its test captures (profiles.Parse).
func loadTestedProfile(arg string) (*profiles.Profile, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.Contains(arg, "/") {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, err
		}
		return profiles.Parse(arg, b)
	}
	return profiles.Load(arg)
}

// readDevice prints dev's readings as event JSON lines until ctx ends. It
// returns how many readings were not connection changes, and whether the
// device reported its status.
func readDevice(ctx context.Context, e *env, dev hardware.Device) (n int, status bool, err error) {
	enc := json.NewEncoder(e.stdout)
	enc.SetEscapeHTML(false)
	seq := 0
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
	return n, status, err
}

// portError says what is wrong with a port that would not open in words a
// technician acts on.
func portError(err error) error {
	var oe *serialport.OpenError
	if !errors.As(err, &oe) {
		return err
	}
	switch {
	case oe.NotFound():
		return fmt.Errorf("port %s not found: nothing is at that path (is the device plugged in? 'shicao devices' lists the serial ports)", oe.Path)
	case errors.Is(err, serialport.ErrNotSerial):
		return fmt.Errorf("%s is not a serial port: %v", oe.Path, oe.Err)
	}
	return fmt.Errorf("port %s: %w", oe.Path, oe)
}

// printReadSummary says on stderr what the device is and how its bytes
// were taken: frames accepted, dropped by reason, bytes outside a frame.
func printReadSummary(e *env, dev hardware.Device, n int, status bool) {
	if info := dev.Info(); status {
		fmt.Fprintf(e.stderr, "%d readings; device %s serial %s firmware %s\n", n, info.Model, info.Serial, info.Firmware)
	} else {
		fmt.Fprintf(e.stderr, "%d readings; the device reported no status (model, serial, firmware unknown; the profile is for %s)\n", n, info.Model)
	}
	sd, ok := dev.(interface{ Stats() driver.Stats })
	if !ok {
		return
	}
	s := sd.Stats()
	fmt.Fprintf(e.stderr, "%d bytes read; %d frames accepted, %d dropped (corrupt %d, unknown type %d, unmapped %d, no answer %d, refused %d); %d bytes outside any frame",
		s.Bytes, s.Frames, s.Bad, s.Corrupt, s.Unknown, s.Unmapped, s.Timeouts, s.Exceptions, s.Dropped)
	if s.Missed > 0 {
		fmt.Fprintf(e.stderr, "; %d events missed between polls", s.Missed)
	}
	fmt.Fprintln(e.stderr)
}
