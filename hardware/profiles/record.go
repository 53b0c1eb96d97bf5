package profiles

import (
	"bytes"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/bits"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/vm"
)

// ErrUnknownRecord is returned for a well-formed record the profile does
// not map: a tag, pattern or type byte it does not know (newer firmware, or
// the wrong profile).
var ErrUnknownRecord = errors.New("unknown record")

// named is a field with its name.
type named struct {
	name string
	f    *Field
}

// plan is how to make a record's values, worked out once when the profile
// is parsed: the fields read from the wire, the constants, the
// expressions in name order, the names emitted.
type plan struct {
	wire, consts, exprs []named
	emit                []string // the event's fields that have values; nil when every value is one
	size                int
}

func newPlan(raw, fields map[string]*Field) *plan {
	pl := &plan{}
	for _, set := range []map[string]*Field{raw, fields} {
		for _, name := range slices.Sorted(maps.Keys(set)) {
			f := set[name]
			switch {
			case f.Unmeasured:
			case f.Const != nil:
				pl.consts = append(pl.consts, named{name, f})
			case f.prog != nil:
				pl.exprs = append(pl.exprs, named{name, f})
			default:
				pl.wire = append(pl.wire, named{name, f})
			}
		}
	}
	if len(raw) > 0 {
		for _, name := range slices.Sorted(maps.Keys(fields)) {
			if !fields[name].Unmeasured {
				pl.emit = append(pl.emit, name)
			}
		}
	}
	pl.size = len(pl.wire) + len(pl.consts) + len(pl.exprs)
	return pl
}

// decoded is one record read by its profile.
type decoded struct {
	name     string         // the record's name (or tag), for prev and transforms
	event    string         // "" when only transforms use it
	fields   map[string]any // the event's fields
	vals     map[string]any // raw values and fields, for transforms and prev
	uptimeMS int64
	clock    bool
}

// decodeKV reads a TAG,key=value,... record.
func (p *Profile) decodeKV(body []byte) (decoded, error) {
	sep, assign := p.Line.Separator, p.Line.Assign
	text := string(body)
	tag, rest, _ := strings.Cut(text, sep)
	if tag == "" {
		return decoded{}, fmt.Errorf("record %q: no tag: %w", text, ErrBadValue)
	}
	e, ok := p.Lines[tag]
	if !ok {
		return decoded{}, fmt.Errorf("%s line %s: %w", p.Name, tag, ErrUnknownRecord)
	}
	var buf [32]string
	kv := buf[:0] // key, value, key, value...
	if rest != "" || strings.Contains(text, sep) {
		for more := true; more; {
			var part string
			part, rest, more = strings.Cut(rest, sep)
			k, v, ok := strings.Cut(part, assign)
			if !ok || k == "" || strings.Contains(v, assign) {
				return decoded{}, fmt.Errorf("%s line %s: field %q: %w", p.Name, tag, part, ErrBadValue)
			}
			for i := 0; i < len(kv); i += 2 {
				if kv[i] == k {
					return decoded{}, fmt.Errorf("%s line %s: key %q repeated: %w", p.Name, tag, k, ErrBadValue)
				}
			}
			kv = append(kv, k, v)
		}
	}
	get := func(key string) (string, bool) {
		for i := 0; i < len(kv); i += 2 {
			if kv[i] == key {
				return kv[i+1], true
			}
		}
		return "", false
	}
	d := decoded{name: tag, event: e.Event, vals: make(map[string]any, e.plan.size)}
	for _, nf := range e.plan.wire {
		name, f := nf.name, nf.f
		raw, ok := get(f.Key)
		if !ok {
			return decoded{}, fmt.Errorf("%s line %s: key %q missing: %w", p.Name, tag, f.Key, ErrBadValue)
		}
		v, err := f.fromText(raw)
		if err != nil {
			return decoded{}, fmt.Errorf("%s line %s: %s=%q: %w", p.Name, tag, f.Key, raw, err)
		}
		d.vals[name] = v
	}
	if p.ClockKey != "" {
		if raw, ok := get(p.ClockKey); ok {
			ms, err := strconv.ParseInt(raw, 10, 64)
			if err != nil || ms < 0 {
				return decoded{}, fmt.Errorf("%s line %s: clock %q: %w", p.Name, tag, raw, ErrBadValue)
			}
			d.uptimeMS, d.clock = ms, true
		}
	}
	return d, nil
}

