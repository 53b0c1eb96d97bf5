package driver

import (
	"context"
	"io"

	"shicao/hardware"
	"shicao/hardware/profiles"
)

// Stream is a device that streams records (framing lines or binary),
// decoded by its profile: the CPR manikins, the extinguisher, the PPE
// tray, the harness hook, and any model a profile describes.
type Stream struct {
	*base
	profile *profiles.Profile
}

var _ hardware.Device = (*Stream)(nil)

// Run reads the device until ctx ends; see hardware.Device.
func (d *Stream) Run(ctx context.Context, emit hardware.Emit) error { return d.run(ctx, emit, d.serve) }

// serve decodes records until the port fails. A streaming device is up as
// soon as its port opens.
func (d *Stream) serve(ctx context.Context, rw io.ReadWriter, up func(), e *emitter) error {
	up()
	s, err := d.profile.NewStream()
	if err != nil {
		return err
	}
	var last profiles.StreamStats
	buf := make([]byte, 1024)
	for {
		n, err := rw.Read(buf)
		if n == 0 && err == nil {
			s.Idle() // a read timeout: the line is quiet
		}
		s.Write(buf[:n], e.b.now().Sub(e.start))
		for ev, ok := s.Next(); ok; ev, ok = s.Next() {
			e.reading(ev.Type, ev.Fields, ev.At.Milliseconds(), ev.DeviceClock)
		}
		// The decoder counts records refused by reason (StreamStats).
		st := s.Stats()
		d.frames.Add(st.Records - last.Records)
		d.corrupt.Add(st.Checksum + st.Format + st.Invalid - last.Checksum - last.Format - last.Invalid)
		if d.profile.Framing == profiles.FramingBinary {
			d.unknown.Add(st.Unknown - last.Unknown)
		} else {
			d.unmapped.Add(st.Unknown - last.Unknown)
		}
		d.dropped.Add(st.Dropped - last.Dropped)
		last = st
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}
