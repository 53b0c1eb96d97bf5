package driver

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"sync/atomic"
	"time"

	"shicao/hardware"
	"shicao/hardware/modbus"
	"shicao/hardware/profiles"
)

// ErrNotConnected is returned by Modbus.Set while the device is not up.
var ErrNotConnected = errors.New("device not connected")

// lostAfter polls in a row without an answer mean the slave is gone even
// though the port is still open (an RS-485 cable pulled out of the
// trainer). Garbled answers do not count: line noise is not a lost device.
const lostAfter = 3

// writeAttempts bounds the tries of a control write that got no clean reply.
const writeAttempts = 3

// Modbus is a trainer polled over Modbus RTU, mapped by its profile.
type Modbus struct {
	*base
	profile *profiles.Profile
	writes  chan write
	// up is closed when the current connection ends; nil while down.
	up atomic.Pointer[chan struct{}]
}

var _ hardware.Device = (*Modbus)(nil)

type write struct {
	ctx   context.Context
	field *profiles.Field
	on    bool
	done  chan error
}

func newModbus(b *base, p *profiles.Profile) *Modbus {
	return &Modbus{base: b, profile: p, writes: make(chan write)}
}

// Run polls the trainer until ctx ends; see hardware.Device.
func (d *Modbus) Run(ctx context.Context, emit hardware.Emit) error { return d.run(ctx, emit, d.serve) }

