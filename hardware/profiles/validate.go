package profiles

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr"

	"shicao/hardware"
	"shicao/hardware/framing"
)

// fieldTypes are the vocabulary's field types.
var fieldTypes = []string{"int", "float", "bool", "string", "strings"}

// unitSuffixes maps the unit suffixes of vocabulary field names
// (standards/vocabulary.yaml) to the unit a profile must state for them.
var unitSuffixes = map[string]string{
	"_mm": "mm", "_ml": "ml", "_m": "m", "_mpa": "MPa", "_pct": "%", "_lpm": "L/min",
}

// binaryFormats are the wire formats of fields at offsets, with their sizes.
var binaryFormats = map[string]int{"u8": 1, "i8": 1, "u16": 2, "i16": 2, "u32": 4, "i32": 4, "ascii": 0, "version": 0}

// eventSource is one producer of an event: a tag, a record, a transform or
// a Modbus event, with the path of its fields in the document.
type eventSource struct {
	event  string
	fields map[string]*Field
	path   []string
}

func (p *Profile) validate() error {
	if !slices.Contains(hardware.Kinds(), p.Kind) {
		return at(fmt.Errorf("kind %q: want one of %v", p.Kind, hardware.Kinds()), "kind")
	}
	if p.Model == "" {
		return at(errors.New("model missing"), "model")
	}
	if err := p.Port.validate(); err != nil {
		return at(err, "port")
	}
	if err := p.validateFraming(); err != nil {
		return err
	}
	names, err := p.validateRecords()
	if err != nil {
		return err
	}
	for i, t := range p.Transforms {
		idx := strconv.Itoa(i)
		if err := t.validate(names, &p.readsPrev); err != nil {
			return at(err, "transforms", idx)
		}
		p.sources = append(p.sources, &eventSource{t.Event, t.Fields, []string{"transforms", idx}})
	}
	for i, c := range p.Captures {
		if c.Name == "" || c.Bytes == "" || c.Events == "" {
			return at(errors.New("a capture has a name, bytes (a capture file) and events (the events it must give)"), "captures", strconv.Itoa(i))
		}
		if p.Framing == FramingModbus {
			return at(errors.New("a Modbus slave answers requests: there is no stream to capture"), "captures", strconv.Itoa(i))
		}
	}
	return nil
}

// validateFraming checks the sections the profile's framing needs and
// refuses those it does not, and lists the events its tags (lines) or
// Modbus section produce.
func (p *Profile) validateFraming() error {
	switch p.Framing {
	case FramingLines:
		if p.Line == nil || p.Frame != nil || p.Modbus != nil {
			return at(errors.New("a lines profile needs a line section and no frame or modbus section"), "framing")
		}
		if (len(p.Lines) == 0) == (len(p.Records) == 0) {
			return at(errors.New("a lines profile maps its records either by tag (lines) or by pattern (records)"), "framing")
		}
		if _, err := p.lineSpec(); err != nil {
			return at(err, "line")
		}
		for _, tag := range slices.Sorted(maps.Keys(p.Lines)) {
			if err := p.Lines[tag].validate(p, tag, p.ClockKey); err != nil {
				return at(err, "lines", tag)
			}
			p.sources = append(p.sources, &eventSource{p.Lines[tag].Event, p.Lines[tag].Fields, []string{"lines", tag}})
		}
	case FramingBinary:
		if p.Frame == nil || p.Line != nil || p.Lines != nil || p.Modbus != nil {
			return at(errors.New("a binary profile needs a frame section and no line, lines or modbus section"), "framing")
		}
		if len(p.Records) == 0 {
			return at(errors.New("no records"), "records")
		}
		if _, err := p.frameSpec(); err != nil {
			return at(err, "frame")
		}
	case FramingModbus:
		if p.Line != nil || p.Lines != nil || p.Frame != nil || p.Records != nil || p.Transforms != nil || p.Modbus == nil {
			return at(errors.New("a modbus-rtu profile needs a modbus section and no line, lines, frame, records or transforms"), "framing")
		}
		if err := p.Modbus.validate(); err != nil {
			return at(err, "modbus")
		}
		for i, e := range p.Modbus.Events {
			p.sources = append(p.sources, &eventSource{e.Event, e.Fields, []string{"modbus", "events", strconv.Itoa(i)}})
		}
	case "ascii-lines", "cpr-binary":
		return at(fmt.Errorf("framing %q is now written as data: framing lines with a line section, or framing binary with a frame section (docs/devices.md, \"Profiles\")", p.Framing), "framing")
	default:
		return at(fmt.Errorf("framing %q: want lines, binary or modbus-rtu", p.Framing), "framing")
	}
	return nil
}

