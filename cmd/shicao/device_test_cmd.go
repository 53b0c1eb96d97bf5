package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"time"

	"shicao/hardware/capture"
	"shicao/hardware/profiles"
	"shicao/hardware/serialport"
	"shicao/hardware/sim"
	"shicao/standards"
)

// deviceCommands are the device subcommands beside read: the
// technician's tools for adding a model by profile (docs/devices.md).
var deviceCommands = map[string]func(ctx context.Context, e *env, args []string) error{
	"test":    runDeviceTest,
	"capture": runDeviceCapture,
	"replay":  runDeviceReplay,
}

// errCapturesFailed is returned by device test when a capture does not
// give its events; it exits 1.
var errCapturesFailed = errors.New("device test: captures failed")

// loadProfileArg reads an embedded profile by name or a profile file,
// without running its captures.
func loadProfileArg(arg string) (*profiles.Profile, error) {
	if strings.HasSuffix(arg, ".yaml") || strings.Contains(arg, "/") {
		b, err := os.ReadFile(arg)
		if err != nil {
			return nil, fmt.Errorf("read profile: %w", err)
		}
		return profiles.ParseUntested(arg, b)
	}
	return profiles.LoadUntested(arg)
}

// vocabularyMap is the embedded vocabulary in the shape Profile.Check takes.
func vocabularyMap() map[string]map[string]string {
	v := standards.DefaultVocabulary()
	out := make(map[string]map[string]string, len(v.Types))
	for name, t := range v.Types {
		fields := make(map[string]string, len(t.Fields))
		for _, f := range t.Fields {
			fields[f.Name] = string(f.Type)
		}
		out[name] = fields
	}
	return out
}

// runDeviceTest checks profiles as a station would before using them:
// against the vocabulary, and by running each test capture.
func runDeviceTest(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "device test", "device test PROFILE...",
		"  shicao device test cpr-pd\n  shicao device test my-manikin.yaml\n")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("device test: give a profile: an embedded name (%s) or a file", strings.Join(profiles.Names(), ", "))
	}
	vocab := vocabularyMap()
	failed := false
	for _, arg := range fs.Args() {
		p, err := loadProfileArg(arg)
		if err != nil {
			return err
		}
		if err := p.Check(vocab); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "profile %s: %s %s, %s\n", p.Name, p.Kind, p.Model, p.Framing)
		var events []string
		for ev := range vocab {
			if u := p.Unmeasured(ev); len(u) > 0 {
				events = append(events, fmt.Sprintf("%s %s", ev, strings.Join(u, ", ")))
			}
		}
		slices.Sort(events)
		for _, ev := range events {
			fmt.Fprintf(e.stdout, "  unmeasured: %s\n", ev)
		}
		if len(p.Captures) == 0 {
			if p.Framing == profiles.FramingModbus {
				fmt.Fprintln(e.stdout, "  no captures: a Modbus slave answers polls; check it with 'shicao device read'")
				continue
			}
			fmt.Fprintln(e.stdout, "  FAIL no captures: record the device with 'shicao device capture' and list the events it must give")
			failed = true
			continue
		}
		for _, r := range p.TestCaptures() {
			s := r.Stats
			detail := fmt.Sprintf("%d events from %d bytes; records %d accepted, refused %d checksum, %d format, %d unknown, %d invalid; %d bytes dropped",
				r.Events, s.Bytes, s.Records, s.Checksum, s.Format, s.Unknown, s.Invalid, s.Dropped)
			if r.Err != nil {
				failed = true
				fmt.Fprintf(e.stdout, "  FAIL %s: %v (%s)\n", r.Name, r.Err, detail)
				continue
			}
			fmt.Fprintf(e.stdout, "  ok   %s: %s\n", r.Name, detail)
		}
	}
	if failed {
		return errCapturesFailed
	}
	return nil
}

