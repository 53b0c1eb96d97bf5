package escpos

// Op is what a command does.
type Op int

// The commands the Parser tells apart. Anything else is OpUnknown, with
// the bytes it took.
const (
	OpText    Op = iota // Data: printable bytes (GB18030 in Chinese mode), possibly part of a run
	OpLF                // LF: print and line feed
	OpInit              // ESC @
	OpChinese           // FS & (N = 1) or FS . (N = 0)
	OpBold              // ESC E n
	OpSize              // GS ! n
	OpAlign             // ESC a n
	OpFeed              // ESC d n
	OpCut               // GS V m [n]: N = m
	OpQR                // GS ( k with cn = 49: Fn = fn, N = the first parameter byte, Data = the stored data (fn 80)
	OpStatus            // DLE EOT n: N = n
	OpUnknown           // Data: the bytes skipped
)

// Command is one command found on the wire.
type Command struct {
	Op   Op
	N    byte
	Fn   byte
	Data []byte // aliases the Parser's buffer until the next Write
}

// Stats counts what a Parser saw.
type Stats struct {
	Commands int64 // commands returned, text runs included
	Unknown  int64 // commands not understood, skipped
}

// Parser finds commands in a byte stream pushed into it with Write. A
// command whose length it cannot know (an unknown ESC, FS or GS command)
// is taken as its two first bytes and returned as OpUnknown: real
// printers differ on those, and a slip never sends them. A GS ( k command
// is held until all of its pL + 256·pH bytes arrived (at most 65,540).
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

// Stats returns the counts so far.
func (p *Parser) Stats() Stats { return p.stats }

// Next returns the next command among the bytes written so far, or false
// when it needs more bytes. A text run is returned as far as it has
// arrived: the next OpText continues it.
func (p *Parser) Next() (Command, bool) {
	b := p.buf[p.off:]
	if len(b) == 0 {
		return Command{}, false
	}
	if b[0] >= 0x20 {
		n := 1
		for n < len(b) && b[n] >= 0x20 {
			n++
		}
		return p.take(Command{Op: OpText, Data: b[:n]}, n), true
	}
	switch b[0] {
	case LF:
		return p.take(Command{Op: OpLF}, 1), true
	case ESC, FS, DLE:
		if len(b) < 2 {
			return Command{}, false
		}
		return p.escape(b)
	case GS:
		if len(b) < 2 {
			return Command{}, false
		}
		return p.group(b)
	}
	// CR and other control bytes: nothing a slip uses.
	return p.unknown(b, 1), true
}

// escape reads ESC, FS and DLE commands; b holds at least two bytes.
func (p *Parser) escape(b []byte) (Command, bool) {
	var op Op
	switch {
	case b[0] == ESC && b[1] == '@':
		return p.take(Command{Op: OpInit}, 2), true
	case b[0] == FS && b[1] == '&':
		return p.take(Command{Op: OpChinese, N: 1}, 2), true
	case b[0] == FS && b[1] == '.':
		return p.take(Command{Op: OpChinese, N: 0}, 2), true
	case b[0] == ESC && b[1] == 'E':
		op = OpBold
	case b[0] == ESC && b[1] == 'a':
		op = OpAlign
	case b[0] == ESC && b[1] == 'd':
		op = OpFeed
	case b[0] == DLE && b[1] == EOT:
		op = OpStatus
	default:
		return p.unknown(b, 2), true
	}
	if len(b) < 3 {
		return Command{}, false
	}
	return p.take(Command{Op: op, N: b[2]}, 3), true
}

// group reads GS commands; b holds at least two bytes.
func (p *Parser) group(b []byte) (Command, bool) {
	switch b[1] {
	case '!':
		if len(b) < 3 {
			return Command{}, false
		}
		return p.take(Command{Op: OpSize, N: b[2]}, 3), true
	case 'V':
		// GS V m (m = 0, 1, 48, 49) or GS V m n (m = 65, 66, 97, 98,
		// 103, 104): function A cuts at once, B, C and D feed n first.
		if len(b) < 3 {
			return Command{}, false
		}
		switch b[2] {
		case 0, 1, 48, 49:
			return p.take(Command{Op: OpCut, N: b[2]}, 3), true
		case 65, 66, 97, 98, 103, 104:
			if len(b) < 4 {
				return Command{}, false
			}
			return p.take(Command{Op: OpCut, N: b[2]}, 4), true
		}
		return p.unknown(b, 3), true
	case '(':
		// GS ( k pL pH cn fn [parameters]: pL + 256·pH bytes follow pH.
		if len(b) < 5 {
			return Command{}, false
		}
		if b[2] != 'k' {
			return p.unknown(b, 3), true
		}
		n := int(b[3]) | int(b[4])<<8
		if len(b) < 5+n {
			return Command{}, false
		}
		body := b[5 : 5+n]
		if n < 2 || body[0] != 49 {
			return p.unknown(b, 5+n), true // another symbology (PDF417 is cn 48), or too short
		}
		c := Command{Op: OpQR, Fn: body[1]}
		if n >= 3 {
			c.N = body[2]
		}
		if c.Fn == 80 && n >= 3 {
			c.Data = body[3:]
		}
		return p.take(c, 5+n), true
	}
	return p.unknown(b, 2), true
}

func (p *Parser) take(c Command, n int) Command {
	p.off += n
	p.stats.Commands++
	return c
}

func (p *Parser) unknown(b []byte, n int) Command {
	p.stats.Unknown++
	return p.take(Command{Op: OpUnknown, Data: b[:n]}, n)
}