// validateRecords checks the records, names each by its event when not
// named, lists the events they produce, and returns them by name.
func (p *Profile) validateRecords() (map[string]*Record, error) {
	names := map[string]*Record{}
	types := map[int]bool{}
	for i, r := range p.Records {
		idx := strconv.Itoa(i)
		if err := r.validate(p); err != nil {
			return nil, at(err, "records", idx)
		}
		if r.Name == "" {
			r.Name = r.Event
		}
		if r.Name != "" {
			if _, dup := names[r.Name]; dup {
				return nil, at(fmt.Errorf("name %q: two records have it; name them apart", r.Name), "records", idx, "name")
			}
			names[r.Name] = r
		}
		if r.Type != nil {
			if types[*r.Type] {
				return nil, at(fmt.Errorf("type %#02x: two records have it", *r.Type), "records", idx, "type")
			}
			types[*r.Type] = true
		}
		if r.Event != "" {
			p.sources = append(p.sources, &eventSource{r.Event, r.Fields, []string{"records", idx}})
		}
	}
	return names, nil
}

func (pt Port) validate() error {
	switch {
	case pt.Baud < 300 || pt.Baud > 4_000_000:
		return at(fmt.Errorf("baud %d", pt.Baud), "baud")
	case pt.DataBits < 5 || pt.DataBits > 8:
		return at(fmt.Errorf("data_bits %d: want 5 to 8", pt.DataBits), "data_bits")
	case !slices.Contains([]string{"none", "odd", "even", "mark", "space"}, pt.Parity):
		return at(fmt.Errorf("parity %q: want none, odd, even, mark or space", pt.Parity), "parity")
	case pt.StopBits != 1 && pt.StopBits != 2:
		return at(fmt.Errorf("stop_bits %d: want 1 or 2", pt.StopBits), "stop_bits")
	}
	return nil
}

// lineSpec returns the framing of a lines profile, with its defaults.
func (p *Profile) lineSpec() (framing.LineSpec, error) {
	l := p.Line
	s := framing.LineSpec{Start: l.Start, End: l.End, Trim: l.Trim, Between: l.Between, Max: l.Max}
	if s.Max == 0 {
		s.Max = 256
	}
	if l.Checksum != nil {
		s.Checksum = framing.LineChecksum{Algo: framing.Algo(l.Checksum.Algo), Position: l.Checksum.Position, Separator: l.Checksum.Separator}
	}
	if err := s.Check(); err != nil {
		return s, err
	}
	if len(p.Lines) > 0 {
		if l.Separator == "" {
			l.Separator = ","
		}
		if l.Assign == "" {
			l.Assign = "="
		}
	} else if l.Separator != "" || l.Assign != "" {
		return s, at(errors.New("separator and assign split key=value records (lines), not pattern records"), "separator")
	}
	return s, nil
}

