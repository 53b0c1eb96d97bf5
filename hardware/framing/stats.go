package framing

// Stats counts what a parser saw. Every byte written is in a record
// returned, counted in Dropped, or still pending.
type Stats struct {
	Records  int64 // records returned
	Checksum int64 // candidates refused for a checksum that did not match
	Format   int64 // text records refused: too long, cut short by a new start, not printable, no checksum digits where they belong
	Dropped  int64 // bytes outside any record returned
}

// Bad returns the candidates refused, whatever the reason.
func (s Stats) Bad() int64 { return s.Checksum + s.Format }

// buffer is the pending bytes shared by both parsers.
type buffer struct {
	buf   []byte
	off   int
	last  int // bytes the last record returned took on the wire
	stats Stats
}

// Last returns how many bytes the last record returned took on the wire,
// delimiters and checksum included.
func (p *buffer) Last() int { return p.last }

// Write appends b to the pending bytes. It never fails.
func (p *buffer) Write(b []byte) (int, error) {
	if p.off > 0 && p.off >= len(p.buf)/2 {
		n := copy(p.buf, p.buf[p.off:])
		p.buf = p.buf[:n]
		p.off = 0
	}
	p.buf = append(p.buf, b...)
	return len(b), nil
}

func (p *buffer) drop(n int) {
	p.off += n
	p.stats.Dropped += int64(n)
}

// Pending returns how many bytes wait for the rest of a record.
func (p *buffer) Pending() int { return len(p.buf) - p.off }

// Flush drops the pending bytes, as at the end of a stream.
func (p *buffer) Flush() { p.drop(p.Pending()) }

// Stats returns the counts so far.
func (p *buffer) Stats() Stats { return p.stats }
