package escpos

import (
	"strings"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// Slip is what a printer printed between two cuts: its lines of text and
// the payloads of the QR codes it printed, in order.
type Slip struct {
	Lines []string
	QR    []string
}

// String renders the slip as text, a QR code as "[QR payload]" on a line
// of its own where it was printed.
func (s Slip) String() string { return strings.Join(s.Lines, "\n") + "\n" }

// Renderer folds commands into slips as a printer prints them: text is
// decoded from GB18030 in Chinese mode (as ASCII otherwise, bytes above
// 0x7E shown as '?'), LF ends a line, a QR code prints what <Function 180>
// stored last, and a cut ends a slip. Emphasis, size and alignment change
// how a line looks, not what it says, and are not rendered. The zero
// Renderer is ready to use.
type Renderer struct {
	chinese bool
	raw     []byte // the current line's bytes not yet decoded
	line    strings.Builder
	pending bool // the current line has something
	cur     Slip
	qr      []byte
	stored  bool
	slips   []Slip
}

// MaxLine bounds a line: a printer without a line feed wraps, and a
// stream of text without one must not grow without bound.
const MaxLine = 4096

// Add applies one command.
func (r *Renderer) Add(c Command) {
	switch c.Op {
	case OpText:
		r.raw = append(r.raw, c.Data...)
		r.pending = true
		if len(r.raw) > MaxLine {
			r.endLine()
		}
	case OpLF:
		r.endLine()
		r.pending = false
	case OpInit:
		r.flush()
		r.chinese = false
	case OpChinese:
		r.flush()
		r.chinese = c.N == 1
	case OpFeed:
		if r.pending {
			r.endLine()
			r.pending = false
		}
	case OpQR:
		switch c.Fn {
		case 80:
			r.qr, r.stored = append(r.qr[:0], c.Data...), true
		case 81:
			if r.stored {
				if r.pending {
					r.endLine()
					r.pending = false
				}
				p := string(r.qr)
				r.cur.QR = append(r.cur.QR, p)
				r.cur.Lines = append(r.cur.Lines, "[QR "+p+"]")
			}
		}
	case OpCut:
		if r.pending {
			r.endLine()
			r.pending = false
		}
		r.slips = append(r.slips, r.cur)
		r.cur = Slip{}
	}
}

// Slips returns the slips cut so far and forgets them.
func (r *Renderer) Slips() []Slip {
	s := r.slips
	r.slips = nil
	return s
}

// Pending returns what has been printed since the last cut, the line in
// progress included.
func (r *Renderer) Pending() Slip {
	s := Slip{Lines: append([]string(nil), r.cur.Lines...), QR: append([]string(nil), r.cur.QR...)}
	if r.pending {
		s.Lines = append(s.Lines, r.line.String()+r.decode(r.raw))
	}
	return s
}

// flush decodes the bytes so far under the current mode.
func (r *Renderer) flush() {
	r.line.WriteString(r.decode(r.raw))
	r.raw = r.raw[:0]
}

func (r *Renderer) endLine() {
	r.flush()
	r.cur.Lines = append(r.cur.Lines, r.line.String())
	r.line.Reset()
}

func (r *Renderer) decode(b []byte) string {
	if len(b) == 0 {
		return ""
	}
	if r.chinese {
		s, err := simplifiedchinese.GB18030.NewDecoder().Bytes(b)
		if err == nil {
			return strings.ToValidUTF8(string(s), "\uFFFD")
		}
	}
	out := make([]byte, len(b))
	for i, c := range b {
		if c > 0x7E {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}

// Parse renders a whole job at once: the slips it cut and what it printed
// after the last cut.
func Parse(job []byte) (slips []Slip, rest Slip) {
	var p Parser
	var r Renderer
	p.Write(job)
	for {
		c, ok := p.Next()
		if !ok {
			break
		}
		r.Add(c)
	}
	return r.Slips(), r.Pending()
}