// frameSpec returns the framing of a binary profile.
func (p *Profile) frameSpec() (framing.FrameSpec, error) {
	f := p.Frame
	s := framing.FrameSpec{Header: f.Header, Size: f.Size, Max: f.Max}
	if f.Type != nil {
		s.Min = f.Type.Offset + 1
	}
	if f.Checksum == nil {
		return s, at(errors.New("a binary frame needs a checksum (algo none if it truly has none)"), "checksum")
	}
	c := f.Checksum
	s.Checksum = framing.FrameChecksum{Algo: framing.Algo(c.Algo), From: c.From, To: c.To, At: c.At}
	var err error
	if s.Checksum.BigEndian, err = bigEndian(c.Endian); err != nil {
		return s, at(err, "checksum", "endian")
	}
	if l := f.Length; l != nil {
		lf := &framing.LengthField{Offset: l.Offset, Size: l.Size}
		if lf.BigEndian, err = bigEndian(l.Endian); err != nil {
			return s, at(err, "length", "endian")
		}
		csize, _ := s.Checksum.Algo.Size()
		switch l.Counts {
		case "frame":
		case "rest":
			lf.Adjust = l.Offset + l.Size
		case "payload":
			if l.PayloadOffset < l.Offset+l.Size {
				return s, at(errors.New("payload_offset: where the payload starts, after the length field"), "length", "payload_offset")
			}
			lf.Adjust = l.PayloadOffset + csize
		default:
			return s, at(fmt.Errorf("counts %q: want frame, rest or payload", l.Counts), "length", "counts")
		}
		if l.Counts != "payload" && l.PayloadOffset != 0 {
			return s, at(errors.New("payload_offset goes with counts payload"), "length", "payload_offset")
		}
		s.Length = lf
	}
	if err := s.Check(); err != nil {
		return s, err
	}
	if f.Type != nil && (f.Type.Offset < len(f.Header) || f.Type.Offset >= s.MinSize()) {
		return s, at(fmt.Errorf("the type byte comes after the header, inside the shortest frame (%d bytes)", s.MinSize()), "type", "offset")
	}
	for i, r := range p.Records {
		if (r.Type != nil) != (f.Type != nil) {
			return s, at(errors.New("with a type byte in the frame every record names its type, and without one none does"), "type")
		}
		if r.Type != nil && (*r.Type < 0 || *r.Type > 255) {
			return s, at(fmt.Errorf("type %d: a byte", *r.Type), "records", strconv.Itoa(i))
		}
	}
	if f.Type == nil && len(p.Records) > 1 {
		return s, at(errors.New("several records need a type byte to tell them apart"), "type")
	}
	return s, nil
}

func bigEndian(s string) (bool, error) {
	switch s {
	case "", "little":
		return false, nil
	case "big":
		return true, nil
	}
	return false, fmt.Errorf("endian %q: want little or big", s)
}

func (e *LineEvent) validate(p *Profile, tag, clockKey string) error {
	if tag == "" || strings.Trim(tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return fmt.Errorf("tag %q: want upper-case letters and digits", tag)
	}
	if err := validEvent(e.Event, e.Fields); err != nil {
		return err
	}
	keys := map[string]string{}
	for _, name := range slices.Sorted(maps.Keys(e.Fields)) {
		f := e.Fields[name]
		if err := f.validateSource(name, "key", nil); err != nil {
			return at(err, "fields", name)
		}
		if f.Key != "" {
			if f.Key == clockKey {
				return at(fmt.Errorf("key %q is the clock key", f.Key), "fields", name)
			}
			if other, dup := keys[f.Key]; dup {
				return at(fmt.Errorf("key %q also feeds %s", f.Key, other), "fields", name)
			}
			keys[f.Key] = name
		}
	}
	if err := compileExprs(e.Fields, nil, &p.readsPrev); err != nil {
		return err
	}
	e.plan = newPlan(nil, e.Fields)
	return nil
}

func (r *Record) validate(p *Profile) error {
	wire, err := r.validateShape(p)
	if err != nil {
		return err
	}
	if err := r.validateFields(wire); err != nil {
		return err
	}
	all := map[string]*Field{}
	for n, f := range r.Raw {
		all[n] = f
	}
	for n, f := range r.Fields {
		all[n] = f
	}
	if err := compileExprs(all, nil, &p.readsPrev); err != nil {
		if pe := (*pathError)(nil); errors.As(err, &pe) {
			if _, raw := r.Raw[pe.path[0]]; raw {
				return at(err, "raw")
			}
		}
		return at(err, "fields")
	}
	r.plan = newPlan(r.Raw, r.Fields)
	return nil
}

