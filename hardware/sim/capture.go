package sim

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"time"

	"shicao/hardware"
)

// A capture is what a real streaming device sent, as text: one line per
// chunk received, the milliseconds since the capture began, a space, and
// the bytes in hexadecimal. Blank lines and lines starting with '#' are
// comments. Times must not go back.
//
//	# SHICAO-CPR-1 SN 0042, captured 2025-03-01
//	0 55aa20040000000056010200...
//	2545 55aa0801e8030000360000 01f5c8
//
// Spaces inside the hex are ignored, so long chunks can be split.

// AppendCapture appends one capture line for data received at at.
func AppendCapture(dst []byte, at time.Duration, data []byte) []byte {
	dst = strconv.AppendInt(dst, int64(at/time.Millisecond), 10)
	dst = append(dst, ' ')
	dst = hex.AppendEncode(dst, data)
	return append(dst, '\n')
}

// parseCapture reads a capture into steps. Errors name the line.
func parseCapture(r io.Reader) ([]step, error) {
	var steps []step
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var last int64
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		ms, rest, _ := strings.Cut(line, " ")
		at, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || at < last {
			return nil, fmt.Errorf("capture line %d: time %q: want milliseconds, never going back", n, ms)
		}
		data, err := hex.DecodeString(strings.ReplaceAll(rest, " ", ""))
		if err != nil || len(data) == 0 {
			return nil, fmt.Errorf("capture line %d: bytes: want hexadecimal", n)
		}
		last = at
		steps = append(steps, step{at: time.Duration(at) * time.Millisecond, data: data})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read capture: %w", err)
	}
	if len(steps) == 0 {
		return nil, fmt.Errorf("capture: no data")
	}
	return steps, nil
}

// StartCapture starts a simulator that replays a capture of a real
// streaming device (cpr, extinguisher, ppe, harness) with its timing, on
// the same pseudo-terminal machinery as Start; Speed and Noise apply, Seed
// seeds the noise. It returns an error for a Modbus kind (a slave answers
// requests; there is nothing to replay) or a malformed capture.
func StartCapture(ctx context.Context, kind hardware.Kind, capture io.Reader, opts Options) (*Sim, error) {
	if kind == hardware.KindSCBA || kind == hardware.KindBoard {
		return nil, fmt.Errorf("replay %s capture: a Modbus slave cannot be replayed", kind)
	}
	if _, ok := scenarios[kind]; !ok {
		return nil, fmt.Errorf("replay capture: unknown kind %q", kind)
	}
	steps, err := parseCapture(capture)
	if err != nil {
		return nil, err
	}
	s := &Sim{kind: kind, scenario: "capture", speed: opts.Speed, noise: opts.Noise,
		rng: rand.New(rand.NewPCG(opts.Seed, 0x5e1)), done: make(chan struct{}), steps: steps}
	return s.start(ctx, opts)
}

// StartCaptureFile is StartCapture reading the capture from a file.
func StartCaptureFile(ctx context.Context, kind hardware.Kind, path string, opts Options) (*Sim, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("replay capture: %w", err)
	}
	defer f.Close()
	return StartCapture(ctx, kind, f, opts)
}
