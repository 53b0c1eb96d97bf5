package framing

import (
	"bytes"
	"errors"
	"fmt"
	"strings"
)

// LineSpec declares text records: what starts and ends one, and an
// optional checksum.
type LineSpec struct {
	// Start, if set, begins every record ("$", "<"): bytes before it are
	// dropped, and a Start inside a record abandons the record so far (the
	// device restarted mid-line) and begins again there.
	Start string
	// End ends every record ("\n", ">"). It is required.
	End string
	// Trim lists characters cut from the end of a record after End is
	// found ("\r\n" makes "\r\n" and "\n" line ends the same).
	Trim string
	// Between lists characters skipped without counting them as dropped
	// where a record may begin ("\r\n" after a ">"-ended record).
	Between string
	// Max is the longest record, Start to End inclusive; a longer one is
	// dropped, so a device that never sends End cannot grow the buffer.
	Max int
	// Checksum, if its Algo is not None, is checked on every record.
	Checksum LineChecksum
}

// LineChecksum is a checksum carried as hexadecimal digits (two for an
// 8-bit checksum, four for a CRC-16, either case) at the start or the end
// of a text record, apart from the body it covers by Separator: with
// Position "end" a record is Start, body, Separator, digits, End (NMEA's
// "$body*CS\r\n"); with "start", Start, digits, Separator, body, End
// ("#3F:body\n"). The body is what Next returns.
type LineChecksum struct {
	Algo      Algo
	Position  string // "end" (default) or "start"
	Separator string
}

// Check returns an error for a spec a parser cannot use.
func (s *LineSpec) Check() error {
	if s.End == "" {
		return errors.New("end: a line record needs an end delimiter")
	}
	if s.Max < len(s.Start)+len(s.End) {
		return fmt.Errorf("max %d: shorter than the delimiters", s.Max)
	}
	if _, err := s.Checksum.Algo.Size(); err != nil {
		return err
	}
	if s.Checksum.Algo != None && s.Checksum.Algo != "" {
		if s.Checksum.Separator == "" {
			return errors.New("checksum: a separator between the body and the digits is needed")
		}
		if s.Checksum.Position != "" && s.Checksum.Position != "end" && s.Checksum.Position != "start" {
			return fmt.Errorf("checksum: position %q: want start or end", s.Checksum.Position)
		}
	}
	return nil
}

// Lines finds text records in a byte stream pushed into it with Write.
// The zero Lines is not usable: make one with NewLines. A Lines is not
// safe for concurrent use.
type Lines struct {
	buffer
	spec       LineSpec
	start, end []byte
	sep        []byte
	csFirst    bool
	csn        int // hex digits of the checksum; 0 without one
}

// NewLines returns a parser for spec. It returns the error of spec.Check.
func NewLines(spec LineSpec) (*Lines, error) {
	if err := spec.Check(); err != nil {
		return nil, err
	}
	p := &Lines{spec: spec, start: []byte(spec.Start), end: []byte(spec.End)}
	if spec.Checksum.Algo != None && spec.Checksum.Algo != "" {
		n, _ := spec.Checksum.Algo.Size()
		p.csn = 2 * n
		p.sep = []byte(spec.Checksum.Separator)
		p.csFirst = spec.Checksum.Position == "start"
	}
	return p, nil
}

// Next returns the next valid record among the bytes written so far, or
// false when it needs more bytes. With a checksum the record is its body;
// without, the whole record, delimiters included and Trim cut. The slice
// is valid until the next Write.
func (p *Lines) Next() ([]byte, bool) {
	for {
		b := p.buf[p.off:]
		k := 0
		for k < len(b) && strings.IndexByte(p.spec.Between, b[k]) >= 0 {
			k++
		}
		p.off += k
		b = b[k:]
		if len(b) == 0 {
			return nil, false
		}
		n, wait := p.frame(b)
		if wait {
			return nil, false
		}
		if n == 0 {
			continue
		}
		if rec, ok := p.record(b, n); ok {
			return rec, true
		}
	}
}