// validateShape checks what the profile's framing asks of a record (a
// line record's pattern, compiled; a binary record's type, size and
// zero bytes) and its event, and returns where its fields are read from
// on the wire: "capture" or "offset".
func (r *Record) validateShape(p *Profile) (wire string, err error) {
	wire = "offset"
	if p.Framing == FramingLines {
		wire = "capture"
		if r.Pattern == "" {
			return "", at(errors.New("a line record has a pattern"), "pattern")
		}
		re, err := regexp.Compile("^(?:" + r.Pattern + ")$")
		if err != nil {
			return "", at(fmt.Errorf("pattern: %w", err), "pattern")
		}
		r.re = re
		r.prefix, _ = regexp.MustCompile(r.Pattern).LiteralPrefix()
		r.fast = compileFast(r.Pattern)
		if r.Type != nil || r.Size != 0 || r.Zero != nil {
			return "", at(errors.New("type, size and zero belong to binary records"), "type")
		}
	} else {
		if r.Pattern != "" {
			return "", at(errors.New("a binary record has a type, not a pattern"), "pattern")
		}
		if r.Size == 0 {
			r.Size = p.Frame.Size // fixed-size frames
		}
	}
	if r.Event != "" {
		if err := validEvent(r.Event, r.Fields); err != nil {
			return "", err
		}
	} else if len(r.Fields) > 0 {
		return "", at(errors.New("fields without an event: put values only transforms use under raw"), "fields")
	}
	for i, z := range r.Zero {
		if z.Offset < 0 || z.Mask < 1 || z.Mask > 255 || r.Size > 0 && z.Offset >= r.Size {
			return "", at(errors.New("zero: an offset inside the frame and a mask of 1 to 255"), "zero", strconv.Itoa(i))
		}
	}
	return wire, nil
}

