package standards

import (
	"bytes"
	"fmt"

	"shicao/standards/jsonscan"
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
	v, _, err := scanEvent(line, false)
	return v, err
}

// ScanChainedEvent decodes one line of an exported event log: an event
// that may also carry "chain", the hex hash of the chain up to and
// including it (see Chain). The chain is returned as written, nil when the
// line has none; it is not part of the event and not hashed. Anything else
// is as strict as ScanEvent.
func ScanChainedEvent(line []byte) (EventView, []byte, *LineError) {
	return scanEvent(line, true)
}

func scanEvent(line []byte, chained bool) (EventView, []byte, *LineError) {
	var v EventView
	var chain []byte
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return v, nil, &LineError{Msg: "not a JSON event: want an object"}
	}
	i++
	var seen uint8
	const (
		fSeq = 1 << iota
		fT
		fType
		fSource
		fData
		fChain
	)
	first := true
	for {
		i = jsonscan.SkipWS(line, i)
		if i >= len(line) {
			return v, nil, &LineError{Msg: "not a JSON event: unexpected end of line"}
		}
		if line[i] == '}' && first {
			i++
			break
		}
		first = false
		ks, ke, esc, next, err := jsonscan.String(line, i)
		if err != nil {
			return v, nil, &LineError{Msg: "not a JSON event: " + err.Error()}
		}
		key := line[ks:ke]
		if esc {
			key = jsonscan.Unescape(nil, line[ks:ke])
		}
		i = jsonscan.SkipWS(line, next)
		if i >= len(line) || line[i] != ':' {
			return v, nil, &LineError{Field: string(key), Msg: "not a JSON event: want ':'"}
		}
		i = jsonscan.SkipWS(line, i+1)
		var bit uint8
		switch string(key) {
		case "seq", "t_ms":
			bit = fSeq
			if string(key) == "t_ms" {
				bit = fT
			}
			n, end, err := jsonscan.Int(line, i)
			if err != nil {
				return v, nil, &LineError{Field: string(key), Msg: err.Error()}
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
			s, e, esc, next, err := jsonscan.String(line, i)
			if err != nil {
				return v, nil, &LineError{Field: string(key), Msg: "want a string"}
			}
			val := line[s:e]
			if esc {
				val = jsonscan.Unescape(nil, line[s:e])
			}
			if bit == fType {
				v.Type = val
			} else {
				v.Source = val
			}
			i = next
		case "data":
			bit = fData
			end, err := jsonscan.SkipValue(line, i)
			if err != nil {
				return v, nil, &LineError{Field: "data", Msg: err.Error()}
			}
			val := line[i:end]
			switch {
			case bytes.Equal(val, []byte("null")):
			case len(val) > 0 && val[0] == '{':
				v.Data = val
			default:
				return v, nil, &LineError{Field: "data", Msg: "want a JSON object"}
			}
			i = end
		case "chain":
			if !chained {
				return v, nil, &LineError{Field: string(key), Msg: "unknown field"}
			}
			bit = fChain
			s, e, esc, next, err := jsonscan.String(line, i)
			if err != nil || esc {
				return v, nil, &LineError{Field: "chain", Msg: "want a hex hash"}
			}
			chain = line[s:e]
			i = next
		default:
			return v, nil, &LineError{Field: string(key), Msg: "unknown field"}
		}
		if seen&bit != 0 {
			return v, nil, &LineError{Field: string(key), Msg: "given twice"}
		}
		seen |= bit
		i = jsonscan.SkipWS(line, i)
		if i >= len(line) {
			return v, nil, &LineError{Msg: "not a JSON event: unexpected end of line"}
		}
		if line[i] == ',' {
			i++
			continue
		}
		if line[i] == '}' {
			i++
			break
		}
		return v, nil, &LineError{Msg: fmt.Sprintf("not a JSON event: unexpected %q after %s", line[i], key)}
	}
	if i = jsonscan.SkipWS(line, i); i != len(line) {
		return v, nil, &LineError{Msg: "more than one JSON value on the line"}
	}
	switch {
	case seen&fSeq == 0:
		return v, nil, &LineError{Field: "seq", Msg: "missing"}
	case seen&fT == 0:
		return v, nil, &LineError{Field: "t_ms", Msg: "missing"}
	case seen&fType == 0 || len(v.Type) == 0:
		return v, nil, &LineError{Field: "type", Msg: "missing"}
	case v.Seq < 1:
		return v, nil, &LineError{Field: "seq", Msg: fmt.Sprintf("%d: seq starts at 1", v.Seq)}
	case v.TMs < 0:
		return v, nil, &LineError{Field: "t_ms", Msg: fmt.Sprintf("%d is negative", v.TMs)}
	}
	return v, chain, nil
}
