// Package jsonscan reads JSON text in place, without reflection or
// allocation: the event lines of a log and the result bundles that carry
// them are decoded by hand on the hot paths of scoring and of the centre's
// ingest. Each function takes the text and an index into it and returns
// the index after what it read; errors say what was wrong in words fit for
// a "line N, field F:" prefix.
package jsonscan

import (
	"bytes"
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// SkipWS returns the index of the first byte at or after i that is not
// JSON whitespace.
func SkipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// String scans a JSON string at b[i] and returns the bounds of its
// contents, whether it has escapes, and the index after its closing quote.
func String(b []byte, i int) (start, end int, esc bool, next int, err error) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, false, 0, fmt.Errorf("want a string")
	}
	start = i + 1
	ascii := true
	for j := start; j < len(b); j++ {
		// Most bytes stand for themselves: pass them with one lookup
		// each (this loop is most of the time spent splitting a
		// bundle's events into lines).
		for j < len(b) && plain[b[j]] {
			j++
		}
		if j >= len(b) {
			break
		}
		switch c := b[j]; {
		case c == '"':
			if !ascii && !utf8.Valid(b[start:j]) {
				return 0, 0, false, 0, fmt.Errorf("a string is not valid UTF-8")
			}
			return start, j, esc, j + 1, nil
		case c == '\\':
			esc = true
			j++
			if j >= len(b) {
				return 0, 0, false, 0, fmt.Errorf("unterminated string")
			}
			switch b[j] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if _, ok := hex4(b[j+1:]); !ok {
					return 0, 0, false, 0, fmt.Errorf("bad \\u escape in a string")
				}
				j += 4
			default:
				return 0, 0, false, 0, fmt.Errorf("bad escape \\%c in a string", b[j])
			}
		case c < 0x20:
			return 0, 0, false, 0, fmt.Errorf("control character in a string")
		case c >= 0x80:
			ascii = false
		}
	}
	return 0, 0, false, 0, fmt.Errorf("unterminated string")
}

// plain holds the bytes a string's contents may hold as they are: not
// the quote, the backslash, a control character or a byte of a UTF-8
// sequence (checked apart).
var plain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// Int reads a JSON integer (no fraction or exponent).
func Int(b []byte, i int) (int64, int, error) {
	j := i
	neg := false
	if j < len(b) && b[j] == '-' {
		neg = true
		j++
	}
	startDigits := j
	var n int64
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		d := int64(b[j] - '0')
		if n > (math.MaxInt64-d)/10 {
			return 0, j, fmt.Errorf("number out of range")
		}
		n = n*10 + d
		j++
	}
	if j == startDigits {
		return 0, j, fmt.Errorf("want a whole number, got %s", clip(b[i:]))
	}
	if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
		return 0, j, fmt.Errorf("want a whole number, got %s", clip(b[i:]))
	}
	if b[startDigits] == '0' && j-startDigits > 1 {
		return 0, j, fmt.Errorf("leading zero in a number")
	}
	if neg {
		n = -n
	}
	return n, j, nil
}

// Number returns the end of a JSON number at b[i].
func Number(b []byte, i int) (int, error) {
	j := i
	if j < len(b) && b[j] == '-' {
		j++
	}
	d := j
	for j < len(b) && b[j] >= '0' && b[j] <= '9' {
		j++
	}
	if j == d {
		return j, fmt.Errorf("want a number")
	}
	if b[d] == '0' && j-d > 1 {
		return j, fmt.Errorf("leading zero in a number")
	}
	if j < len(b) && b[j] == '.' {
		j++
		f := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == f {
			return j, fmt.Errorf("want a number")
		}
	}
	if j < len(b) && (b[j] == 'e' || b[j] == 'E') {
		j++
		if j < len(b) && (b[j] == '+' || b[j] == '-') {
			j++
		}
		e := j
		for j < len(b) && b[j] >= '0' && b[j] <= '9' {
			j++
		}
		if j == e {
			return j, fmt.Errorf("want a number")
		}
	}
	return j, nil
}

