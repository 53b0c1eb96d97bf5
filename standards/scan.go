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

// The envelope's fields, as bits of the set seen so far.
const (
	fSeq = 1 << iota
	fT
	fType
	fSource
	fData
	fChain
)

func scanEvent(line []byte, chained bool) (EventView, []byte, *LineError) {
	var v EventView
	var chain []byte
	i := jsonscan.SkipWS(line, 0)
	if i >= len(line) || line[i] != '{' {
		return v, nil, &LineError{Msg: "not a JSON event: want an object"}
	}
	i++
	var seen uint8
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
		bit, end, lerr := scanField(&v, &chain, line, jsonscan.SkipWS(line, i+1), key, chained)
		if lerr != nil {
			return v, nil, lerr
		}
		if seen&bit != 0 {
			return v, nil, &LineError{Field: string(key), Msg: "given twice"}
		}
		seen |= bit
		i = jsonscan.SkipWS(line, end)
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
	if err := checkEnvelope(&v, seen); err != nil {
		return v, nil, err
	}
	return v, chain, nil
}

// scanField reads the value of the envelope's field key at line[i:] into
// v (or chain), and returns the field's bit and the index after the value.
func scanField(v *EventView, chain *[]byte, line []byte, i int, key []byte, chained bool) (uint8, int, *LineError) {
	switch string(key) {
	case "seq", "t_ms":
		n, end, err := jsonscan.Int(line, i)
		if err != nil {
			return 0, 0, &LineError{Field: string(key), Msg: err.Error()}
		}
		if string(key) == "seq" {
			v.Seq = n
			return fSeq, end, nil
		}
		v.TMs = n
		return fT, end, nil
	case "type", "source":
		bit := uint8(fType)
		if string(key) == "source" {
			bit = fSource
		}
		if i < len(line) && line[i] == 'n' && bytes.HasPrefix(line[i:], []byte("null")) && bit == fSource {
			return bit, i + 4, nil
		}
		s, e, esc, next, err := jsonscan.String(line, i)
		if err != nil {
			return 0, 0, &LineError{Field: string(key), Msg: "want a string"}
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
		return bit, next, nil
	case "data":
		end, err := jsonscan.SkipValue(line, i)
		if err != nil {
			return 0, 0, &LineError{Field: "data", Msg: err.Error()}
		}
		val := line[i:end]
		switch {
		case bytes.Equal(val, []byte("null")):
		case len(val) > 0 && val[0] == '{':
			v.Data = val
		default:
			return 0, 0, &LineError{Field: "data", Msg: "want a JSON object"}
		}
		return fData, end, nil
	case "chain":
		if !chained {
			return 0, 0, &LineError{Field: string(key), Msg: "unknown field"}
		}
		s, e, esc, next, err := jsonscan.String(line, i)
		if err != nil || esc {
			return 0, 0, &LineError{Field: "chain", Msg: "want a hex hash"}
		}
		*chain = line[s:e]
		return fChain, next, nil
	}
	return 0, 0, &LineError{Field: string(key), Msg: "unknown field"}
}

// checkEnvelope refuses an event that lacks a field or whose seq or t_ms
// is out of range.
func checkEnvelope(v *EventView, seen uint8) *LineError {
	switch {
	case seen&fSeq == 0:
		return &LineError{Field: "seq", Msg: "missing"}
	case seen&fT == 0:
		return &LineError{Field: "t_ms", Msg: "missing"}
	case seen&fType == 0 || len(v.Type) == 0:
		return &LineError{Field: "type", Msg: "missing"}
	case v.Seq < 1:
		return &LineError{Field: "seq", Msg: fmt.Sprintf("%d: seq starts at 1", v.Seq)}
	case v.TMs < 0:
		return &LineError{Field: "t_ms", Msg: fmt.Sprintf("%d is negative", v.TMs)}
	}
	return nil
}
