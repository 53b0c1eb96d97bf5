package cpr

import (
	"bytes"
	"errors"
	"io"

	"shicao/hardware/crc16"
)

// Stats counts what a Parser saw. Every byte written is in the frame of a
// returned record, counted in Dropped, or still pending.
type Stats struct {
	Frames  int64 // valid records returned
	Bad     int64 // a header and length whose CRC failed, or a CRC-valid frame with an invalid payload
	Unknown int64 // CRC-valid frames of a record type this package does not know, skipped whole
	Dropped int64 // bytes outside any CRC-valid frame: garbage, bad frames, truncated frames
}

// Parser finds frames in a byte stream pushed into it with Write. It
// resynchronises by itself: after garbage it looks for the next header;
// after a header whose CRC fails it moves one byte on and looks again, so a
// real frame that starts inside a false one is still found.
//
// The zero Parser is ready to use. A Parser is not safe for concurrent use.
type Parser struct {
	buf   []byte
	off   int
	stats Stats
}

// Write appends p to the pending bytes. It never fails.
func (p *Parser) Write(b []byte) (int, error) {
	if p.off > 0 && p.off >= len(p.buf)/2 {
		n := copy(p.buf, p.buf[p.off:])
		p.buf = p.buf[:n]
		p.off = 0
	}
	p.buf = append(p.buf, b...)
	return len(b), nil
}

// Next returns the next valid record among the bytes written so far, or
// false when it needs more bytes.
func (p *Parser) Next() (Record, bool) {
	for {
		b := p.buf[p.off:]
		i := bytes.IndexByte(b, Header0)
		if i < 0 {
			p.drop(len(b))
			return nil, false
		}
		p.drop(i)
		b = b[i:]
		if len(b) < 3 {
			if len(b) == 2 && b[1] != Header1 {
				p.drop(1)
				continue
			}
			return nil, false
		}
		if b[1] != Header1 || b[2] > MaxPayload {
			p.drop(1)
			continue
		}
		n := int(b[2]) + overhead
		if len(b) < n {
			return nil, false
		}
		if crc16.Checksum(b[:n-2]) != uint16(b[n-2])|uint16(b[n-1])<<8 {
			p.stats.Bad++
			p.drop(1)
			continue
		}
		rec, err := ParsePayload(RecordType(b[3]), b[4:n-2])
		switch {
		case err == nil:
			p.off += n
			p.stats.Frames++
			return rec, true
		case errors.Is(err, ErrUnknownType):
			p.stats.Unknown++
		default:
			p.stats.Bad++
		}
		// A frame that passed its CRC was sent as one by the device: skip it
		// whole rather than hunt for headers inside it.
		p.off += n
		p.stats.Dropped += int64(n)
	}
}

func (p *Parser) drop(n int) {
	p.off += n
	p.stats.Dropped += int64(n)
}

// Idle tells the parser that the line has gone quiet (a read timed out).
// A false header in garbage can announce a frame longer than what follows
// it and so hold back a real frame behind it until enough bytes arrive;
// when the line is quiet no more are coming. If a complete, valid frame
// starts later in the pending bytes, the header before it was false: Idle
// drops up to that frame, so the next call to Next returns it. Otherwise
// it leaves the pending bytes alone, since a real frame may be half-way.
func (p *Parser) Idle() {
	b := p.buf[p.off:]
	for i := 1; i < len(b); i++ {
		if b[i] != Header0 || i+overhead > len(b) || b[i+1] != Header1 || b[i+2] > MaxPayload {
			continue
		}
		n := int(b[i+2]) + overhead
		if i+n <= len(b) && crc16.Checksum(b[i:i+n-2]) == uint16(b[i+n-2])|uint16(b[i+n-1])<<8 {
			p.stats.Bad++
			p.drop(i)
			return
		}
	}
}

// Pending returns how many bytes wait for the rest of a frame.
func (p *Parser) Pending() int { return len(p.buf) - p.off }

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

// Decoder reads records from an io.Reader.
type Decoder struct {
	r   io.Reader
	p   Parser
	buf []byte
	err error
}

// NewDecoder returns a Decoder reading from r. A read that returns (0, nil),
// as a serial port does when its read timeout expires, means the line is
// quiet (see Parser.Idle) and is retried.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, buf: make([]byte, 4096)}
}

// Decode returns the next valid record. At the end of the stream it returns
// io.EOF (the bytes of a truncated last frame are counted as dropped); any
// other read error is returned as is.
func (d *Decoder) Decode() (Record, error) {
	for {
		if rec, ok := d.p.Next(); ok {
			return rec, nil
		}
		if d.err != nil {
			if d.err == io.EOF {
				d.p.drop(d.p.Pending())
			}
			return nil, d.err
		}
		n, err := d.r.Read(d.buf)
		if n == 0 && err == nil {
			d.p.Idle()
		}
		d.p.Write(d.buf[:n])
		d.err = err
	}
}

// Stats returns the counts so far.
func (d *Decoder) Stats() Stats { return d.p.stats }
