package standards

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"shicao/standards/jsonscan"
)

// The event log is hash-chained: each event's hash is SHA-256 over the
// previous event's hash and the event's canonical bytes, so a deleted,
// inserted or edited event breaks every hash after it. The first event's
// previous hash is 32 zero bytes.

// Hash is one link of the chain.
type Hash [32]byte

func (h Hash) String() string { return hex.EncodeToString(h[:]) }

// ParseHash reads a hex hash.
func ParseHash(s string) (Hash, error) {
	var h Hash
	b, err := hex.DecodeString(s)
	if err != nil || len(b) != len(h) {
		return h, fmt.Errorf("%q is not a SHA-256 hash", s)
	}
	copy(h[:], b)
	return h, nil
}

// MarshalText writes the hash as hex.
func (h Hash) MarshalText() ([]byte, error) { return []byte(h.String()), nil }

// UnmarshalText reads hex.
func (h *Hash) UnmarshalText(b []byte) error {
	v, err := ParseHash(string(b))
	*h = v
	return err
}

// Canonical returns the event's canonical JSON: the fields in the order
// seq, t_ms, type, source, data, no insignificant white space, data's keys
// sorted at every level, numbers exactly as written, no HTML escaping.
// It is what the chain hashes and what exports write, so that anyone can
// recompute the chain from an exported log.
func (e Event) Canonical() ([]byte, error) {
	data, err := CanonicalData(e.Data)
	if err != nil {
		return nil, fmt.Errorf("event %d data: %w", e.Seq, err)
	}
	e.Data = data
	return e.CanonicalTrusted(), nil
}

// CanonicalTrusted is Canonical for an event whose Data is already
// canonical (as the store keeps it): no re-parsing on the append path.
func (e Event) CanonicalTrusted() []byte {
	dst := make([]byte, 0, 64+len(e.Type)+len(e.Source)+len(e.Data))
	return appendCanonicalTrusted(dst, e.Seq, e.TMs, e.Type, e.Source, e.Data)
}

// AppendCanonical appends an event's canonical form (see Canonical) to
// dst, given its parts as bytes (as ScanEvent returns them). It allocates
// nothing when the data object is already canonical, as a station writes
// it.
func AppendCanonical(dst []byte, seq, tms int64, typ, source, data []byte) ([]byte, error) {
	data, err := CanonicalData(data)
	if err != nil {
		return dst, fmt.Errorf("event %d data: %w", seq, err)
	}
	return appendCanonicalTrusted(dst, seq, tms, typ, source, data), nil
}

func appendCanonicalTrusted[S string | []byte](dst []byte, seq, tms int64, typ, source S, data []byte) []byte {
	dst = append(dst, `{"seq":`...)
	dst = strconv.AppendInt(dst, seq, 10)
	dst = append(dst, `,"t_ms":`...)
	dst = strconv.AppendInt(dst, tms, 10)
	dst = append(dst, `,"type":`...)
	dst = appendJSONString(dst, typ)
	dst = append(dst, `,"source":`...)
	dst = appendJSONString(dst, source)
	if len(data) > 0 {
		dst = append(dst, `,"data":`...)
		dst = append(dst, data...)
	}
	return append(dst, '}')
}

// Chain computes a log's hash chain one event at a time, allocating
// nothing per event when the data is canonical. Its zero value is the
// chain before the first event.
type Chain struct {
	head Hash
	buf  []byte
}

// Add links the next event (its parts as ScanEvent returns them).
func (c *Chain) Add(seq, tms int64, typ, source, data []byte) error {
	var err error
	c.buf, err = AppendCanonical(append(c.buf[:0], c.head[:]...), seq, tms, typ, source, data)
	if err != nil {
		return err
	}
	c.head = sha256.Sum256(c.buf)
	return nil
}

// Head is the hash of the last event added.
func (c *Chain) Head() Hash { return c.head }

// CanonicalData returns a data object in canonical form (nil for none).
func CanonicalData(data []byte) ([]byte, error) {
	if len(data) == 0 || bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil, nil
	}
	if isCanonicalFlat(data) {
		return data, nil // the common case: the station wrote it canonical
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("more than one JSON value")
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("want a JSON object")
	}
	var b bytes.Buffer
	if err := writeCanonical(&b, v); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// appendJSONString appends s as a JSON string, escaped as encoding/json