// frame finds the record at the start of b (End is required, so a record
// is never empty). It returns the record's length; 0 and true when it
// needs more bytes; 0 and false when it dropped bytes and Next should
// look again.
func (p *Lines) frame(b []byte) (n int, wait bool) {
	if len(p.start) == 0 {
		e := bytes.Index(b, p.end)
		if e < 0 {
			return 0, p.unended(b)
		}
		return e + len(p.end), false
	}
	i := bytes.Index(b, p.start)
	if i < 0 {
		p.drop(len(b) - partial(b, p.start))
		return 0, true
	}
	if i > 0 {
		p.drop(i)
		return 0, false
	}
	rest := b[len(p.start):]
	e := bytes.Index(rest, p.end)
	scan := rest
	if e >= 0 {
		scan = rest[:e]
	}
	if s := bytes.Index(scan, p.start); s >= 0 {
		p.bad(len(p.start) + s)
		return 0, false
	}
	if e < 0 {
		return 0, p.unended(b)
	}
	return len(p.start) + e + len(p.end), false
}

// unended waits for the end of the record b begins, unless b is already
// too long for a record: then it drops b as bad.
func (p *Lines) unended(b []byte) (wait bool) {
	if len(b) >= p.spec.Max {
		p.bad(len(b))
		return false
	}
	return true
}

// record checks the n-byte record at the start of b (its length, its
// characters, its checksum) and consumes it: it returns what Next gives,
// or false after counting and dropping a bad record.
func (p *Lines) record(b []byte, n int) ([]byte, bool) {
	if n > p.spec.Max {
		p.bad(n)
		return nil, false
	}
	rec := bytes.TrimRight(b[:n], p.spec.Trim)
	if !printable(bytes.TrimSuffix(rec[len(p.start):], p.end)) {
		p.bad(n)
		return nil, false
	}
	if p.csn > 0 {
		inner := bytes.TrimSuffix(rec[len(p.start):], p.end)
		var body, cs []byte
		if p.csFirst {
			if i := bytes.Index(inner, p.sep); i >= 0 {
				cs, body = inner[:i], inner[i+len(p.sep):]
			}
		} else if i := bytes.LastIndex(inner, p.sep); i >= 0 {
			body, cs = inner[:i], inner[i+len(p.sep):]
		}
		want, ok := hexValue(cs, p.csn)
		if !ok {
			p.bad(n)
			return nil, false
		}
		if want != p.spec.Checksum.Algo.Sum(body) {
			p.stats.Checksum++
			p.drop(n)
			return nil, false
		}
		rec = body
	}
	p.off += n
	p.last = n
	p.stats.Records++
	return rec, true
}

// hexValue parses exactly n hexadecimal digits of either case.
func hexValue(b []byte, n int) (uint16, bool) {
	if len(b) != n {
		return 0, false
	}
	var v uint16
	for _, c := range b {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c -= 'a' - 10
		case c >= 'A' && c <= 'F':
			c -= 'A' - 10
		default:
			return 0, false
		}
		v = v<<4 | uint16(c)
	}
	return v, true
}

func (p *Lines) bad(n int) {
	p.stats.Format++
	p.drop(n)
}

// partial returns the length of the longest proper prefix of delim that b
// ends with: the start of a delimiter that may be completed by the next
// Write.
func partial(b, delim []byte) int {
	for k := min(len(delim)-1, len(b)); k > 0; k-- {
		if bytes.HasSuffix(b, delim[:k]) {
			return k
		}
	}
	return 0
}

// printable reports whether b is printable ASCII (tabs allowed): a text
// record with control bytes in it is line noise.
func printable(b []byte) bool {
	for _, c := range b {
		if (c < 0x20 || c > 0x7E) && c != '\t' {
			return false
		}
	}
	return true
}
