package driver

import (
	"context"
	"io"

	"shicao/hardware"
	"shicao/hardware/asciiline"
	"shicao/hardware/cpr"
	"shicao/hardware/profiles"
)

// CPR is a manikin speaking cpr binary frames.
type CPR struct{ *base }

var _ hardware.Device = (*CPR)(nil)

// Run reads the manikin until ctx ends; see hardware.Device.
func (d *CPR) Run(ctx context.Context, emit hardware.Emit) error { return d.run(ctx, emit, d.serve) }

// serve decodes frames until the port fails. A streaming device is up as
// soon as its port opens.
func (d *CPR) serve(ctx context.Context, rw io.ReadWriter, up func(), e *emitter) error {
	up()
	var p cpr.Parser
	var last cpr.Stats
	buf := make([]byte, 1024)
	for {
		n, err := rw.Read(buf)
		if n == 0 && err == nil {
			p.Idle() // a read timeout: the line is quiet
		}
		p.Write(buf[:n])
		for rec, ok := p.Next(); ok; rec, ok = p.Next() {
			typ, fields := cpr.Event(rec)
			e.reading(typ, fields, int64(rec.Uptime()), true)
		}
		s := p.Stats()
		d.frames.Add(s.Frames - last.Frames)
		d.corrupt.Add(s.Bad - last.Bad)
		d.unknown.Add(s.Unknown - last.Unknown)
		d.dropped.Add(s.Dropped - last.Dropped)
		last = s
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}

// Lines is a trainer speaking ASCII lines, mapped by its profile.
type Lines struct {
	*base
	profile *profiles.Profile
}

var _ hardware.Device = (*Lines)(nil)

// Run reads the trainer until ctx ends; see hardware.Device.
func (d *Lines) Run(ctx context.Context, emit hardware.Emit) error { return d.run(ctx, emit, d.serve) }

func (d *Lines) serve(ctx context.Context, rw io.ReadWriter, up func(), e *emitter) error {
	up()
	var p asciiline.Parser
	var last asciiline.Stats
	buf := make([]byte, 512)
	for {
		n, err := rw.Read(buf)
		p.Write(buf[:n])
		for l, ok := p.Next(); ok; l, ok = p.Next() {
			dec, derr := d.profile.DecodeLine(l)
			if derr != nil {
				// A well-formed line the profile cannot map: newer firmware or
				// a wrong profile. Count it; the log says which.
				d.unmapped.Add(1)
				d.log.Debug("line not mapped", "device", d.id, "err", derr)
				continue
			}
			d.frames.Add(1)
			e.reading(dec.Type, dec.Fields, dec.UptimeMS, dec.HasUptime)
		}
		s := p.Stats()
		d.corrupt.Add(s.Bad - last.Bad)
		d.dropped.Add(s.Dropped - last.Dropped)
		last = s
		if err != nil {
			return err
		}
		if ctx.Err() != nil {
			return nil
		}
	}
}