// validateFields checks each raw value, field and the clock of a record,
// read from wire.
func (r *Record) validateFields(wire string) error {
	caps := map[string]bool{}
	if r.re != nil {
		for _, n := range r.re.SubexpNames() {
			if n != "" {
				caps[n] = true
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Raw)) {
		f := r.Raw[name]
		if f.Unmeasured || f.Output != "" {
			return at(errors.New("a raw value is read from the record or derived"), "raw", name)
		}
		if _, clash := r.Fields[name]; clash {
			return at(fmt.Errorf("%s is also a field", name), "raw", name)
		}
		if err := r.checkField(caps, wire, "raw", name, f); err != nil {
			return err
		}
	}
	for _, name := range slices.Sorted(maps.Keys(r.Fields)) {
		if err := r.checkField(caps, wire, "fields", name, r.Fields[name]); err != nil {
			return err
		}
	}
	if r.Clock != nil {
		if r.Clock.Type == "" {
			r.Clock.Type = "int"
		}
		if err := r.checkField(caps, wire, "clock", "clock", r.Clock); err != nil {
			return err
		}
		if r.Clock.Type != "int" || r.Clock.Const != nil || r.Clock.Expr != "" {
			return at(errors.New("a clock is an int read from the record: milliseconds of device uptime"), "clock")
		}
	}
	return nil
}

// checkField checks one value of a record, in section, against its
// source; a line record's value without one reads the pattern's group
// named as it (caps: the pattern's group names).
func (r *Record) checkField(caps map[string]bool, wire, section, name string, f *Field) error {
	if r.re != nil && f.Capture == "" && f.Key == "" && f.Const == nil && f.Expr == "" && f.Output == "" && !f.Unmeasured {
		f.Capture = name // a group named as the field
	}
	if err := f.validateSource(name, wire, r); err != nil {
		return at(err, section, name)
	}
	if f.Capture != "" {
		if !caps[f.Capture] {
			return at(fmt.Errorf("capture %q: the pattern has no group (?P<%s>...)", f.Capture, f.Capture), section, name)
		}
		f.group = r.re.SubexpIndex(f.Capture)
	}
	return nil
}

// validateSource checks that f has exactly one source, of the kinds the
// place it is in allows (wire: key, capture or offset; r the record, for
// offsets), and a type that suits it.
func (f *Field) validateSource(name, wire string, r *Record) error {
	sources := 0
	for _, set := range []bool{f.Key != "", f.Capture != "", f.Offset != nil, f.Table != "", f.Const != nil, f.Expr != "", f.Output != "", f.Unmeasured} {
		if set {
			sources++
		}
	}
	if sources != 1 {
		return fmt.Errorf("give exactly one of %s, const, expr or unmeasured", wire)
	}
	switch {
	case f.Key != "" && wire != "key", f.Capture != "" && wire != "capture", f.Offset != nil && wire != "offset", f.Table != "":
		return fmt.Errorf("this record is read by %s", wire)
	case f.Output != "" && wire != "output":
		return errors.New("output names a transform's value; this is a record")
	}
	if f.Unmeasured {
		if f.Type != "" || f.Scale != 0 || f.Enum != nil || f.Format != "" {
			return errors.New("an unmeasured field has nothing else: the device cannot measure it")
		}
		return nil
	}
	if err := f.validate(name); err != nil {
		return err
	}
	if f.Offset != nil {
		size, ok := binaryFormats[f.Format]
		if !ok {
			return at(fmt.Errorf("format %q: want u8, i8, u16, i16, u32, i32, ascii or version", f.Format), "format")
		}
		if _, err := bigEndian(f.Endian); err != nil {
			return at(err, "endian")
		}
		if size == 0 {
			size = f.Length
			if f.Length < 1 || f.Format == "ascii" && f.Type != "string" || f.Format == "version" && f.Type != "string" {
				return at(errors.New("ascii and version are strings with a length in bytes"), "length")
			}
		} else if f.Length != 0 {
			return at(errors.New("length goes with format ascii or version"), "length")
		}
		if *f.Offset < 0 || r != nil && r.Size > 0 && *f.Offset+size > r.Size {
			return at(fmt.Errorf("offset %d: the field's %d bytes must lie inside the frame", *f.Offset, size), "offset")
		}
		if f.Type == "strings" {
			return at(errors.New("a binary field is not a list"), "type")
		}
	} else if f.Format != "" || f.Endian != "" || f.Mask != 0 || f.Length != 0 {
		return errors.New("format, endian, mask and length describe binary fields")
	}
	if f.Const != nil {
		if _, err := convert(f.Const, f.Type); err != nil {
			return at(fmt.Errorf("const %v is not a %s", f.Const, f.Type), "const")
		}
	}
	if (f.Min != nil || f.Max != nil) && f.Type != "int" && f.Type != "float" && f.Offset == nil {
		return errors.New("min and max bound numbers")
	}
	return nil
}

// compileExprs compiles the expressions of fields against the names of
// fields (and outputs, for a transform), with prev for the previous
// record's values.
func compileExprs(fields map[string]*Field, outputs map[string]any, readsPrev *bool) error {
	env := map[string]any{"prev": map[string]any{}}
	for n, f := range fields {
		if f.Expr == "" && !f.Unmeasured {
			env[n] = zero(f.Type)
		}
	}
	for n, v := range outputs {
		env[n] = v
	}
	for _, name := range slices.Sorted(maps.Keys(fields)) {
		f := fields[name]
		if f.Expr == "" {
			continue
		}
		prog, err := expr.Compile(f.Expr, expr.Env(env), expr.MaxNodes(200))
		if strings.Contains(f.Expr, "prev") {
			*readsPrev = true
		}
		if err != nil {
			return at(fmt.Errorf("expr: %w", err), name, "expr")
		}
		f.prog = prog
	}
	return nil
}

func zero(typ string) any {
	switch typ {
	case "int":
		return 0
	case "float":
		return 0.0
	case "bool":
		return false
	case "strings":
		return []string{}
	}
	return ""
}

// convert gives v the Go type of the vocabulary type typ: int for int (a
// float is rounded), float64 for float, bool, string, []string.
func convert(v any, typ string) (any, error) {
	switch typ {
	case "int", "float":
		var x float64
		switch n := v.(type) {
		case int:
			x = float64(n)
		case int64:
			x = float64(n)
		case uint64:
			x = float64(n)
		case float64:
			x = n
		default:
			return nil, ErrBadValue
		}
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, ErrBadValue
		}
		if typ == "int" {
			return int(math.Round(x)), nil
		}
		return math.Round(x*1e6) / 1e6, nil
	case "bool":
		b, ok := v.(bool)
		if !ok {
			return nil, ErrBadValue
		}
		return b, nil
	case "string":
		s, ok := v.(string)
		if !ok {
			return nil, ErrBadValue
		}
		return s, nil
	case "strings":
		switch l := v.(type) {
		case []string:
			return l, nil
		case []any:
			out := make([]string, 0, len(l))
			for _, x := range l {
				s, ok := x.(string)
				if !ok {
					return nil, ErrBadValue
				}
				out = append(out, s)
			}
			slices.Sort(out)
			return slices.Compact(out), nil
		}
	}
	return nil, ErrBadValue
}

