package sim

import (
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"time"

	"shicao/hardware"
	"shicao/hardware/capture"
)

// A capture is what a real streaming device sent, in the text format of
// package capture.

// AppendCapture appends one capture line for data received at at
// (capture.Append).
func AppendCapture(dst []byte, at time.Duration, data []byte) []byte {
	return capture.Append(dst, at, data)
}

// parseCapture reads a capture into steps. Errors name the line.
func parseCapture(r io.Reader) ([]step, error) {
	chunks, err := capture.Parse(r)
	if err != nil {
		return nil, err
	}
	return chunkSteps(chunks), nil
}

func chunkSteps(chunks []capture.Chunk) []step {
	steps := make([]step, len(chunks))
	for i, c := range chunks {
		steps[i] = step{at: c.At, data: c.Data}
	}
	return steps
}

// StartReplay starts a simulator of kind that replays chunks (a capture)
// over and over, each replay starting period after the last one began
// (period 0: right after its last chunk), so a test can unplug and replug
// it as often as it likes and still see readings. Device time keeps
// running; clocks carried in the bytes repeat with each replay.
func StartReplay(ctx context.Context, kind hardware.Kind, chunks []capture.Chunk, opts Options) (*Sim, error) {
	if len(chunks) == 0 {
		return nil, capture.ErrEmpty
	}
	end := chunks[len(chunks)-1].At + 40*time.Millisecond
	// Enough replays for an hour of device time.
	var steps []step
	for k := 0; time.Duration(k)*end < time.Hour && k < 10000; k++ {
		for _, c := range chunks {
			steps = append(steps, step{at: time.Duration(k)*end + c.At, data: c.Data})
		}
		if len(steps) > 2_000_000 {
			break
		}
	}
	s := &Sim{kind: kind, scenario: "replay", speed: opts.Speed, noise: opts.Noise,
		rng: rand.New(rand.NewPCG(opts.Seed, 0x5e1)), done: make(chan struct{}), steps: steps}
	return s.start(ctx, opts)
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
