package framing

import (
	"bytes"
	"errors"
	"fmt"
)

// FrameSpec declares binary frames.
type FrameSpec struct {
	// Header is the bytes every frame begins with (0x55 0xAA). Required.
	Header []byte
	// Size is the length of every frame, for a protocol without a length
	// field; 0 when Length is set.
	Size int
	// Length is the length field, when frames vary in length.
	Length *LengthField
	// Max is the longest frame; a length field announcing a longer one is
	// not a frame, and the parser resynchronises at once.
	Max int
	// Min, if set, is the shortest frame (one that holds the type byte);
	// a length announcing a shorter one is not a frame either.
	Min int
	// Checksum is checked on every frame.
	Checksum FrameChecksum
}

// LengthField is where a frame says how long it is.
type LengthField struct {
	Offset    int
	Size      int // 1, 2 or 4 bytes
	BigEndian bool
	// Adjust is added to the field's value to give the frame's length:
	// 0 when it counts the whole frame; the bytes it does not count
	// (header, length, type, checksum) when it counts the payload.
	Adjust int
}

// FrameChecksum is a checksum over a range of a frame.
type FrameChecksum struct {
	Algo Algo
	// From and To delimit the bytes summed, [From, To); At is where the
	// checksum is. A negative value counts from the end of the frame
	// (To -2 with At -2: everything before a trailing CRC).
	From, To, At int
	BigEndian    bool
}

// fits reports whether the checksum and its range lie inside a frame of
// n bytes without overlapping.
func (s *FrameSpec) fits(n int) bool {
	c := s.Checksum
	size, _ := c.Algo.Size()
	if size == 0 {
		return true
	}
	from, to, at := pos(c.From, n), pos(c.To, n), pos(c.At, n)
	return from >= 0 && from <= to && to <= n && at >= 0 && at+size <= n && (at+size <= from || at >= to)
}

// min returns the shortest frame the spec can describe: the header, the
// length field and the checksum must fit. It returns 0 if none up to
// 65536 bytes can.
func (s *FrameSpec) min() int {
	n := max(len(s.Header), s.Min)
	if s.Length != nil {
		n = max(n, s.Length.Offset+s.Length.Size)
	}
	for ; n <= 65536; n++ {
		if s.fits(n) {
			return n
		}
	}
	return 0
}

// MinSize returns the shortest frame the spec allows.
func (s *FrameSpec) MinSize() int {
	if s.Length == nil {
		return s.Size
	}
	return s.min()
}

// Check returns an error for a spec a parser cannot use.
func (s *FrameSpec) Check() error {
	if len(s.Header) == 0 {
		return errors.New("header: a frame needs header bytes to synchronise on")
	}
	if (s.Size > 0) == (s.Length != nil) {
		return errors.New("size: give either a fixed size or a length field")
	}
	if _, err := s.Checksum.Algo.Size(); err != nil {
		return fmt.Errorf("checksum: %w", err)
	}
	if s.Checksum.Algo != None && s.Checksum.Algo != "" && s.Checksum.To == 0 {
		return errors.New("checksum: to 0 sums nothing; a negative value counts from the end")
	}
	lo := s.min()
	if lo == 0 {
		return errors.New("checksum: the range and the checksum must lie inside the frame and not overlap")
	}
	if s.Length != nil {
		if l := s.Length; l.Size != 1 && l.Size != 2 && l.Size != 4 || l.Offset < len(s.Header) {
			return errors.New("length: a field of 1, 2 or 4 bytes after the header")
		}
		if s.Max < lo || s.Max > 65536 {
			return fmt.Errorf("max %d: want %d to 65536", s.Max, lo)
		}
		return nil
	}
	if s.Size < lo || s.Size > 65536 || !s.fits(s.Size) {
		return fmt.Errorf("size %d: the header and checksum need %d to 65536 bytes, the checksum not inside its range", s.Size, lo)
	}
	return nil
}

