package sync

import (
	"encoding/json"
	"fmt"

	"shicao/standards/jsonscan"
)

// Bundle is what travels: the signed result, every item's events, and the
// signed standards and blueprint that scored it, so that anyone can
// verify and re-score it with nothing else.
type Bundle struct {
	Result    string                       `json:"result"` // the signed note
	Events    map[string][]json.RawMessage `json:"events"` // subject -> canonical events
	Standards map[string]string            `json:"standards"`
	Blueprint string                       `json:"blueprint"`
	// Vocabularies are the signed vocabulary documents the items'
	// standards were checked against (ItemResult.Vocabulary), by version
	// in decimal; absent when every item used the built-in base.
	Vocabularies map[string]string `json:"vocabularies,omitempty"`
}

// DecodeBundle reads a bundle as encoding/json would, but faster and
// stricter, since the centre decodes every upload: each event is a slice
// of data, not a copy; a field that is unknown or given twice (at any
// level), a value of the wrong kind and anything after the bundle are
// errors, and strings must be valid UTF-8.
func DecodeBundle(data []byte) (Bundle, error) {
	var b Bundle
	end, err := decodeObject(data, 0, func(key []byte, i int) (int, error) {
		switch string(key) {
		case "result":
			return decodeString(data, i, &b.Result)
		case "blueprint":
			return decodeString(data, i, &b.Blueprint)
		case "standards":
			return decodeStrings(data, i, &b.Standards)
		case "vocabularies":
			return decodeStrings(data, i, &b.Vocabularies)
		case "events":
			if isNull(data, i) {
				return i + 4, nil
			}
			b.Events = map[string][]json.RawMessage{}
			return decodeObject(data, i, func(subject []byte, i int) (int, error) {
				lines, end, err := decodeLines(data, i)
				b.Events[string(subject)] = lines
				return end, err
			})
		}
		return i, unknownField(key)
	})
	if err != nil {
		return Bundle{}, fmt.Errorf("not a result bundle: %w", err)
	}
	if jsonscan.SkipWS(data, end) != len(data) {
		return Bundle{}, fmt.Errorf("not a result bundle: more than one JSON value")
	}
	return b, nil
}

// decodeStrings reads a JSON object of strings (or null) at data[i] into m.
func decodeStrings(data []byte, i int, m *map[string]string) (int, error) {
	if isNull(data, i) {
		return i + 4, nil
	}
	*m = map[string]string{}
	return decodeObject(data, i, func(name []byte, i int) (int, error) {
		var text string
		end, err := decodeString(data, i, &text)
		(*m)[string(name)] = text
		return end, err
	})
}

// decodeObject reads the JSON object (or null) at data[i], calling field
// with each key and the index of its value; field returns the index after
// the value. It returns the index after the object.
func decodeObject(data []byte, i int, field func(key []byte, i int) (int, error)) (int, error) {
	i = jsonscan.SkipWS(data, i)
	if isNull(data, i) {
		return i + 4, nil
	}
	if i >= len(data) || data[i] != '{' {
		return i, fmt.Errorf("want an object")
	}
	i = jsonscan.SkipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		return i + 1, nil
	}
	seen := map[string]bool{}
	for {
		ks, ke, esc, next, err := jsonscan.String(data, jsonscan.SkipWS(data, i))
		if err != nil {
			return i, fmt.Errorf("field name: %v", err)
		}
		key := data[ks:ke]
		if esc {
			key = jsonscan.Unescape(nil, key)
		}
		if seen[string(key)] {
			return i, fmt.Errorf("field %q given twice", key)
		}
		seen[string(key)] = true
		i = jsonscan.SkipWS(data, next)
		if i >= len(data) || data[i] != ':' {
			return i, fmt.Errorf("want ':' after %q", key)
		}
		end, err := field(key, jsonscan.SkipWS(data, i+1))
		if _, ok := err.(unknownField); ok {
			return end, err
		}
		if err != nil {
			return end, fmt.Errorf("%s: %w", key, err)
		}
		i = jsonscan.SkipWS(data, end)
		switch {
		case i < len(data) && data[i] == ',':
			i++
		case i < len(data) && data[i] == '}':
			return i + 1, nil
		default:
			return i, fmt.Errorf("want ',' or '}' after %q", key)
		}
	}
}

// decodeString reads the JSON string (or null) at data[i] into s.
func decodeString(data []byte, i int, s *string) (int, error) {
	if isNull(data, i) {
		return i + 4, nil
	}
	start, end, esc, next, err := jsonscan.String(data, i)
	if err != nil {
		return i, err
	}
	if esc {
		*s = string(jsonscan.Unescape(make([]byte, 0, end-start), data[start:end]))
	} else {
		*s = string(data[start:end])
	}
	return next, nil
}

// decodeLines reads a JSON array (or null) of values, each returned as
// the slice of data that holds it.
func decodeLines(data []byte, i int) ([]json.RawMessage, int, error) {
	if isNull(data, i) {
		return nil, i + 4, nil
	}
	if i >= len(data) || data[i] != '[' {
		return nil, i, fmt.Errorf("want a list of events")
	}
	i = jsonscan.SkipWS(data, i+1)
	if i < len(data) && data[i] == ']' {
		return []json.RawMessage{}, i + 1, nil
	}
	var lines []json.RawMessage
	for {
		end, err := jsonscan.SkipValue(data, i)
		if err != nil {
			return nil, end, fmt.Errorf("event %d: %v", len(lines)+1, err)
		}
		lines = append(lines, data[i:end:end])
		i = jsonscan.SkipWS(data, end)
		switch {
		case i < len(data) && data[i] == ',':
			i = jsonscan.SkipWS(data, i+1)
		case i < len(data) && data[i] == ']':
			return lines, i + 1, nil
		default:
			return nil, i, fmt.Errorf("event %d: want ',' or ']' after it", len(lines))
		}
	}
}

// unknownField is the error for a key the bundle format does not have.
type unknownField string

func (u unknownField) Error() string { return fmt.Sprintf("unknown field %q", string(u)) }

func isNull(data []byte, i int) bool {
	return len(data)-i >= 4 && string(data[i:i+4]) == "null"
}
