package driver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"shicao/hardware"
	"shicao/hardware/profiles"
	"shicao/hardware/serialport"
)

// Options tune a driver. The zero value is usable.
type Options struct {
	// ID is the station's name for the device, put in every reading
	// (default: the profile's name and "-01", e.g. "cpr-01").
	ID     string
	Logger *slog.Logger
	// ReadTimeout, MinBackoff and MaxBackoff are passed to serialport.Link.
	ReadTimeout, MinBackoff, MaxBackoff time.Duration
	// Now is the host clock for readings whose wire carries no device
	// clock (default time.Now).
	Now func() time.Time
	// FailIfMissing makes Run return an error at once when the port is not
	// there (serialport.Link.FailIfMissing): for a technician's one-off
	// check. The station waits for the port instead.
	FailIfMissing bool
}

// Stats counts a device's traffic since it was made.
type Stats struct {
	Bytes    int64 // bytes read from the port
	Frames   int64 // frames, lines or Modbus answers accepted
	Readings int64 // readings emitted, state changes excluded
	Bad      int64 // frames, lines or answers refused: the sum of the reasons below
	// Bad by reason.
	Corrupt    int64 // a CRC or checksum failed, or a frame or line was malformed or cut short
	Unknown    int64 // CPR: a valid frame of a record type the codec does not know
	Unmapped   int64 // a valid line or register set the profile cannot map
	Timeouts   int64 // Modbus: a request with no answer
	Exceptions int64 // Modbus: the slave refused a request
	Dropped    int64 // bytes outside any valid frame or line
	Missed     int64 // Modbus: occurrences a trigger counter skipped between two polls
}

// New returns the device for profile p on the serial port at path (a
// /dev/serial/by-id name where there is one). It returns an error for a
// profile whose framing it does not know.
func New(p *profiles.Profile, path string, opts Options) (hardware.Device, error) {
	b, err := newBase(p, path, opts)
	if err != nil {
		return nil, err
	}
	switch p.Framing {
	case profiles.FramingLines, profiles.FramingBinary:
		return &Stream{base: b, profile: p}, nil
	case profiles.FramingModbus:
		return newModbus(b, p), nil
	}
	return nil, fmt.Errorf("new device %s: framing %q", p.Name, p.Framing)
}

// base is what every driver shares: identity, link, clock, provenance.
type base struct {
	id   string
	kind hardware.Kind
	link serialport.Link
	log  *slog.Logger
	now  func() time.Time

	mu   sync.Mutex
	info hardware.Info

	readings, dropped, missed, bytes, frames         atomic.Int64
	corrupt, unknown, unmapped, timeouts, exceptions atomic.Int64
	// portErr is why the port cannot be used, while it cannot: a
	// not-found *serialport.OpenError before the device was first up, or
	// the error Run ended with.
	portErr error
}

func newBase(p *profiles.Profile, path string, o Options) (*base, error) {
	if path == "" {
		return nil, fmt.Errorf("new device %s: no port path", p.Name)
	}
	b := &base{id: o.ID, kind: p.Kind, log: o.Logger, now: o.Now, info: hardware.Info{Model: p.Model}}
	if b.id == "" {
		b.id = p.Name + "-01"
	}
	if b.log == nil {
		b.log = slog.New(slog.DiscardHandler)
	}
	if b.now == nil {
		b.now = time.Now
	}
	b.link = serialport.Link{
		Path:        path,
		Mode:        serialport.Mode{Baud: p.Port.Baud, DataBits: p.Port.DataBits, Parity: p.Port.Parity, StopBits: p.Port.StopBits},
		ReadTimeout: o.ReadTimeout, MinBackoff: o.MinBackoff, MaxBackoff: o.MaxBackoff,
		Logger: b.log.With("device", b.id), FailIfMissing: o.FailIfMissing,
	}
	return b, nil
}

// Info returns the provenance known so far.
func (b *base) Info() hardware.Info {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.info
}

// Stats returns the traffic counts so far.
func (b *base) Stats() Stats {
	s := Stats{Bytes: b.bytes.Load(), Frames: b.frames.Load(), Readings: b.readings.Load(),
		Corrupt: b.corrupt.Load(), Unknown: b.unknown.Load(), Unmapped: b.unmapped.Load(),
		Timeouts: b.timeouts.Load(), Exceptions: b.exceptions.Load(),
		Dropped: b.dropped.Load(), Missed: b.missed.Load()}
	s.Bad = s.Corrupt + s.Unknown + s.Unmapped + s.Timeouts + s.Exceptions
	return s
}

// PortError returns why the device's port cannot be used, or nil: a
// *serialport.OpenError that is NotFound while the port has not been
// there since Run started (a wrong path, an adapter not plugged in yet;
// Run keeps trying), or the error Run returned (not a serial port, no
// permission). A device that was up and is lost has none: it is
// disconnected, not missing.
func (b *base) PortError() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.portErr
}

func (b *base) setPortError(err error) {
	b.mu.Lock()
	b.portErr = err
	b.mu.Unlock()
}

// countingReader counts the bytes read from the port.
type countingReader struct {
	io.ReadWriter
	n *atomic.Int64
}

func (c countingReader) Read(p []byte) (int, error) {
	n, err := c.ReadWriter.Read(p)
	c.n.Add(int64(n))
	return n, err
}

// emitter turns decoded events into readings stamped with time since the
// start of Run.
type emitter struct {
	b     *base
	emit  hardware.Emit
	start time.Time
}

func (e *emitter) reading(typ string, fields map[string]any, uptimeMS int64, deviceClock bool) {
	r := hardware.Reading{Device: e.b.id, Kind: e.b.kind, Type: typ, Fields: fields}
	if deviceClock {
		r.At, r.DeviceClock = time.Duration(uptimeMS)*time.Millisecond, true
	} else {
		r.At = e.b.now().Sub(e.start)
	}
	if typ == hardware.TypeStatus {
		fields["kind"] = string(e.b.kind)
		e.b.mu.Lock()
		e.b.info = hardware.Info{Model: str(fields["model"]), Serial: str(fields["serial"]), Firmware: str(fields["firmware"])}
		e.b.mu.Unlock()
	}
	e.b.readings.Add(1)
	e.emit(r)
}

func str(v any) string { s, _ := v.(string); return s }

func (e *emitter) state(s serialport.State, err error) {
	switch s {
	case serialport.Missing:
		// Not a reading: the station records nothing for a port that
		// never was; its screen asks PortError.
		e.b.setPortError(err)
		return
	case serialport.Connected, serialport.Back:
		e.b.setPortError(nil)
	}
	typ := map[serialport.State]string{serialport.Connected: hardware.TypeConnected,
		serialport.Lost: hardware.TypeLost, serialport.Back: hardware.TypeBack}[s]
	e.emit(hardware.Reading{Device: e.b.id, Kind: e.b.kind, Type: typ,
		Fields: map[string]any{"kind": string(e.b.kind)}, At: e.b.now().Sub(e.start)})
}

// run is Run for every driver: serve is the family's protocol loop.
func (b *base) run(ctx context.Context, emit hardware.Emit,
	serve func(ctx context.Context, rw io.ReadWriter, up func(), e *emitter) error) error {
	e := &emitter{b: b, emit: emit, start: b.now()}
	err := b.link.Run(ctx, e.state, func(ctx context.Context, rw io.ReadWriter, up func()) error {
		return serve(ctx, countingReader{rw, &b.bytes}, up, e)
	})
	if err != nil {
		b.setPortError(err)
		return fmt.Errorf("run device %s: %w", b.id, err)
	}
	return nil
}
