package standards

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"unicode/utf8"
)

// This file decodes event lines without encoding/json's reflection: the
// scoring of a million-event log is dominated by decoding, so the envelope
// and the flat data objects of the vocabulary are read here by hand, into
// slices of the line and typed records, allocating nothing per event in the
// common case. It is as strict as the reflective path it replaces: unknown,
// duplicate, missing and mistyped fields are errors that name the field.

// EventView is one event line decoded in place: Type, Source and Data point
// into the line (or into a fresh buffer when the JSON string had escapes).
type EventView struct {
	Seq, TMs int64
	Type     []byte
	Source   []byte
	Data     []byte // the data object's bytes, or nil
}

// ScanEvent decodes one event line. The returned error's File and Line are
// left for the caller.
func ScanEvent(line []byte) (EventView, *LineError) {
	var v EventView
	i := skipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return v, &LineError{Msg: "not a JSON event: want an object"}
	}
	i++
	var seen uint8
	const (
		fSeq = 1 << iota
		fT
		fType
		fSource
		fData
	)
	first := true
	for {
		i = skipWS(line, i)
		if i >= len(line) {
			return v, &LineError{Msg: "not a JSON event: unexpected end of line"}
		}
		if line[i] == '}' && first {
			i++
			break
		}
		first = false
		ks, ke, esc, next, err := scanString(line, i)
		if err != nil {
			return v, &LineError{Msg: "not a JSON event: " + err.Error()}
		}
		key := line[ks:ke]
		if esc {
			key = unescape(line[ks-1 : ke+1])
		}
		i = skipWS(line, next)
		if i >= len(line) || line[i] != ':' {
			return v, &LineError{Field: string(key), Msg: "not a JSON event: want ':'"}
		}
		i = skipWS(line, i+1)
		var bit uint8
		switch string(key) {
		case "seq", "t_ms":
			bit = fSeq
			if string(key) == "t_ms" {
				bit = fT
			}
			n, end, err := scanInt(line, i)
			if err != nil {
				return v, &LineError{Field: string(key), Msg: err.Error()}
			}
			if bit == fSeq {
				v.Seq = n
			} else {
				v.TMs = n
			}
			i = end
		case "type", "source":
			bit = fType
			if string(key) == "source" {
				bit = fSource
			}
			if i < len(line) && line[i] == 'n' && bytes.HasPrefix(line[i:], []byte("null")) && bit == fSource {
				i += 4
				break
			}
			s, e, esc, next, err := scanString(line, i)
			if err != nil {
				return v, &LineError{Field: string(key), Msg: "want a string"}
			}
			val := line[s:e]
			if esc {
				val = unescape(line[s-1 : e+1])
			}
			if bit == fType {
				v.Type = val
			} else {
				v.Source = val
			}
			i = next
		case "data":
			bit = fData
			end, err := skipValue(line, i, 0)
			if err != nil {
				return v, &LineError{Field: "data", Msg: err.Error()}
			}
			val := line[i:end]
			switch {
			case bytes.Equal(val, []byte("null")):
			case len(val) > 0 && val[0] == '{':
				v.Data = val
			default:
				return v, &LineError{Field: "data", Msg: "want a JSON object"}
			}
			i = end
		default:
			return v, &LineError{Field: string(key), Msg: "unknown field"}
		}
		if seen&bit != 0 {
			return v, &LineError{Field: string(key), Msg: "given twice"}
		}
		seen |= bit
		i = skipWS(line, i)
		if i >= len(line) {
			return v, &LineError{Msg: "not a JSON event: unexpected end of line"}
		}
		if line[i] == ',' {
			i++
			continue
		}
		if line[i] == '}' {
			i++
			break
		}
		return v, &LineError{Msg: fmt.Sprintf("not a JSON event: unexpected %q after %s", line[i], key)}
	}
	if i = skipWS(line, i); i != len(line) {
		return v, &LineError{Msg: "more than one JSON value on the line"}
	}
	switch {
	case seen&fSeq == 0:
		return v, &LineError{Field: "seq", Msg: "missing"}
	case seen&fT == 0:
		return v, &LineError{Field: "t_ms", Msg: "missing"}
	case seen&fType == 0 || len(v.Type) == 0:
		return v, &LineError{Field: "type", Msg: "missing"}
	case v.Seq < 1:
		return v, &LineError{Field: "seq", Msg: fmt.Sprintf("%d: seq starts at 1", v.Seq)}
	case v.TMs < 0:
		return v, &LineError{Field: "t_ms", Msg: fmt.Sprintf("%d is negative", v.TMs)}
	}
	return v, nil
}