func clip(b []byte) string {
	end := 0
	for end < len(b) && end < 20 && b[end] != ',' && b[end] != '}' {
		end++
	}
	return string(b[:end])
}

// MaxDepth bounds the nesting SkipValue accepts: event data is flat, and
// a bound keeps a hostile line from exhausting the stack.
const MaxDepth = 16

// SkipValue returns the end of the JSON value at b[i], checking its syntax.
func SkipValue(b []byte, i int) (int, error) { return skipValue(b, i, 0) }

func skipValue(b []byte, i, depth int) (int, error) {
	if depth > MaxDepth {
		return i, fmt.Errorf("nested too deeply")
	}
	i = SkipWS(b, i)
	if i >= len(b) {
		return i, fmt.Errorf("unexpected end of line")
	}
	switch c := b[i]; {
	case c == '"':
		_, _, _, next, err := String(b, i)
		return next, err
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = SkipWS(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1, nil
		}
		for {
			if c == '{' {
				_, _, _, next, err := String(b, SkipWS(b, i))
				if err != nil {
					return i, fmt.Errorf("want a field name")
				}
				i = SkipWS(b, next)
				if i >= len(b) || b[i] != ':' {
					return i, fmt.Errorf("want ':'")
				}
				i++
			}
			end, err := skipValue(b, i, depth+1)
			if err != nil {
				return end, err
			}
			i = SkipWS(b, end)
			if i >= len(b) {
				return i, fmt.Errorf("unexpected end of line")
			}
			if b[i] == ',' {
				i++
				continue
			}
			if b[i] == closer {
				return i + 1, nil
			}
			return i, fmt.Errorf("unexpected %q", b[i])
		}
	case c == 't' && bytes.HasPrefix(b[i:], []byte("true")):
		return i + 4, nil
	case c == 'f' && bytes.HasPrefix(b[i:], []byte("false")):
		return i + 5, nil
	case c == 'n' && bytes.HasPrefix(b[i:], []byte("null")):
		return i + 4, nil
	case c == '-' || (c >= '0' && c <= '9'):
		return Number(b, i)
	}
	return i, fmt.Errorf("unexpected %q", b[i])
}

// Unescape appends to dst the decoded contents of a JSON string: s is
// what lies between the quotes, as String checked it. It decodes exactly
// as encoding/json does, a lone surrogate becoming U+FFFD.
func Unescape(dst, s []byte) []byte {
	for len(s) > 0 {
		j := bytes.IndexByte(s, '\\')
		if j < 0 {
			return append(dst, s...)
		}
		dst = append(dst, s[:j]...)
		s = s[j+1:]
		if len(s) == 0 {
			return dst // String refuses this; kept total for safety
		}
		c := s[0]
		s = s[1:]
		switch c {
		case 'b':
			dst = append(dst, '\b')
		case 'f':
			dst = append(dst, '\f')
		case 'n':
			dst = append(dst, '\n')
		case 'r':
			dst = append(dst, '\r')
		case 't':
			dst = append(dst, '\t')
		case 'u':
			r, ok := hex4(s)
			if !ok {
				return dst // String refuses this
			}
			s = s[4:]
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if len(s) >= 6 && s[0] == '\\' && s[1] == 'u' {
					r2, _ = hex4(s[2:])
				}
				if dec := utf16.DecodeRune(r, r2); dec != utf8.RuneError {
					r = dec
					s = s[6:]
				} else {
					r = utf8.RuneError
				}
			}
			dst = utf8.AppendRune(dst, r)
		default: // '"', '\\', '/'
			dst = append(dst, c)
		}
	}
	return dst
}

func hex4(b []byte) (rune, bool) {
	if len(b) < 4 {
		return 0, false
	}
	var r rune
	for _, c := range b[:4] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return 0, false
		}
		r = r<<4 | rune(c)
	}
	return r, true
}
