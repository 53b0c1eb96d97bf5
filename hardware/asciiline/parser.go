package asciiline

import (
	"bytes"
	"io"
)

// Stats counts what a Parser saw.
type Stats struct {
	Lines   int64 // valid lines returned
	Bad     int64 // lines dropped: checksum, syntax, too long, or cut short by a new '$'
	Dropped int64 // bytes outside any valid line, including those of bad lines
}

// Parser finds lines in a byte stream pushed into it with Write. Bytes
// before a '$' are dropped; a '$' inside a line abandons the line so far
// (the device restarted mid-line) and starts again there.
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

// Next returns the next valid line among the bytes written so far, or false
// when it needs more bytes.
func (p *Parser) Next() (Line, bool) {
	for {
		b := p.buf[p.off:]
		i := bytes.IndexByte(b, '$')
		if i < 0 {
			p.drop(len(b))
			return Line{}, false
		}
		p.drop(i)
		b = b[i:]
		// The line ends at the first '\n' or is abandoned at the next '$'.
		end := bytes.IndexAny(b[1:], "$\n")
		if end < 0 {
			if len(b) >= MaxLine {
				p.bad(len(b))
				continue
			}
			return Line{}, false
		}
		end++
		if b[end] == '$' || end+1 > MaxLine {
			p.bad(end + boolInt(b[end] == '\n'))
			continue
		}
		text := b[:end]
		text = bytes.TrimSuffix(text, []byte{'\r'})
		l, err := ParseLine(text)
		if err != nil {
			p.bad(end + 1)
			continue
		}
		p.off += end + 1
		p.stats.Lines++
		return l, true
	}
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func (p *Parser) drop(n int) {
	p.off += n
	p.stats.Dropped += int64(n)
}

func (p *Parser) bad(n int) {
	p.stats.Bad++
	p.drop(n)
}

// Pending returns how many bytes wait for the rest of a line.
func (p *Parser) Pending() int { return len(p.buf) - p.off }

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

// Decoder reads lines from an io.Reader. Do not wrap a serial port in a
// bufio.Scanner instead: a read timeout returns (0, nil) and an over-long
// line would stop the scanner for good.
type Decoder struct {
	r   io.Reader
	p   Parser
	buf []byte
	err error
}

// NewDecoder returns a Decoder reading from r. A read that returns (0, nil)
// is retried.
func NewDecoder(r io.Reader) *Decoder { return &Decoder{r: r, buf: make([]byte, 1024)} }

// Decode returns the next valid line. At the end of the stream it returns
// io.EOF (an unterminated last line counts as bad); other read errors are
// returned as is.
func (d *Decoder) Decode() (Line, error) {
	for {
		if l, ok := d.p.Next(); ok {
			return l, nil
		}
		if d.err != nil {
			if d.err == io.EOF && d.p.Pending() > 0 {
				d.p.bad(d.p.Pending())
			}
			return Line{}, d.err
		}
		n, err := d.r.Read(d.buf)
		d.p.Write(d.buf[:n])
		d.err = err
	}
}

// Stats returns the counts so far.
func (d *Decoder) Stats() Stats { return d.p.stats }
