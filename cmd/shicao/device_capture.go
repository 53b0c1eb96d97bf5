package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"shicao/hardware/capture"
	"shicao/hardware/profiles"
	"shicao/hardware/serialport"
	"shicao/hardware/sim"
)

// deviceCaptureCmd records what a device sends, with timestamps, in the
// capture format a profile's test captures and the replayer use.
func deviceCaptureCmd() *Command {
	c := &Command{
		UsageLine: "device capture --port PATH -o FILE [--for 30s] [--profile NAME|FILE | --baud N --parity P ...]",
		Short:     "record a device's bytes with timestamps, to build a profile",
		Long:      "Examples:\n  shicao device capture --port /dev/serial/by-id/usb-FTDI-if00 --baud 9600 -o manikin.cap\n  shicao device capture --port /dev/ttyUSB0 --profile cpr-pd -o pd.cap --for 2m\n",
	}
	port := c.Flag.String("port", "", "the serial port (a /dev/serial/by-id name is best)")
	out := c.Flag.String("o", "", "the capture file to write")
	dur := c.Flag.Duration("for", 30*time.Second, "how long to record")
	profile := c.Flag.String("profile", "", "take the port settings from this profile")
	mode := serialport.Mode{}
	c.Flag.IntVar(&mode.Baud, "baud", 9600, "baud rate (without --profile)")
	c.Flag.IntVar(&mode.DataBits, "data-bits", 8, "data bits (without --profile)")
	c.Flag.StringVar(&mode.Parity, "parity", "none", "none, odd, even, mark or space (without --profile)")
	c.Flag.IntVar(&mode.StopBits, "stop-bits", 1, "stop bits (without --profile)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *port == "" || *out == "" {
			return usagef("device capture: give --port and -o")
		}
		if *profile != "" {
			p, err := loadProfileArg(*profile)
			if err != nil {
				return err
			}
			mode = serialport.Mode{Baud: p.Port.Baud, DataBits: p.Port.DataBits, Parity: p.Port.Parity, StopBits: p.Port.StopBits}
		}
		ctx, cancel := context.WithTimeout(ctx, *dur)
		defer cancel()
		return captureDevice(ctx, e, *port, mode, *out)
	}
	return c
}

// captureDevice records the port into the capture file out until ctx ends.
func captureDevice(ctx context.Context, e *env, port string, mode serialport.Mode, out string) error {
	sp, err := serialport.Open(port, mode, 0)
	if err != nil {
		return fmt.Errorf("device capture: %w", err)
	}
	f, err := os.Create(out)
	if err != nil {
		sp.Close()
		return fmt.Errorf("device capture: %w", err)
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, "# captured from %s at %d baud, %d%s%d, %s\n", port, mode.Baud, mode.DataBits,
		strings.ToUpper(mode.Parity[:1]), mode.StopBits, time.Now().UTC().Format(time.RFC3339))
	stop := context.AfterFunc(ctx, func() { sp.Close() }) // unblocks a pending Read
	defer stop()
	total, reads, rerr := captureBytes(ctx, sp, w)
	if rerr != nil {
		err = fmt.Errorf("device capture: read %s: %w", port, rerr)
	}
	sp.Close()
	if ferr := w.Flush(); ferr != nil && err == nil {
		err = fmt.Errorf("device capture: %w", ferr)
	}
	if cerr := f.Close(); cerr != nil && err == nil {
		err = fmt.Errorf("device capture: %w", cerr)
	}
	fmt.Fprintf(e.stderr, "%d bytes in %d reads written to %s\n", total, reads, out)
	return err
}

// captureBytes copies what r gives to w as capture lines, each stamped
// with the time since the start, until ctx ends (closing r ends a pending
// read) or a read fails before then.
func captureBytes(ctx context.Context, r io.Reader, w io.Writer) (total, reads int64, err error) {
	start := time.Now()
	buf := make([]byte, 4096)
	var line []byte
	for ctx.Err() == nil {
		n, rerr := r.Read(buf)
		if n > 0 {
			line = capture.Append(line[:0], time.Since(start), buf[:n])
			w.Write(line)
			total += int64(n)
			reads++
		}
		if rerr != nil {
			if ctx.Err() == nil {
				err = rerr
			}
			break
		}
	}
	return total, reads, err
}

// deviceReplayCmd replays a profile's capture (or a capture file) on a
// pseudo-terminal, over and over: the simulator of a model added by
// profile alone. It prints the device path on the first line.
func deviceReplayCmd() *Command {
	c := &Command{
		UsageLine: "device replay PROFILE [--capture NAME|FILE] [--speed N] [--dir DIR]",
		Short:     "the simulator of a model added by profile alone (a capture, over and over)",
		Long:      "Examples:\n  shicao device replay cpr-pd --dir /tmp/pd\n  shicao device read --profile cpr-pd --port /tmp/pd/tty\n",
	}
	name := c.Flag.String("capture", "", "the profile's capture to play, by name, or a capture file (default: its first)")
	speed := c.Flag.Float64("speed", 1, "clock multiplier")
	dir := c.Flag.String("dir", "", "directory for the stable device link (DIR/tty); default a new temporary one")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("device replay: give one profile")
		}
		p, err := loadProfileArg(args[0])
		if err != nil {
			return err
		}
		chunks, err := replayChunks(p, *name)
		if err != nil {
			return err
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
	return c
}

// replayChunks is the capture to replay: a capture file (name has a '/'
// or ends in .cap), or p's capture called name (its first if name is "").
func replayChunks(p *profiles.Profile, name string) ([]capture.Chunk, error) {
	if strings.Contains(name, "/") || strings.HasSuffix(name, ".cap") {
		f, err := os.Open(name)
		if err != nil {
			return nil, fmt.Errorf("device replay: %w", err)
		}
		defer f.Close()
		chunks, err := capture.Parse(f)
		if err != nil {
			return nil, fmt.Errorf("device replay %s: %w", name, err)
		}
		return chunks, nil
	}
	for _, x := range p.Captures {
		if name == "" || x.Name == name {
			chunks, _, err := p.CaptureData(x)
			if err != nil {
				return nil, fmt.Errorf("device replay: %w", err)
			}
			return chunks, nil
		}
	}
	return nil, fmt.Errorf("device replay: profile %s has no capture %q", p.Name, name)
}