// runDeviceCapture records what a device sends, with timestamps, in the
// capture format a profile's test captures and the replayer use.
func runDeviceCapture(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "device capture", "device capture --port PATH -o FILE [--for 30s] [--profile NAME|FILE | --baud N --parity P ...]",
		"  shicao device capture --port /dev/serial/by-id/usb-FTDI-if00 --baud 9600 -o manikin.cap\n  shicao device capture --port /dev/ttyUSB0 --profile cpr-pd -o pd.cap --for 2m\n")
	port := fs.String("port", "", "the serial port (a /dev/serial/by-id name is best)")
	out := fs.String("o", "", "the capture file to write")
	dur := fs.Duration("for", 30*time.Second, "how long to record")
	profile := fs.String("profile", "", "take the port settings from this profile")
	baud := fs.Int("baud", 9600, "baud rate (without --profile)")
	dataBits := fs.Int("data-bits", 8, "data bits (without --profile)")
	parity := fs.String("parity", "none", "none, odd, even, mark or space (without --profile)")
	stopBits := fs.Int("stop-bits", 1, "stop bits (without --profile)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *port == "" || *out == "" {
		return usagef("device capture: give --port and -o")
	}
	mode := serialport.Mode{Baud: *baud, DataBits: *dataBits, Parity: *parity, StopBits: *stopBits}
	if *profile != "" {
		p, err := loadProfileArg(*profile)
		if err != nil {
			return err
		}
		mode = serialport.Mode{Baud: p.Port.Baud, DataBits: p.Port.DataBits, Parity: p.Port.Parity, StopBits: p.Port.StopBits}
	}
	sp, err := serialport.Open(*port, mode, 0)
	if err != nil {
		return fmt.Errorf("device capture: %w", err)
	}
	f, err := os.Create(*out)
	if err != nil {
		sp.Close()
		return fmt.Errorf("device capture: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# captured from %s at %d baud, %d%s%d, %s\n", *port, mode.Baud, mode.DataBits,
		strings.ToUpper(mode.Parity[:1]), mode.StopBits, time.Now().UTC().Format(time.RFC3339))
	ctx, cancel := context.WithTimeout(ctx, *dur)
	defer cancel()
	stop := context.AfterFunc(ctx, func() { sp.Close() }) // unblocks a pending Read
	defer stop()
	start := time.Now()
	var total, reads int64
	buf := make([]byte, 4096)
	var line []byte
	for ctx.Err() == nil {
		n, rerr := sp.Read(buf)
		if n > 0 {
			line = capture.Append(line[:0], time.Since(start), buf[:n])
			w.Write(line)
			total += int64(n)
			reads++
		}
		if rerr != nil {
			if ctx.Err() == nil {
				err = fmt.Errorf("device capture: read %s: %w", *port, rerr)
			}
			break
		}
	}
	sp.Close()
	if ferr := w.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("device capture: %w", ferr)
	}
	if cerr := f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("device capture: %w", cerr)
	}
	fmt.Fprintf(e.stderr, "%d bytes in %d reads written to %s\n", total, reads, *out)
	return err
}

// runDeviceReplay replays a profile's capture (or a capture file) on a
// pseudo-terminal, over and over: the simulator of a model added by
// profile alone. It prints the device path on the first line.
func runDeviceReplay(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "device replay", "device replay PROFILE [--capture NAME|FILE] [--speed N] [--dir DIR]",
		"  shicao device replay cpr-pd --dir /tmp/pd\n  shicao device read --profile cpr-pd --port /tmp/pd/tty\n")
	name := fs.String("capture", "", "the profile's capture to play, by name, or a capture file (default: its first)")
	speed := fs.Float64("speed", 1, "clock multiplier")
	dir := fs.String("dir", "", "directory for the stable device link (DIR/tty); default a new temporary one")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("device replay: give one profile")
	}
	p, err := loadProfileArg(fs.Arg(0))
	if err != nil {
		return err
	}
	var chunks []capture.Chunk
	switch {
	case strings.Contains(*name, "/") || strings.HasSuffix(*name, ".cap"):
		f, err := os.Open(*name)
		if err != nil {
			return fmt.Errorf("device replay: %w", err)
		}
		chunks, err = capture.Parse(f)
		f.Close()
		if err != nil {
			return fmt.Errorf("device replay %s: %w", *name, err)
		}
	default:
		var c *profiles.Capture
		for _, x := range p.Captures {
			if *name == "" || x.Name == *name {
				c = x
				break
			}
		}
		if c == nil {
			return fmt.Errorf("device replay: profile %s has no capture %q", p.Name, *name)
		}
		if chunks, _, err = p.CaptureData(c); err != nil {
			return fmt.Errorf("device replay: %w", err)
		}
	}
	if *dir != "" {
		if err := os.MkdirAll(*dir, 0o755); err != nil {
			return err
		}
	}
	s, err := sim.StartReplay(ctx, p.Kind, chunks, sim.Options{Speed: *speed, Dir: *dir})
	if err != nil {
		return err
	}
	defer s.Close()
	fmt.Fprintln(e.stdout, s.Path())
	<-ctx.Done()
	return nil
}