// decodePattern reads a record of a pattern line model: the first record
// whose pattern matches the whole of body.
func (p *Profile) decodePattern(body []byte) (*Record, decoded, error) {
	for _, r := range p.Records {
		if !bytes.HasPrefix(body, []byte(r.prefix)) {
			continue
		}
		var m []int
		if r.fast != nil {
			var buf [16]int
			m = buf[:2*r.fast.ncap+2]
			if len(m) > len(buf) {
				m = make([]int, 2*r.fast.ncap+2)
			}
			if !r.fast.match(body, m) {
				continue
			}
		} else if m = r.re.FindSubmatchIndex(body); m == nil {
			continue
		}
		group := func(i int) (string, bool) {
			if i < 0 || m[2*i] < 0 {
				return "", false
			}
			return string(body[m[2*i]:m[2*i+1]]), true
		}
		d := decoded{name: r.Name, event: r.Event, vals: make(map[string]any, r.plan.size)}
		for _, nf := range r.plan.wire {
			i := nf.f.group
			if m[2*i] < 0 {
				return nil, decoded{}, fmt.Errorf("%s record %s: %s: group %s did not take part in the match: %w", p.Name, r.Name, nf.name, nf.f.Capture, ErrBadValue)
			}
			raw := body[m[2*i]:m[2*i+1]]
			v, err := nf.f.fromTextBytes(raw)
			if err != nil {
				return nil, decoded{}, fmt.Errorf("%s record %s: %s=%q: %w", p.Name, r.Name, nf.name, raw, err)
			}
			d.vals[nf.name] = v
		}
		if r.Clock != nil {
			raw, ok := group(r.Clock.group)
			ms, err := strconv.ParseInt(raw, 10, 64)
			if !ok || err != nil || ms < 0 {
				return nil, decoded{}, fmt.Errorf("%s record %s: clock %q: %w", p.Name, r.Name, raw, ErrBadValue)
			}
			d.uptimeMS, d.clock = ms, true
		}
		return r, d, nil
	}
	return nil, decoded{}, fmt.Errorf("%s: record %q: %w", p.Name, body, ErrUnknownRecord)
}

// decodeFrame reads a binary frame.
func (p *Profile) decodeFrame(frame []byte) (*Record, decoded, error) {
	var r *Record
	if p.Frame.Type == nil {
		r = p.Records[0]
	} else {
		t := int(frame[p.Frame.Type.Offset]) // inside: checked against the shortest frame (MinSize)
		for _, c := range p.Records {
			if *c.Type == t {
				r = c
				break
			}
		}
		if r == nil {
			return nil, decoded{}, fmt.Errorf("%s: type %#02x: %w", p.Name, t, ErrUnknownRecord)
		}
	}
	bad := func(why string, args ...any) (*Record, decoded, error) {
		return nil, decoded{}, fmt.Errorf("%s record %s: %s: %w", p.Name, r.Name, fmt.Sprintf(why, args...), ErrBadValue)
	}
	if r.Size > 0 && len(frame) != r.Size {
		return bad("frame %d bytes, want %d", len(frame), r.Size)
	}
	for _, z := range r.Zero {
		if z.Offset >= len(frame) || frame[z.Offset]&byte(z.Mask) != 0 {
			return bad("bits %#02x of byte %d are not clear", z.Mask, z.Offset)
		}
	}
	d := decoded{name: r.Name, event: r.Event, vals: make(map[string]any, r.plan.size)}
	for _, nf := range r.plan.wire {
		v, err := nf.f.fromBinary(frame)
		if err != nil {
			return bad("%s: %v", nf.name, err)
		}
		d.vals[nf.name] = v
	}
	if r.Clock != nil {
		v, err := r.Clock.fromBinary(frame)
		if err != nil {
			return bad("clock: %v", err)
		}
		d.uptimeMS, d.clock = int64(v.(int)), true
	}
	return r, d, nil
}