func (m *ModbusMap) validate() error {
	if m.Slave < 1 || m.Slave > 247 {
		return at(fmt.Errorf("slave %d: want 1 to 247", m.Slave), "slave")
	}
	if m.PollMS < 10 || m.TimeoutMS < 10 {
		return errors.New("poll_ms and timeout_ms must be at least 10")
	}
	if len(m.Events) == 0 {
		return at(errors.New("no events"), "events")
	}
	for i, e := range m.Events {
		idx := strconv.Itoa(i)
		if err := validEvent(e.Event, e.Fields); err != nil {
			return at(err, "events", idx)
		}
		if e.OnConnect && e.Trigger != nil {
			return at(errors.New("an on_connect event is read once per connection and has no trigger"), "events", idx, "on_connect")
		}
		if e.Trigger != nil {
			if e.Trigger.Type == "" {
				e.Trigger.Type = "int"
			}
			if e.Trigger.Type != "int" || e.Trigger.Table == "coil" {
				return at(errors.New("a trigger is a counter: an int in a holding or input register"), "events", idx, "trigger")
			}
			if err := e.Trigger.validateModbus(); err != nil {
				return at(err, "events", idx, "trigger")
			}
		}
		for _, name := range slices.Sorted(maps.Keys(e.Fields)) {
			f := e.Fields[name]
			if f.Const != nil || f.Unmeasured {
				if err := f.validateSource(name, "table", nil); err != nil {
					return at(err, "events", idx, "fields", name)
				}
				continue
			}
			if err := f.validate(name); err != nil {
				return at(err, "events", idx, "fields", name)
			}
			if err := f.validateModbus(); err != nil {
				return at(err, "events", idx, "fields", name)
			}
		}
	}
	for _, name := range slices.Sorted(maps.Keys(m.Controls)) {
		if c := m.Controls[name]; c.Table != "coil" || c.Key != "" || c.Type != "" && c.Type != "bool" {
			return at(errors.New("a control is a coil: table coil and an address"), "controls", name)
		}
	}
	return nil
}

func validEvent(event string, fields map[string]*Field) error {
	if !strings.Contains(event, ".") {
		return at(fmt.Errorf("event %q: want a vocabulary event type such as ext.pin", event), "event")
	}
	if len(fields) == 0 {
		return at(errors.New("no fields"), "fields")
	}
	return nil
}

func (f *Field) validate(name string) error {
	if !slices.Contains(fieldTypes, f.Type) {
		return at(fmt.Errorf("type %q: want one of %v", f.Type, fieldTypes), "type")
	}
	if f.Scale < 0 || f.Scale != 0 && f.Type != "int" && f.Type != "float" {
		return at(errors.New("scale applies to int and float fields and is positive"), "scale")
	}
	if f.Enum != nil && f.Type != "string" {
		return at(errors.New("enum applies to string fields"), "enum")
	}
	for suffix, unit := range unitSuffixes {
		if strings.HasSuffix(name, suffix) && f.Unit != "" && f.Unit != unit {
			return at(fmt.Errorf("unit %q contradicts the field name %s (want %s)", f.Unit, name, unit), "unit")
		}
	}
	return nil
}