func isHex4(b []byte) bool {
	for _, c := range b {
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F') {
			return false
		}
	}
	return len(b) == 4
}

func skipWS(b []byte, i int) int {
	for i < len(b) && (b[i] == ' ' || b[i] == '\t' || b[i] == '\n' || b[i] == '\r') {
		i++
	}
	return i
}

// scanString scans a JSON string at b[i] and returns the bounds of its
// contents, whether it has escapes, and the index after its closing quote.
func scanString(b []byte, i int) (start, end int, esc bool, next int, err error) {
	if i >= len(b) || b[i] != '"' {
		return 0, 0, false, 0, fmt.Errorf("want a string")
	}
	start = i + 1
	ascii := true
	for j := start; j < len(b); j++ {
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
				if j+4 >= len(b) || !isHex4(b[j+1:j+5]) {
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

// unescape decodes a quoted JSON string with escapes (rare in event logs).
func unescape(quoted []byte) []byte {
	var s string
	if err := json.Unmarshal(quoted, &s); err != nil {
		return quoted[1 : len(quoted)-1]
	}
	return []byte(s)
}

// scanInt reads a JSON integer (no fraction or exponent).
func scanInt(b []byte, i int) (int64, int, error) {
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
		return 0, j, fmt.Errorf("want a whole number, got %s", clipBytes(b[i:]))
	}
	if j < len(b) && (b[j] == '.' || b[j] == 'e' || b[j] == 'E') {
		return 0, j, fmt.Errorf("want a whole number, got %s", clipBytes(b[i:]))
	}
	if b[startDigits] == '0' && j-startDigits > 1 {
		return 0, j, fmt.Errorf("leading zero in a number")
	}
	if neg {
		n = -n
	}
	return n, j, nil
}

// scanNumber returns the end of a JSON number at b[i].
func scanNumber(b []byte, i int) (int, error) {
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

func clipBytes(b []byte) string {
	end := 0
	for end < len(b) && end < 20 && b[end] != ',' && b[end] != '}' {
		end++
	}
	return string(b[:end])
}

// maxValueDepth bounds nesting inside data; vocabulary data is flat.
const maxValueDepth = 16

// skipValue returns the end of the JSON value at b[i], checking its syntax.
func skipValue(b []byte, i, depth int) (int, error) {
	if depth > maxValueDepth {
		return i, fmt.Errorf("nested too deeply")
	}
	i = skipWS(b, i)
	if i >= len(b) {
		return i, fmt.Errorf("unexpected end of line")
	}
	switch c := b[i]; {
	case c == '"':
		_, _, _, next, err := scanString(b, i)
		return next, err
	case c == '{' || c == '[':
		closer := byte('}')
		if c == '[' {
			closer = ']'
		}
		i = skipWS(b, i+1)
		if i < len(b) && b[i] == closer {
			return i + 1, nil
		}
		for {
			if c == '{' {
				_, _, _, next, err := scanString(b, skipWS(b, i))
				if err != nil {
					return i, fmt.Errorf("want a field name")
				}
				i = skipWS(b, next)
				if i >= len(b) || b[i] != ':' {
					return i, fmt.Errorf("want ':'")
				}
				i++
			}
			end, err := skipValue(b, i, depth+1)
			if err != nil {
				return end, err
			}
			i = skipWS(b, end)
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
		return scanNumber(b, i)
	}
	return i, fmt.Errorf("unexpected %q", b[i])
}
