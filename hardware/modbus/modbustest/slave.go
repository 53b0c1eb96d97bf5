// Package modbustest is an independent Modbus RTU slave, for testing the
// master in package modbus and for the simulators of Modbus trainers.
//
// It shares no code with package modbus, not even the CRC: it is written
// from "Modbus over Serial Line" v1.02 and the Modbus Application Protocol
// v1.1b3 a second time, so that a misreading in one is caught by the other.
package modbustest

import (
	"context"
	"io"
	"sync"
)

// crc is CRC-16/MODBUS bit by bit, as the specification's flowchart
// (Modbus over Serial Line, §6.2.2) draws it.
func crc(p []byte) uint16 {
	r := uint16(0xFFFF)
	for _, b := range p {
		r ^= uint16(b)
		for i := 0; i < 8; i++ {
			if r&0x0001 == 1 {
				r = (r >> 1) ^ 0xA001
			} else {
				r = r >> 1
			}
		}
	}
	return r
}

func withCRC(p []byte) []byte {
	c := crc(p)
	return append(p, byte(c&0xFF), byte(c>>8))
}

// Slave is a device with three banks: coils, holding registers and input
// registers (discrete inputs are not used by shicao's trainers). Make one
// with New. Its banks may change while it serves, through the methods,
// which lock.
type Slave struct {
	ID byte

	mu      sync.Mutex
	coils   []bool
	holding []uint16
	input   []uint16
	mute    bool
	garble  bool
	onWrite func(addr uint16, on bool) byte
	onResp  func(resp []byte) []byte

	requests int
}

// New returns a slave with the given id and bank sizes.
func New(id byte, coils, holding, input int) *Slave {
	return &Slave{ID: id, coils: make([]bool, coils), holding: make([]uint16, holding), input: make([]uint16, input)}
}

// SetCoil sets a coil; SetHolding and SetInput set registers. They panic on
// an address outside the bank, a bug in the test or simulator.
func (s *Slave) SetCoil(addr int, on bool) { s.mu.Lock(); s.coils[addr] = on; s.mu.Unlock() }

// SetHolding sets a holding register.
func (s *Slave) SetHolding(addr int, v uint16) { s.mu.Lock(); s.holding[addr] = v; s.mu.Unlock() }

// SetInput sets an input register.
func (s *Slave) SetInput(addr int, v uint16) { s.mu.Lock(); s.input[addr] = v; s.mu.Unlock() }

// Coil returns a coil's state.
func (s *Slave) Coil(addr int) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.coils[addr] }

// Update runs f with the banks locked, so several registers change at once
// as a poll sees them.
func (s *Slave) Update(f func(coils []bool, holding, input []uint16)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	f(s.coils, s.holding, s.input)
}

// OnWriteCoil sets a hook run on every write-single-coil request before it
// takes effect; a non-zero return is sent as an exception code instead.
func (s *Slave) OnWriteCoil(f func(addr uint16, on bool) byte) {
	s.mu.Lock()
	s.onWrite = f
	s.mu.Unlock()
}

// OnResponse sets a hook that may alter every response before it is sent:
// simulators use it to put noise on the line.
func (s *Slave) OnResponse(f func(resp []byte) []byte) {
	s.mu.Lock()
	s.onResp = f
	s.mu.Unlock()
}

// SetMute makes the slave read requests and answer none, as a slave with a
// broken transmitter does.
func (s *Slave) SetMute(m bool) { s.mu.Lock(); s.mute = m; s.mu.Unlock() }

// SetGarble makes the slave flip a bit in every response's last data byte.
func (s *Slave) SetGarble(g bool) { s.mu.Lock(); s.garble = g; s.mu.Unlock() }

// Requests returns how many well-formed requests to this slave it has seen.
func (s *Slave) Requests() int { s.mu.Lock(); defer s.mu.Unlock(); return s.requests }

// Serve answers requests read from rw until ctx ends or rw fails. A read
// of (0, nil) is a quiet line, not an end. It returns nil when ctx ends
// and the transport's error otherwise (io.EOF when rw is closed).
func (s *Slave) Serve(ctx context.Context, rw io.ReadWriter) error {
	var pending []byte
	buf := make([]byte, 256)
	for ctx.Err() == nil {
		n, err := rw.Read(buf)
		pending = append(pending, buf[:n]...)
		// Every request this slave understands is eight bytes long. A
		// window that fails its CRC is noise: slide one byte and retry.
		for len(pending) >= 8 {
			frame := pending[:8]
			if crc(frame[:6]) != uint16(frame[6])|uint16(frame[7])<<8 {
				pending = pending[1:]
				continue
			}
			pending = pending[8:]
			if resp := s.handle(frame); resp != nil {
				if _, werr := rw.Write(resp); werr != nil {
					return werr
				}
			}
		}
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
	}
	return nil
}

// handle returns the response to one request frame, or nil for none.
func (s *Slave) handle(f []byte) []byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f[0] != s.ID {
		return nil // for another slave on the bus
	}
	s.requests++
	if s.mute {
		return nil
	}
	fn := f[1]
	a := int(f[2])<<8 | int(f[3])
	q := int(f[4])<<8 | int(f[5])
	exc := func(code byte) []byte { return withCRC([]byte{s.ID, fn | 0x80, code}) }
	var resp []byte
	switch fn {
	case 0x01:
		if q < 1 || q > 2000 {
			return exc(0x03)
		}
		if a+q > len(s.coils) {
			return exc(0x02)
		}
		data := make([]byte, (q+7)/8)
		for i := 0; i < q; i++ {
			if s.coils[a+i] {
				data[i/8] |= 1 << uint(i%8)
			}
		}
		resp = append([]byte{s.ID, fn, byte(len(data))}, data...)
	case 0x03, 0x04:
		bank := s.holding
		if fn == 0x04 {
			bank = s.input
		}
		if q < 1 || q > 125 {
			return exc(0x03)
		}
		if a+q > len(bank) {
			return exc(0x02)
		}
		resp = []byte{s.ID, fn, byte(2 * q)}
		for _, v := range bank[a : a+q] {
			resp = append(resp, byte(v>>8), byte(v))
		}
	case 0x05:
		if q != 0xFF00 && q != 0x0000 {
			return exc(0x03)
		}
		if a >= len(s.coils) {
			return exc(0x02)
		}
		if s.onWrite != nil {
			if code := s.onWrite(uint16(a), q == 0xFF00); code != 0 {
				return exc(code)
			}
		}
		s.coils[a] = q == 0xFF00
		resp = append([]byte(nil), f[:6]...)
	default:
		return exc(0x01)
	}
	resp = withCRC(resp)
	if s.garble {
		resp[len(resp)-3] ^= 0x10
	}
	if s.onResp != nil {
		resp = s.onResp(resp)
	}
	return resp
}