// Set writes one of the profile's controls, such as the wiring board's
// examiner-gated "power_enable". It returns ErrNotConnected while the
// device is not up, and the slave's *modbus.ExceptionError if it refuses.
func (d *Modbus) Set(ctx context.Context, control string, on bool) error {
	f, ok := d.profile.Modbus.Controls[control]
	if !ok {
		return fmt.Errorf("set %s on %s: no such control", control, d.id)
	}
	up := d.up.Load()
	if up == nil {
		return fmt.Errorf("set %s on %s: %w", control, d.id, ErrNotConnected)
	}
	w := write{ctx: ctx, field: f, on: on, done: make(chan error, 1)}
	select {
	case d.writes <- w:
	case <-*up:
		return fmt.Errorf("set %s on %s: %w", control, d.id, ErrNotConnected)
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-w.done:
		if err != nil {
			return fmt.Errorf("set %s on %s: %w", control, d.id, err)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// transient reports whether a failed transaction says nothing about the
// port: the slave timed out, the line garbled, the slave refused.
func transient(err error) bool {
	var exc *modbus.ExceptionError
	return errors.Is(err, modbus.ErrTimeout) || errors.Is(err, modbus.ErrBadResponse) || errors.As(err, &exc)
}

func (d *Modbus) serve(ctx context.Context, rw io.ReadWriter, up func(), e *emitter) error {
	m := d.profile.Modbus
	c := modbus.NewClient(rw, time.Duration(m.TimeoutMS)*time.Millisecond)
	blocks, connect := m.Blocks(), m.ConnectBlocks()
	// prev holds each event's last fields (untriggered) or trigger value.
	prev := make([]any, len(m.Events))
	first := true
	silent := 0 // polls in a row that timed out
	tick := time.NewTicker(time.Duration(m.PollMS) * time.Millisecond)
	defer tick.Stop()
	conn := make(chan struct{})
	defer func() {
		d.up.Store(nil)
		close(conn)
	}()
	for {
		regs, err := poll(ctx, c, m.Slave, blocks)
		if err == nil && first && len(connect) > 0 {
			// The first good poll of each connection also reads what is read
			// once per connection (the provenance).
			err = readBlocks(ctx, c, m.Slave, connect, regs)
			var exc *modbus.ExceptionError
			if errors.As(err, &exc) {
				// The slave has no such registers: older firmware than the
				// profile. Carry on without them rather than never come up:
				// Info keeps the profile's model and has no serial, which
				// the station refuses by name.
				d.log.Warn("provenance not readable", "device", d.id, "err", err)
				err = nil
			}
		}
		switch {
		case ctx.Err() != nil:
			return nil
		case err != nil && !transient(err):
			return err
		case err != nil:
			d.countFailed(err)
			if !errors.Is(err, modbus.ErrTimeout) {
				silent = 0 // a garbled answer or an exception: the slave is there
				break
			}
			if silent++; silent >= lostAfter {
				return fmt.Errorf("no answer in %d polls: %w", silent, err)
			}
		default:
			silent = 0
			d.frames.Add(int64(len(blocks)))
			if first {
				d.frames.Add(int64(len(connect)))
			}
			d.up.Store(&conn)
			up()
			d.compare(regs, prev, first, e)
			first = false
		}
		select {
		case <-ctx.Done():
			return nil
		case w := <-d.writes:
			// Writing a coil sets it to a value: repeating it is harmless, so
			// a reply lost to line noise is worth another try.
			var werr error
			for range writeAttempts {
				werr = c.WriteSingleCoil(w.ctx, m.Slave, w.field.Address, w.on)
				if werr == nil || !errors.Is(werr, modbus.ErrTimeout) && !errors.Is(werr, modbus.ErrBadResponse) {
					break
				}
				d.countFailed(werr)
			}
			w.done <- werr
			if werr != nil && !transient(werr) && w.ctx.Err() == nil {
				return werr
			}
		case <-tick.C:
		}
	}
}

// countFailed counts a transaction that failed transiently by its reason.
func (d *Modbus) countFailed(err error) {
	var exc *modbus.ExceptionError
	switch {
	case errors.Is(err, modbus.ErrTimeout):
		d.timeouts.Add(1)
	case errors.As(err, &exc):
		d.exceptions.Add(1)
	default:
		d.corrupt.Add(1)
	}
}

// compare emits the events whose fields or trigger changed since the last
// poll. On the first poll after connecting it emits every untriggered event
// (the station learns the state), OnConnect ones included, and only notes
// the triggers (an occurrence from before the connection is not replayed).
func (d *Modbus) compare(regs profiles.Registers, prev []any, first bool, e *emitter) {
	for i, ev := range d.profile.Modbus.Events {
		if ev.OnConnect && !first {
			continue
		}
		if ev.Trigger != nil {
			v, err := ev.Trigger.Value(regs)
			if err != nil {
				d.unmapped.Add(1)
				continue
			}
			changed := !first && v != prev[i]
			if changed {
				if jump := v.(int) - prev[i].(int); jump > 1 {
					// The device counted occurrences faster than we polled:
					// only the last one's registers are left to read.
					d.missed.Add(int64(jump - 1))
					d.log.Warn("events missed between polls", "device", d.id, "event", ev.Event, "missed", jump-1)
				}
			}
			prev[i] = v
			if !changed {
				continue
			}
		}
		fields, err := ev.Decode(regs)
		if err != nil {
			d.unmapped.Add(1)
			d.log.Debug("registers not mapped", "device", d.id, "err", err)
			continue
		}
		if ev.Trigger == nil {
			if reflect.DeepEqual(fields, prev[i]) {
				continue
			}
			prev[i] = fields
		}
		e.reading(ev.Event, fields, 0, false)
	}
}

// poll reads every block once.
func poll(ctx context.Context, c *modbus.Client, slave byte, blocks []profiles.Block) (profiles.Registers, error) {
	r := profiles.Registers{Coils: map[uint16]bool{}, Holding: map[uint16]uint16{}, Input: map[uint16]uint16{}}
	return r, readBlocks(ctx, c, slave, blocks, r)
}

// readBlocks reads every block once into r.
func readBlocks(ctx context.Context, c *modbus.Client, slave byte, blocks []profiles.Block, r profiles.Registers) error {
	for _, b := range blocks {
		switch b.Table {
		case "coil":
			coils, err := c.ReadCoils(ctx, slave, b.Address, b.Quantity)
			if err != nil {
				return err
			}
			for i, on := range coils {
				r.Coils[b.Address+uint16(i)] = on
			}
		default:
			read, bank := c.ReadHoldingRegisters, r.Holding
			if b.Table == "input" {
				read, bank = c.ReadInputRegisters, r.Input
			}
			regs, err := read(ctx, slave, b.Address, b.Quantity)
			if err != nil {
				return err
			}
			for i, v := range regs {
				bank[b.Address+uint16(i)] = v
			}
		}
	}
	return nil
}
