// Package rtuslave is an independent Modbus RTU slave, for the simulators
// of Modbus trainers (hardware/sim) and for testing the master in package
// modbus. It is production code: the simulators are the demo's default
// devices.
//
// It shares no code with package modbus, not even the CRC: it is written
// from "Modbus over Serial Line" v1.02 and the Modbus Application Protocol
// v1.1b3 a second time, so that a misreading in one is caught by the other.
package rtuslave

import (
	"bytes"
	"context"
	"io"
	"slices"
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
	// read holds every register the host has read at least once; unseen
	// those of them changed since the host last read them. seen is closed
	// while unseen is empty (see Seen).
	read    map[register]bool
	unseen  map[register]int // reads still needed
	seen    chan struct{}
	confirm int
	// reads counts the distinct read requests served; polled the channels
	// of Polled, each closed once requests reaches its count.
	reads  map[[3]int]bool
	polled []polled
}

type polled struct {
	at int
	ch chan struct{}
}

// register names one coil or register: the bank (the function code that
// reads it: 0x01 coils, 0x03 holding, 0x04 input) and the address.
type register struct {
	bank byte
	addr int
}

// New returns a slave with the given id and bank sizes.
func New(id byte, coils, holding, input int) *Slave {
	seen := make(chan struct{})
	close(seen)
	return &Slave{ID: id, coils: make([]bool, coils), holding: make([]uint16, holding), input: make([]uint16, input),
		read: map[register]bool{}, unseen: map[register]int{}, seen: seen, confirm: 1, reads: map[[3]int]bool{}}
}

// SetCoil sets a coil; SetHolding and SetInput set registers. They panic on
// an address outside the bank, a bug in the test or simulator.
func (s *Slave) SetCoil(addr int, on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.coils[addr] != on {
		s.coils[addr] = on
		s.changed(register{0x01, addr})
	}
}

// SetHolding sets a holding register.
func (s *Slave) SetHolding(addr int, v uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.holding[addr] != v {
		s.holding[addr] = v
		s.changed(register{0x03, addr})
	}
}

// SetInput sets an input register.
func (s *Slave) SetInput(addr int, v uint16) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.input[addr] != v {
		s.input[addr] = v
		s.changed(register{0x04, addr})
	}
}

// Seen returns a channel closed once the host has read every register it
// reads that changed since it last read it: a simulator that waits on it
// before each change never changes a value twice between two polls, so a
// host that falls behind (a loaded machine, an accelerated clock) is
// slowed down rather than made to miss an event. Registers the host has
// never read do not count. Call it again after a change: the channel
// returned before may already be closed.
func (s *Slave) Seen() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen
}

// Polled returns a channel closed once the host has made, from now on, as
// many requests as it has made distinct reads: at least one whole poll, so
// a host that reads each block once per poll has handled what it read
// before the call.
func (s *Slave) Polled() <-chan struct{} {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := polled{at: s.requests + max(1, len(s.reads)), ch: make(chan struct{})}
	s.polled = append(s.polled, p)
	return p.ch
}

// changed notes that r changed. The caller holds s.mu.
func (s *Slave) changed(r register) {
	if !s.read[r] {
		return
	}
	if len(s.unseen) == 0 {
		s.seen = make(chan struct{})
	}
	s.unseen[r] = s.confirm
}

// Confirm makes Seen wait until the host has read each change n times
// rather than once. A response is sent, but the host may have given up
// waiting for it (its timeout, on a loaded machine) and dropped it.
func (s *Slave) Confirm(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.confirm = max(1, n)
}

// delivered notes that the host was sent the values of n registers of bank
// from addr on.
func (s *Slave) delivered(bank byte, addr, n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.reads[[3]int{int(bank), addr, n}] = true
	for a := addr; a < addr+n; a++ {
		s.read[register{bank, a}] = true
	}
	if len(s.unseen) == 0 {
		return
	}
	for r, left := range s.unseen {
		if r.bank == bank && r.addr >= addr && r.addr < addr+n {
			if left <= 1 {
				delete(s.unseen, r)
			} else {
				s.unseen[r] = left - 1
			}
		}
	}
	if len(s.unseen) == 0 {
		close(s.seen)
	}
}

