package asciiline

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// MaxLine is the longest line accepted, from '$' to '\n' inclusive. NMEA
// allows 82; the PPE tray's list of items needs more.
const MaxLine = 256

// ErrInvalid is returned for a line that breaks the format.
var ErrInvalid = errors.New("invalid line")

// Field is one key=value pair.
type Field struct {
	Key, Value string
}

// Line is one decoded record: a tag and its fields in wire order.
type Line struct {
	Tag    string
	Fields []Field
}

// Get returns the value of key and whether it was present.
func (l Line) Get(key string) (string, bool) {
	for _, f := range l.Fields {
		if f.Key == key {
			return f.Value, true
		}
	}
	return "", false
}

// String returns the line as it goes on the wire, without the checksum.
func (l Line) String() string {
	var b strings.Builder
	b.WriteString(l.Tag)
	for _, f := range l.Fields {
		b.WriteString("," + f.Key + "=" + f.Value)
	}
	return b.String()
}

// Tags are upper-case letters and digits; keys lower-case letters, digits
// and '_'; values any printable ASCII but the four delimiters.
func validTag(s string) bool {
	return len(s) > 0 && len(s) <= 16 && strings.Trim(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") == ""
}

func validKey(s string) bool {
	return len(s) > 0 && strings.Trim(s, "abcdefghijklmnopqrstuvwxyz0123456789_") == ""
}

func validValue(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c > 0x7E || c == '$' || c == '*' || c == ',' || c == '=' {
			return false
		}
	}
	return true
}

func checksum(body []byte) byte {
	var cs byte
	for _, c := range body {
		cs ^= c
	}
	return cs
}

const hexDigits = "0123456789ABCDEF"

// AppendLine appends l to dst with its checksum and CR LF. It returns
// ErrInvalid for a tag, key or value outside the format or a line longer
// than MaxLine.
func AppendLine(dst []byte, l Line) ([]byte, error) {
	if !validTag(l.Tag) {
		return nil, fmt.Errorf("encode line: tag %q: %w", l.Tag, ErrInvalid)
	}
	start := len(dst)
	dst = append(dst, '$')
	dst = append(dst, l.Tag...)
	for _, f := range l.Fields {
		if !validKey(f.Key) || !validValue(f.Value) {
			return nil, fmt.Errorf("encode line %s: field %q=%q: %w", l.Tag, f.Key, f.Value, ErrInvalid)
		}
		dst = append(dst, ',')
		dst = append(dst, f.Key...)
		dst = append(dst, '=')
		dst = append(dst, f.Value...)
	}
	cs := checksum(dst[start+1:])
	dst = append(dst, '*', hexDigits[cs>>4], hexDigits[cs&0xF], '\r', '\n')
	if len(dst)-start > MaxLine {
		return nil, fmt.Errorf("encode line %s: %d bytes, max %d: %w", l.Tag, len(dst)-start, MaxLine, ErrInvalid)
	}
	return dst, nil
}

// ParseLine decodes one line from '$' up to but not including the line
// end ("\r\n" or "\n"). It returns ErrInvalid, saying why, for anything
// else: a missing or wrong checksum, a bad tag, a field without '=', a
// repeated key.
func ParseLine(b []byte) (Line, error) {
	bad := func(why string, args ...any) (Line, error) {
		return Line{}, fmt.Errorf("%s: %w", fmt.Sprintf(why, args...), ErrInvalid)
	}
	if len(b) < 4 || b[0] != '$' || b[len(b)-3] != '*' {
		return bad("no $...*CS frame")
	}
	body := b[1 : len(b)-3]
	want, err := strconv.ParseUint(string(b[len(b)-2:]), 16, 8)
	if err != nil {
		return bad("checksum %q not hex", b[len(b)-2:])
	}
	if got := checksum(body); uint64(got) != want {
		return bad("checksum %02X, computed %02X", want, got)
	}
	parts := strings.Split(string(body), ",")
	l := Line{Tag: parts[0]}
	if !validTag(l.Tag) {
		return bad("tag %q", l.Tag)
	}
	for _, p := range parts[1:] {
		k, v, ok := strings.Cut(p, "=")
		if !ok || !validKey(k) || !validValue(v) {
			return bad("field %q", p)
		}
		if _, dup := l.Get(k); dup {
			return bad("key %q repeated", k)
		}
		l.Fields = append(l.Fields, Field{k, v})
	}
	return l, nil
}