// fromBinary reads a field at its offset in a frame.
func (f *Field) fromBinary(frame []byte) (any, error) {
	off := *f.Offset
	switch f.Format {
	case "ascii":
		if off+f.Length > len(frame) {
			return nil, errors.New("past the end of the frame")
		}
		b := frame[off : off+f.Length]
		n := bytes.IndexByte(b, 0)
		if n < 0 {
			n = len(b)
		}
		for i, c := range b {
			if i < n && (c < 0x20 || c > 0x7E) || i >= n && c != 0 {
				return nil, fmt.Errorf("text %q: not NUL-padded printable ASCII", b)
			}
		}
		return string(b[:n]), nil
	case "version":
		if off+f.Length > len(frame) {
			return nil, errors.New("past the end of the frame")
		}
		parts := make([]string, f.Length)
		for i, c := range frame[off : off+f.Length] {
			parts[i] = strconv.Itoa(int(c))
		}
		return strings.Join(parts, "."), nil
	}
	size := binaryFormats[f.Format]
	if off+size > len(frame) {
		return nil, errors.New("past the end of the frame")
	}
	var u uint64
	for i := range size {
		c := uint64(frame[off+i])
		if f.Endian == "big" {
			u = u<<8 | c
		} else {
			u |= c << (8 * i)
		}
	}
	var x int64
	switch {
	case f.Mask != 0:
		x = int64((u & uint64(f.Mask)) >> bits.TrailingZeros32(f.Mask))
	case f.Format == "i8":
		x = int64(int8(u))
	case f.Format == "i16":
		x = int64(int16(u))
	case f.Format == "i32":
		x = int64(int32(u))
	default:
		x = int64(u)
	}
	if err := f.inRange(float64(x)); err != nil {
		return nil, err
	}
	switch f.Type {
	case "bool":
		return x != 0, nil
	case "string":
		w, err := f.word(strconv.FormatInt(x, 10))
		if err != nil {
			return nil, fmt.Errorf("code %d: %w", x, err)
		}
		return w, nil
	}
	return f.number(float64(x)), nil
}

// inRange checks a wire value against Min and Max.
func (f *Field) inRange(x float64) error {
	if f.Min != nil && x < *f.Min || f.Max != nil && x > *f.Max {
		return fmt.Errorf("%v outside %v..%v: %w", x, deref(f.Min, math.Inf(-1)), deref(f.Max, math.Inf(1)), ErrBadValue)
	}
	return nil
}

func deref(p *float64, d float64) float64 {
	if p == nil {
		return d
	}
	return *p
}

// finish adds the constant and derived values to d and makes the event's
// fields: constants, then expressions in name order (each sees the wire
// and raw values, the constants, and prev: the previous record's values of
// the same name, empty on the first).
func finish(d *decoded, pl *plan, prev map[string]any, machine *vm.VM) error {
	for _, nf := range pl.consts {
		d.vals[nf.name], _ = convert(nf.f.Const, nf.f.Type) // checked when parsed
	}
	if len(pl.exprs) > 0 {
		if prev == nil {
			prev = map[string]any{}
		}
		for _, nf := range pl.exprs {
			d.vals["prev"] = prev
			out, err := machine.Run(nf.f.prog, d.vals)
			delete(d.vals, "prev")
			if err != nil {
				return fmt.Errorf("%s: %v: %w", nf.name, err, ErrBadValue)
			}
			v, err := convert(out, nf.f.Type)
			if err != nil {
				return fmt.Errorf("%s = %v: not a %s: %w", nf.name, out, nf.f.Type, ErrBadValue)
			}
			d.vals[nf.name] = v
		}
	}
	if d.event == "" {
		return nil
	}
	if pl.emit == nil {
		d.fields = d.vals // every value is a field: no copy
		return nil
	}
	d.fields = make(map[string]any, len(pl.emit))
	for _, name := range pl.emit {
		d.fields[name] = d.vals[name]
	}
	return nil
}