// Coil returns a coil's state.
func (s *Slave) Coil(addr int) bool { s.mu.Lock(); defer s.mu.Unlock(); return s.coils[addr] }

// Update runs f with the banks locked, so several registers change at once
// as a poll sees them.
func (s *Slave) Update(f func(coils []bool, holding, input []uint16)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	coils, holding, input := slices.Clone(s.coils), slices.Clone(s.holding), slices.Clone(s.input)
	f(s.coils, s.holding, s.input)
	for i := range coils {
		if coils[i] != s.coils[i] {
			s.changed(register{0x01, i})
		}
	}
	for i := range holding {
		if holding[i] != s.holding[i] {
			s.changed(register{0x03, i})
		}
	}
	for i := range input {
		if input[i] != s.input[i] {
			s.changed(register{0x04, i})
		}
	}
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
			if resp, read := s.handle(frame); resp != nil {
				if _, werr := rw.Write(resp); werr != nil {
					return werr
				}
				if read != nil {
					read()
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

// handle returns the response to one request frame, or nil for none, and
// for a read answered intact, what to call once the response is sent.
func (s *Slave) handle(f []byte) (resp []byte, read func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f[0] != s.ID {
		return nil, nil // for another slave on the bus
	}
	s.requests++
	s.polled = slices.DeleteFunc(s.polled, func(p polled) bool {
		if p.at <= s.requests {
			close(p.ch)
			return true
		}
		return false
	})
	if s.mute {
		return nil, nil
	}
	fn := f[1]
	a := int(f[2])<<8 | int(f[3])
	q := int(f[4])<<8 | int(f[5])
	resp, code := s.answer(f, fn, a, q)
	if code != 0 {
		return withCRC([]byte{s.ID, fn | 0x80, code}), nil
	}
	resp = withCRC(resp)
	sent := slices.Clone(resp)
	if s.garble {
		resp[len(resp)-3] ^= 0x10
	}
	if s.onResp != nil {
		resp = s.onResp(resp)
	}
	if fn != 0x05 && bytes.Equal(resp, sent) {
		read = func() { s.delivered(fn, a, q) }
	}
	return resp, read
}

// answer carries out request f (function fn, address a, quantity or
// value q) and returns its response without the CRC, or a Modbus
// exception code.
func (s *Slave) answer(f []byte, fn byte, a, q int) (resp []byte, exception byte) {
	switch fn {
	case 0x01:
		if q < 1 || q > 2000 {
			return nil, 0x03
		}
		if a+q > len(s.coils) {
			return nil, 0x02
		}
		data := make([]byte, (q+7)/8)
		for i := 0; i < q; i++ {
			if s.coils[a+i] {
				data[i/8] |= 1 << uint(i%8)
			}
		}
		return append([]byte{s.ID, fn, byte(len(data))}, data...), 0
	case 0x03, 0x04:
		bank := s.holding
		if fn == 0x04 {
			bank = s.input
		}
		if q < 1 || q > 125 {
			return nil, 0x03
		}
		if a+q > len(bank) {
			return nil, 0x02
		}
		resp = []byte{s.ID, fn, byte(2 * q)}
		for _, v := range bank[a : a+q] {
			resp = append(resp, byte(v>>8), byte(v))
		}
		return resp, 0
	case 0x05:
		if q != 0xFF00 && q != 0x0000 {
			return nil, 0x03
		}
		if a >= len(s.coils) {
			return nil, 0x02
		}
		if s.onWrite != nil {
			if code := s.onWrite(uint16(a), q == 0xFF00); code != 0 {
				return nil, code
			}
		}
		if s.coils[a] != (q == 0xFF00) {
			// The host wrote it, but reads it back to know it took.
			s.coils[a] = q == 0xFF00
			s.changed(register{0x01, a})
		}
		return append([]byte(nil), f[:6]...), 0
	default:
		return nil, 0x01
	}
}
