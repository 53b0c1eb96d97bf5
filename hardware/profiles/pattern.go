package profiles

import (
	"regexp/syntax"
)

// fastPattern matches the simple patterns most devices need — literals and
// runs of a character class, captured or not, as in <PD=(?P<d>\d{1,3})> —
// without the regexp machine, which costs a microsecond a record. A run is
// matched greedily, which is exact only when what follows it cannot start
// inside it; compileFast refuses any other pattern, and the record's
// regexp is used instead.
type fastPattern struct {
	parts []fastPart
	ncap  int // capture groups, as the regexp numbers them
}

type fastPart struct {
	lit      []byte
	class    []rune // ranges lo, hi, lo, hi...; nil for a literal
	min, max int    // repetitions of class; max -1 for any
	group    int    // the capture's index, 0 for none
}

func (p *fastPart) in(c byte) bool {
	for i := 0; i+1 < len(p.class); i += 2 {
		if rune(c) >= p.class[i] && rune(c) <= p.class[i+1] {
			return true
		}
	}
	return false
}

// compileFast returns the fast matcher of pattern, or nil when pattern
// is not that simple.
func compileFast(pattern string) *fastPattern {
	re, err := syntax.Parse(pattern, syntax.Perl)
	if err != nil {
		return nil
	}
	subs := []*syntax.Regexp{re}
	if re.Op == syntax.OpConcat {
		subs = re.Sub
	}
	fp := &fastPattern{ncap: re.MaxCap()}
	for _, s := range subs {
		group := 0
		if s.Op == syntax.OpCapture {
			group, s = s.Cap, s.Sub[0]
		}
		switch s.Op {
		case syntax.OpLiteral:
			if group != 0 || s.Flags&syntax.FoldCase != 0 {
				return nil
			}
			var b []byte
			for _, r := range s.Rune {
				if r > 0x7E {
					return nil
				}
				b = append(b, byte(r))
			}
			fp.parts = append(fp.parts, fastPart{lit: b})
		case syntax.OpPlus, syntax.OpStar, syntax.OpRepeat, syntax.OpQuest:
			c := s.Sub[0]
			if c.Op != syntax.OpCharClass && c.Op != syntax.OpLiteral || c.Op == syntax.OpLiteral && len(c.Rune) != 1 {
				return nil
			}
			class := c.Rune
			if c.Op == syntax.OpLiteral {
				class = []rune{c.Rune[0], c.Rune[0]}
			}
			part := fastPart{class: class, group: group, max: -1}
			switch s.Op {
			case syntax.OpPlus:
				part.min = 1
			case syntax.OpQuest:
				part.max = 1
			case syntax.OpRepeat:
				part.min, part.max = s.Min, s.Max
			}
			fp.parts = append(fp.parts, part)
		default:
			return nil
		}
	}
	// Greedy is exact only if a run cannot swallow what may follow it: the
	// next literal's first byte, or any byte of the runs before it.
	for i, p := range fp.parts {
		if p.class == nil {
			continue
		}
	follow:
		for _, next := range fp.parts[i+1:] {
			if next.class == nil {
				if p.in(next.lit[0]) {
					return nil
				}
				break
			}
			for c := range 128 {
				if p.in(byte(c)) && next.in(byte(c)) {
					return nil
				}
			}
			if next.min > 0 {
				break follow
			}
		}
	}
	return fp
}

// match matches the whole of b and fills m as regexp's FindSubmatchIndex
// does; it reports whether b matched.
func (fp *fastPattern) match(b []byte, m []int) bool {
	for i := range m {
		m[i] = -1
	}
	i := 0
	for _, p := range fp.parts {
		if p.class == nil {
			if len(b)-i < len(p.lit) || string(b[i:i+len(p.lit)]) != string(p.lit) {
				return false
			}
			i += len(p.lit)
			continue
		}
		start := i
		for i < len(b) && (p.max < 0 || i-start < p.max) && p.in(b[i]) {
			i++
		}
		if i-start < p.min {
			return false
		}
		if p.group > 0 {
			m[2*p.group], m[2*p.group+1] = start, i
		}
	}
	if i != len(b) {
		return false
	}
	m[0], m[1] = 0, len(b)
	return true
}
