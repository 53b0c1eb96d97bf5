package serialport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"
)

// State is a change in a link's connection.
type State int

// The states a Link reports. Connected is the first time the device is up,
// Back every time after it was Lost. Missing is reported, with the
// *OpenError, when the port is not there before the device was ever up (a
// wrong path, or an adapter not plugged in yet): a screen says "port not
// found" rather than "disconnected". Run goes on trying, so an adapter
// plugged in later still connects (Connected follows). Once the device has
// been up, a port that disappears (a USB adapter pulled out) is Lost.
const (
	Connected State = iota + 1
	Lost
	Back
	Missing
)

func (s State) String() string {
	switch s {
	case Connected:
		return "connected"
	case Lost:
		return "lost"
	case Back:
		return "back"
	case Missing:
		return "missing"
	}
	return fmt.Sprintf("State(%d)", int(s))
}

// Link keeps one device connected. Set its fields before Run.
type Link struct {
	Path        string // the port, preferably a /dev/serial/by-id name
	Mode        Mode
	ReadTimeout time.Duration // per Read; DefaultReadTimeout if zero
	// MinBackoff and MaxBackoff bound the wait between attempts to reopen
	// (100 ms and 2 s if zero): quick to notice a re-plug, cheap while
	// the device stays away.
	MinBackoff, MaxBackoff time.Duration
	Logger                 *slog.Logger // nil: no log
	// FailIfMissing makes Run return at once, with the *OpenError, when
	// the first open finds no port, as for ErrNotSerial: for a one-off
	// check by a person. A station leaves it false and waits for the port.
	FailIfMissing bool
}

// Serve talks to the device on an open port until the port fails (it
// returns the error) or ctx ends. It calls up once the device has shown it
// is there: at once for a device that streams, after a first good answer
// for one that is polled.
type Serve func(ctx context.Context, rw io.ReadWriter, up func()) error

// Run opens the port, runs serve on it and, when serve returns with ctx
// still live, reports Lost (if the device had come up) and reopens the
// port with capped exponential backoff, reporting Back when the device is
// up again. state is called from Run's goroutine, in order with serve's
// own work. Run returns nil when ctx ends, and an error wrapping
// ErrNotSerial or ErrPermission when the first open fails with one: those
// do not mend by waiting (ErrNotFound too, with FailIfMissing).
func (l *Link) Run(ctx context.Context, state func(State, error), serve Serve) error {
	minB, maxB := l.MinBackoff, l.MaxBackoff
	if minB <= 0 {
		minB = 100 * time.Millisecond
	}
	if maxB < minB {
		maxB = max(2*time.Second, minB)
	}
	log := l.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	everUp, attempts, missing := false, 0, false
	backoff := minB
	for ctx.Err() == nil {
		port, err := Open(l.Path, l.Mode, l.ReadTimeout)
		attempts++
		if err != nil {
			notFound := errors.Is(err, ErrNotFound)
			if attempts == 1 && (errors.Is(err, ErrNotSerial) || errors.Is(err, ErrPermission) || notFound && l.FailIfMissing) {
				return err
			}
			if notFound && !everUp && !missing {
				missing = true
				log.Warn("serial port not found", "path", l.Path, "err", err)
				state(Missing, err)
			}
			if attempts == 1 || backoff == maxB {
				log.Debug("serial port not available", "path", l.Path, "err", err)
			}
			if !sleep(ctx, backoff) {
				break
			}
			backoff = min(2*backoff, maxB)
			continue
		}
		backoff = minB
		up := false
		markUp := func() {
			if up {
				return
			}
			up = true
			if everUp {
				log.Info("device back", "path", l.Path)
				state(Back, nil)
			} else {
				everUp = true
				state(Connected, nil)
			}
		}
		// Closing the port is the only way to unblock a Read in progress.
		stop := context.AfterFunc(ctx, func() { port.Close() })
		err = serve(ctx, port, markUp)
		stop()
		port.Close()
		if ctx.Err() != nil {
			break
		}
		if up {
			log.Warn("device lost", "path", l.Path, "err", err)
			state(Lost, err)
		}
		// A device that fails straight after opening (a port that exists but
		// answers nothing) must not make this loop spin.
		if !sleep(ctx, minB) {
			break
		}
	}
	return nil
}

// sleep waits d or until ctx ends; it reports whether ctx is still live.
func sleep(ctx context.Context, d time.Duration) bool {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