// does without HTML escaping.
func appendJSONString[S string | []byte](dst []byte, s S) []byte {
	if isPlain(s) {
		dst = append(dst, '"')
		dst = append(dst, s...)
		return append(dst, '"')
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(string(s))
	return append(dst, bytes.TrimSuffix(b.Bytes(), []byte("\n"))...)
}

// isPlain reports whether encoding/json writes s as it is between quotes:
// no quote, backslash, control character, invalid UTF-8 or U+2028/U+2029.
func isPlain[S string | []byte](s S) bool {
	ascii := true
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '"' || c == '\\' || c < 0x20:
			return false
		case c >= 0x80:
			ascii = false
		}
	}
	if ascii {
		return true
	}
	return utf8.ValidString(string(s)) && !strings.Contains(string(s), "\u2028") && !strings.Contains(string(s), "\u2029")
}

func writeCanonical(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				b.WriteByte(',')
			}
			b.Write(appendJSONString(nil, k))
			b.WriteByte(':')
			if err := writeCanonical(b, x[k]); err != nil {
				return err
			}
		}
		b.WriteByte('}')
	case []any:
		b.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				b.WriteByte(',')
			}
			if err := writeCanonical(b, e); err != nil {
				return err
			}
		}
		b.WriteByte(']')
	case string:
		b.Write(appendJSONString(nil, x))
	case json.Number:
		b.WriteString(x.String())
	case bool:
		b.WriteString(strconv.FormatBool(x))
	case nil:
		b.WriteString("null")
	default:
		return fmt.Errorf("unexpected %T", v)
	}
	return nil
}

// ChainNext returns the hash of the event that follows prev.
func ChainNext(prev Hash, canonical []byte) Hash {
	h := sha256.New()
	h.Write(prev[:])
	h.Write(canonical)
	var out Hash
	copy(out[:], h.Sum(nil))
	return out
}

// ChainHead recomputes the chain over a whole log and returns its head
// (the last event's hash). It fails on the first event that is not in
// order: seq must run 1, 2, 3...
func ChainHead(events []Event) (Hash, error) {
	var h Hash
	for i, e := range events {
		if e.Seq != int64(i+1) {
			return Hash{}, fmt.Errorf("event %d: seq %d where %d was due: an event is missing or out of order", i+1, e.Seq, i+1)
		}
		c, err := e.Canonical()
		if err != nil {
			return Hash{}, err
		}
		h = ChainNext(h, c)
	}
	return h, nil
}

// isCanonicalFlat reports, without allocating, whether data is already a
// canonical object of scalars and lists of scalars: compact, keys in
// strictly ascending order, strings with nothing the encoder would escape.
// Anything else takes the general path.
func isCanonicalFlat(b []byte) bool {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	i := 1
	if b[i] == '}' {
		return i+1 == len(b)
	}
	var prevKey []byte
	for {
		key, next, ok := plainString(b, i)
		if !ok || (prevKey != nil && bytes.Compare(prevKey, key) >= 0) {
			return false
		}
		prevKey = key
		if next >= len(b) || b[next] != ':' {
			return false
		}
		i, ok = plainValue(b, next+1, true)
		if !ok || i >= len(b) {
			return false
		}
		switch b[i] {
		case ',':
			i++
		case '}':
			return i+1 == len(b)
		default:
			return false
		}
	}
}

// plainString scans a JSON string with no escapes, control characters,
// invalid UTF-8 or U+2028/U+2029 (which the encoder escapes).
func plainString(b []byte, i int) ([]byte, int, bool) {
	if i >= len(b) || b[i] != '"' {
		return nil, i, false
	}
	for j := i + 1; j < len(b); j++ {
		c := b[j]
		switch {
		case c == '"':
			s := b[i+1 : j]
			return s, j + 1, isPlain(s)
		case c == '\\' || c < 0x20:
			return nil, j, false
		}
	}
	return nil, len(b), false
}

func plainValue(b []byte, i int, allowList bool) (int, bool) {
	if i >= len(b) {
		return i, false
	}
	switch c := b[i]; {
	case c == '"':
		_, next, ok := plainString(b, i)
		return next, ok
	case c == 't' && bytes.HasPrefix(b[i:], []byte("true")):
		return i + 4, true
	case c == 'f' && bytes.HasPrefix(b[i:], []byte("false")):
		return i + 5, true
	case c == 'n' && bytes.HasPrefix(b[i:], []byte("null")):
		return i + 4, true
	case c == '-' || (c >= '0' && c <= '9'):
		end, err := jsonscan.Number(b, i)
		return end, err == nil
	case c == '[' && allowList:
		i++
		if i < len(b) && b[i] == ']' {
			return i + 1, true
		}
		for {
			var ok bool
			i, ok = plainValue(b, i, false)
			if !ok || i >= len(b) {
				return i, false
			}
			if b[i] == ']' {
				return i + 1, true
			}
			if b[i] != ',' {
				return i, false
			}
			i++
		}
	}
	return i, false
}