func (f *Field) validateModbus() error {
	if f.Key != "" || f.Capture != "" || f.Offset != nil || f.Expr != "" || f.Output != "" {
		return at(errors.New("a modbus field has a table and address, a const, or unmeasured"), "key")
	}
	if (f.Length != 0) != (f.Format == "ascii") {
		return at(errors.New("format ascii needs a length in characters, and only ascii has one"), "length")
	}
	switch f.Table {
	case "coil":
		if f.Format != "" || f.Scale != 0 {
			return at(errors.New("a coil has no format or scale"), "table")
		}
		if f.Type == "strings" {
			if len(f.Terminals) < 2 {
				return at(errors.New("a strings field from coils needs at least two terminals"), "terminals")
			}
			if n := len(f.Terminals); n*(n-1)/2 > 2000 {
				return at(fmt.Errorf("%d terminals need more than 2000 coils", n), "terminals")
			}
			return nil
		}
		if f.Type != "bool" {
			return at(fmt.Errorf("a coil holds a bool, not %s", f.Type), "type")
		}
	case "holding", "input":
		if f.Terminals != nil || f.Type == "strings" {
			return at(errors.New("terminals and strings come from coils"), "table")
		}
		if !slices.Contains([]string{"", "u16", "i16", "u32", "i32", "ascii"}, f.Format) {
			return at(fmt.Errorf("format %q: want u16, i16, u32, i32 or ascii", f.Format), "format")
		}
		if f.Format == "ascii" {
			// A register read is at most 125 registers (MaxRegisters).
			if f.Type != "string" || f.Enum != nil || f.Length < 1 || f.Length > 250 {
				return at(errors.New("an ascii field is a string without enum, 1 to 250 characters long"), "format")
			}
		}
	default:
		return at(fmt.Errorf("table %q: want coil, holding or input", f.Table), "table")
	}
	return nil
}

// Check verifies the profile against a vocabulary: every event type exists,
// every field has the vocabulary's name and type, and every field of the
// vocabulary's event is mapped from the wire, constant, derived or declared
// unmeasured (device.status kind excepted: the driver fills it in). vocab
// maps event type to field name to type; ParseVocabulary reads it from
// standards/vocabulary.yaml. Errors are *Error, naming file and line.
func (p *Profile) Check(vocab map[string]map[string]string) error {
	for _, src := range p.sources {
		want, ok := vocab[src.event]
		if !ok {
			return p.errorAt(at(fmt.Errorf("event %q is not in the vocabulary", src.event), append(slices.Clone(src.path), "event")...))
		}
		for _, name := range slices.Sorted(maps.Keys(src.fields)) {
			f := src.fields[name]
			if name == "kind" && src.event == hardware.TypeStatus {
				return p.errorAt(at(fmt.Errorf("%s.kind is filled in by the driver", src.event), append(slices.Clone(src.path), "fields", name)...))
			}
			typ, ok := want[name]
			if !ok {
				return p.errorAt(at(fmt.Errorf("%s has no field %q", src.event, name), append(slices.Clone(src.path), "fields", name)...))
			}
			if !f.Unmeasured && typ != f.Type {
				return p.errorAt(at(fmt.Errorf("%s field %q of type %s: vocabulary has %q", src.event, name, f.Type, typ), append(slices.Clone(src.path), "fields", name, "type")...))
			}
		}
		for _, name := range slices.Sorted(maps.Keys(want)) {
			if _, ok := src.fields[name]; !ok && !(src.event == hardware.TypeStatus && name == "kind") {
				return p.errorAt(at(fmt.Errorf("%s field %q is neither mapped, constant, derived nor unmeasured", src.event, name), append(slices.Clone(src.path), "fields")...))
			}
		}
	}
	return nil
}

// Unmeasured returns the fields of event the device cannot measure, as
// its profile declares them, sorted: a station refuses an item whose
// standard relies on one (unavailable is never scored as 0 or as perfect).
func (p *Profile) Unmeasured(event string) []string {
	var out []string
	for _, src := range p.sources {
		if src.event != event {
			continue
		}
		for name, f := range src.fields {
			if f.Unmeasured {
				out = append(out, name)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}