func pos(v, n int) int {
	if v < 0 {
		return n + v
	}
	return v
}

// Frames finds binary frames in a byte stream pushed into it with Write.
// It resynchronises by itself: after garbage it looks for the next header;
// after a header whose checksum fails it moves one byte on and looks
// again, so a real frame that starts inside a false one is still found.
// Make one with NewFrames. A Frames is not safe for concurrent use.
type Frames struct {
	buffer
	spec FrameSpec
	min  int
}

// NewFrames returns a parser for spec. It returns the error of spec.Check.
func NewFrames(spec FrameSpec) (*Frames, error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	return &Frames{spec: spec, min: spec.min()}, nil
}

// length returns the length b's frame announces; ok is false when b is
// too short to tell, bad when the length is not a frame's.
func (p *Frames) length(b []byte) (n int, ok, bad bool) {
	if p.spec.Length == nil {
		return p.spec.Size, true, false
	}
	l := p.spec.Length
	if len(b) < l.Offset+l.Size {
		return 0, false, false
	}
	v := 0
	for i := range l.Size {
		c := int(b[l.Offset+i])
		if l.BigEndian {
			v = v<<8 | c
		} else {
			v |= c << (8 * i)
		}
	}
	n = v + l.Adjust
	return n, true, n < p.min || n > p.spec.Max || !p.spec.fits(n)
}

// valid reports whether the checksum of frame f matches.
func (p *Frames) valid(f []byte) bool {
	c := p.spec.Checksum
	size, _ := c.Algo.Size()
	if size == 0 {
		return true
	}
	n := len(f)
	from, to, at := pos(c.From, n), pos(c.To, n), pos(c.At, n)
	var got uint16
	if size == 1 {
		got = uint16(f[at])
	} else if c.BigEndian {
		got = uint16(f[at])<<8 | uint16(f[at+1])
	} else {
		got = uint16(f[at]) | uint16(f[at+1])<<8
	}
	return c.Algo.Sum(f[from:to]) == got
}

// Next returns the next frame whose checksum matches among the bytes
// written so far, or false when it needs more bytes. The slice is valid
// until the next Write.
func (p *Frames) Next() ([]byte, bool) {
	h := p.spec.Header
	for {
		b := p.buf[p.off:]
		i := bytes.IndexByte(b, h[0])
		if i < 0 {
			p.drop(len(b))
			return nil, false
		}
		p.drop(i)
		b = b[i:]
		if m := min(len(b), len(h)); !bytes.Equal(b[:m], h[:m]) {
			p.drop(1)
			continue
		}
		if len(b) < len(h) {
			return nil, false
		}
		n, ok, bad := p.length(b)
		if !ok {
			return nil, false
		}
		if bad {
			p.drop(1)
			continue
		}
		if len(b) < n {
			return nil, false
		}
		if !p.valid(b[:n]) {
			p.stats.Checksum++
			p.drop(1)
			continue
		}
		p.off += n
		p.last = n
		p.stats.Records++
		return b[:n], true
	}
}

// Idle tells the parser that the line has gone quiet (a read timed out).
// A false header in garbage can announce a frame longer than what follows
// it and so hold back a real frame behind it until enough bytes arrive;
// when the line is quiet no more are coming. If a complete, valid frame
// starts later in the pending bytes, the header before it was false: Idle
// drops up to that frame, so the next call to Next returns it. Otherwise
// it leaves the pending bytes alone, since a real frame may be half-way.
func (p *Frames) Idle() {
	b := p.buf[p.off:]
	h := p.spec.Header
	for i := 1; i < len(b); i++ {
		if !bytes.HasPrefix(b[i:], h) {
			continue
		}
		n, ok, bad := p.length(b[i:])
		if !ok || bad || i+n > len(b) {
			continue
		}
		if p.valid(b[i : i+n]) {
			p.stats.Checksum++
			p.drop(i)
			return
		}
	}
}
