package profiles

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/expr-lang/expr/vm"
	"go.yaml.in/yaml/v3"

	"shicao/hardware"
)

//go:embed *.yaml captures
var embedded embed.FS

// Framing is a wire family.
type Framing string

// The wire families (docs/devices.md, "Profiles").
const (
	// FramingLines is text records between delimiters, mapped by tag and
	// key=value pairs (lines) or by a pattern with named captures
	// (records).
	FramingLines Framing = "lines"
	// FramingBinary is binary frames with a header, a length, a type byte
	// and a checksum, mapped by fields at offsets (records).
	FramingBinary Framing = "binary"
	// FramingModbus is Modbus RTU registers polled by the station.
	FramingModbus Framing = "modbus-rtu"
)

// Profile is one equipment model.
type Profile struct {
	Name    string        `yaml:"-"` // the file name without .yaml
	File    string        `yaml:"-"` // the file it was read from, for messages
	Kind    hardware.Kind `yaml:"kind"`
	Model   string        `yaml:"model"`
	Vendor  string        `yaml:"vendor"`
	Framing Framing       `yaml:"framing"`
	Port    Port          `yaml:"port"`

	// Line is how text records are delimited and checked (framing lines).
	Line *LineFraming `yaml:"line"`
	// Lines maps each tag of a key=value line model to its event.
	Lines map[string]*LineEvent `yaml:"lines"`
	// ClockKey, for a key=value line model, is the key that carries the
	// device's uptime in milliseconds on every line, if it sends one.
	ClockKey string `yaml:"clock_key"`

	// Frame is how binary frames are found and checked (framing binary).
	Frame *FrameFraming `yaml:"frame"`

	// Records are the records of a pattern line model or a binary model,
	// tried in order.
	Records []*Record `yaml:"records"`

	// Transforms derive events from the stream of records (a compression
	// detector over raw depth samples, counters, rate windows).
	Transforms []*Transform `yaml:"transforms"`

	// Modbus is the register map of a modbus-rtu model.
	Modbus *ModbusMap `yaml:"modbus"`

	// Captures are recorded bytes and the events they must give: a
	// profile whose captures fail is refused (docs/devices.md).
	Captures []*Capture `yaml:"captures"`

	root    *yaml.Node     // the document, for the line of a problem
	fsys    fs.FS          // where capture files are read from
	sources []*eventSource // every producer of events, for Check and Unmeasured

	readsPrev bool // some expression reads prev: keep each record's values
}

// Port is the serial line's settings.
type Port struct {
	Baud     int    `yaml:"baud"`
	DataBits int    `yaml:"data_bits"`
	Parity   string `yaml:"parity"` // none, odd, even, mark, space
	StopBits int    `yaml:"stop_bits"`
}

// LineFraming delimits text records (framing.LineSpec as data).
type LineFraming struct {
	Start    string        `yaml:"start"`
	End      string        `yaml:"end"`
	Trim     string        `yaml:"trim"`
	Between  string        `yaml:"between"`
	Max      int           `yaml:"max"`
	Checksum *LineChecksum `yaml:"checksum"`
	// Separator and Assign, for key=value records (lines): the body is
	// TAG, then key=value pairs, split by Separator (default ",") and
	// Assign (default "=").
	Separator string `yaml:"separator"`
	Assign    string `yaml:"assign"`
}

// LineChecksum is a checksum carried as hex digits in a text record, at
// its start or its end, apart from the body by a separator
// (framing.LineChecksum).
type LineChecksum struct {
	Algo      string `yaml:"algo"`
	Position  string `yaml:"position"` // end (default) or start
	Separator string `yaml:"separator"`
}

// FrameFraming declares binary frames (framing.FrameSpec as data).
type FrameFraming struct {
	Header []byte       `yaml:"header"`
	Size   int          `yaml:"size"` // every frame's length, when there is no length field
	Length *LengthField `yaml:"length"`
	Max    int          `yaml:"max"` // the longest frame, with a length field
	// Type is where the record type byte is.
	Type     *TypeField     `yaml:"type"`
	Checksum *FrameChecksum `yaml:"checksum"`
}

// LengthField is a frame's length field.
type LengthField struct {
	Offset int    `yaml:"offset"`
	Size   int    `yaml:"size"`   // 1, 2 or 4
	Endian string `yaml:"endian"` // little (default) or big
	// Counts is what the value counts: frame (the whole frame), rest
	// (every byte after the field) or payload (the bytes from
	// payload_offset to the checksum).
	Counts        string `yaml:"counts"`
	PayloadOffset int    `yaml:"payload_offset"`
}

// TypeField is where a frame's record type is.
type TypeField struct {
	Offset int `yaml:"offset"`
}

// FrameChecksum is a checksum over [from, to) at at; negative offsets
// count from the end of the frame.
type FrameChecksum struct {
	Algo   string `yaml:"algo"`
	From   int    `yaml:"from"`
	To     int    `yaml:"to"`
	At     int    `yaml:"at"`
	Endian string `yaml:"endian"`
}

// LineEvent is the event one tag produces.
type LineEvent struct {
	Event  string            `yaml:"event"`
	Fields map[string]*Field `yaml:"fields"`

	plan *plan
}

// Record is one kind of record of a pattern line model or a binary
// model, and the event it gives.
type Record struct {
	// Name lets transforms refer to the record (default: its event).
	Name string `yaml:"name"`
	// Pattern, for a line model, is a regular expression the whole record
	// (or its checksummed body) must match; its named groups are the
	// captures fields read.
	Pattern string `yaml:"pattern"`
	// Type, for a binary model, is the record type byte.
	Type *int `yaml:"type"`
	// Size, for a binary model, is the frame length this type must have
	// (0: any).
	Size int `yaml:"size"`
	// Zero lists bits that must be clear (undefined flag bits): a frame
	// with one set is refused rather than guessed at.
	Zero []ZeroBits `yaml:"zero"`
	// Event is the vocabulary event the record gives; empty when only
	// transforms use the record.
	Event string `yaml:"event"`
	// Clock, if set, is the device's uptime in milliseconds.
	Clock *Field `yaml:"clock"`
	// Raw are values read from the record for derived fields and
	// transforms, not emitted.
	Raw map[string]*Field `yaml:"raw"`
	// Fields are the event's fields.
	Fields map[string]*Field `yaml:"fields"`

	re     *regexp.Regexp
	fast   *fastPattern // re without the regexp machine, when simple
	prefix string       // the pattern's literal prefix, to skip the regexp
	plan   *plan
}

// ZeroBits names bits of one byte that must be clear.
type ZeroBits struct {
	Offset int `yaml:"offset"`
	Mask   int `yaml:"mask"`
}

// Field says where a vocabulary field comes from and how to convert it.
// Exactly one source: Key (key=value lines), Capture (a pattern's group,
// by default the field's own name), Offset (binary), Table (modbus-rtu),
// Const, Expr (derived from the record's other values and the previous
// record's, as prev.NAME), Output (a transform's) or Unmeasured (the
// device cannot measure it: the field is absent from its events and a
// station can refuse an item that needs it).
type Field struct {
	Key     string  `yaml:"key"`
	Capture string  `yaml:"capture"`
	Offset  *int    `yaml:"offset"`
	Endian  string  `yaml:"endian"`  // binary: little (default) or big
	Mask    uint32  `yaml:"mask"`    // binary: bits used, shifted down
	Table   string  `yaml:"table"`   // coil, holding, input
	Address uint16  `yaml:"address"` // first coil or register
	Format  string  `yaml:"format"`  // u8 i8 u16 i16 u32 i32, ascii (NUL-padded text), version (bytes as a.b.c)
	Type    string  `yaml:"type"`    // int, float, bool, string, strings
	Scale   float64 `yaml:"scale"`   // field = wire value × scale; 0 means 1
	Unit    string  `yaml:"unit"`    // the unit after scaling; must agree with the field name
	// Min and Max bound the wire value; outside them the record is refused.
	Min *float64 `yaml:"min"`
	Max *float64 `yaml:"max"`
	// Enum maps wire values to the vocabulary's words for string fields.
	Enum map[string]string `yaml:"enum"`
	// Terminals, for a strings field read from coils, names the terminals
	// of a continuity matrix: one coil per pair (i<j) in row order.
	Terminals []string `yaml:"terminals"`
	// Length, for format ascii, is its size in characters (on Modbus two
	// per register, high byte first); for format version, its bytes.
	Length int `yaml:"length"`

	Const      any    `yaml:"const"`
	Expr       string `yaml:"expr"`
	Output     string `yaml:"output"`
	Unmeasured bool   `yaml:"unmeasured"`

	prog  *vm.Program
	group int // the index of Capture in the record's pattern
}

// ModbusMap is how to poll a modbus-rtu model.
type ModbusMap struct {
	Slave     byte           `yaml:"slave"`
	PollMS    int            `yaml:"poll_ms"`
	TimeoutMS int            `yaml:"timeout_ms"`
	Events    []*ModbusEvent `yaml:"events"`
	// Controls are coils the station writes, by name ("power_enable").
	Controls map[string]*Field `yaml:"controls"`
}

// ModbusEvent is an event read from registers. Without a trigger it is
// emitted whenever its fields' values change (and on the first poll); with
// one, whenever the trigger register changes — a counter the device bumps
// on each occurrence, so two equal breaths are two events. An OnConnect
// event (the device's provenance, device.status) is read and emitted once
// per connection: what cannot change while the cable is in is not worth
// its bytes on every poll.
type ModbusEvent struct {
	Event     string            `yaml:"event"`
	Trigger   *Field            `yaml:"trigger"`
	OnConnect bool              `yaml:"on_connect"`
	Fields    map[string]*Field `yaml:"fields"`
}

// Names returns the names of the embedded profiles, sorted.
func Names() []string {
	entries, _ := fs.ReadDir(embedded, ".")
	var names []string
	for _, e := range entries {
		if name, ok := strings.CutSuffix(e.Name(), ".yaml"); ok {
			names = append(names, name)
		}
	}
	return names
}

// Load returns the embedded profile name ("cpr", "extinguisher"...),
// its captures checked.
func Load(name string) (*Profile, error) {
	data, err := embedded.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("load profile %q: no such profile (have %s)", name, strings.Join(Names(), ", "))
	}
	return parse(name+".yaml", data, embedded, true)
}

// ForKind returns the embedded profile of the reference device of kind.
func ForKind(kind hardware.Kind) (*Profile, error) { return Load(string(kind)) }

// Parse reads a profile and runs its test captures, whose files are read
// relative to file's directory. file names it in errors, which give the
// line: "profile FILE:LINE: FIELD: message". A profile whose captures do
// not give the events they list is refused with a *CaptureError.
func Parse(file string, data []byte) (*Profile, error) {
	return parse(file, data, os.DirFS(filepath.Dir(file)), true)
}

// ParseUntested is Parse without running the captures, for `shicao device
// test`, which runs them itself and reports each.
func ParseUntested(file string, data []byte) (*Profile, error) {
	return parse(file, data, os.DirFS(filepath.Dir(file)), false)
}

// LoadUntested is Load without running the captures.
func LoadUntested(name string) (*Profile, error) {
	data, err := embedded.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("load profile %q: no such profile (have %s)", name, strings.Join(Names(), ", "))
	}
	return parse(name+".yaml", data, embedded, false)
}

func parse(file string, data []byte, fsys fs.FS, test bool) (*Profile, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("profile %s: %w", file, err)
	}
	if len(root.Content) == 0 {
		return nil, fmt.Errorf("profile %s: empty", file)
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	p := Profile{File: file, root: &root, fsys: fsys}
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("profile %s: empty", file)
		}
		var te *yaml.TypeError
		if errors.As(err, &te) && len(te.Errors) > 0 {
			return nil, p.typeError(te.Errors[0])
		}
		return nil, fmt.Errorf("profile %s: %w", file, err)
	}
	p.Name = strings.TrimSuffix(path.Base(file), ".yaml")
	if err := p.validate(); err != nil {
		return nil, p.errorAt(err)
	}
	if test {
		if err := p.Verify(); err != nil {
			return nil, err
		}
	}
	return &p, nil
}

// errorAt formats err as "profile FILE:LINE: PATH: message" when it
// carries a path.
func (p *Profile) errorAt(err error) error {
	var pe *pathError
	if errors.As(err, &pe) {
		return &Error{File: p.File, Line: lineOf(p.root, pe.path), Field: strings.Join(pe.path, "."), Err: pe.err}
	}
	return fmt.Errorf("profile %s: %w", p.File, err)
}

// Error is a problem at a line of a profile file.
type Error struct {
	File  string
	Line  int
	Field string // the path of keys, "records.0.fields.depth_mm.type"
	Err   error
}

func (e *Error) Error() string {
	if e.Field == "" {
		return fmt.Sprintf("profile %s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("profile %s:%d: %s: %v", e.File, e.Line, e.Field, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// typeError turns one of yaml's messages ("line 5: field colour not found
// in type profiles.Profile", "line 9: cannot unmarshal !!str `x` into
// int") into an *Error naming the field, without Go's type names.
func (p *Profile) typeError(msg string) error {
	var line int
	rest := msg
	if n, err := fmt.Sscanf(msg, "line %d:", &line); n == 1 && err == nil {
		_, rest, _ = strings.Cut(msg, ": ")
	}
	if name, ok := strings.CutPrefix(rest, "field "); ok {
		name, _, _ = strings.Cut(name, " not found")
		return &Error{File: p.File, Line: line, Field: strings.Join(pathAt(p.root, line, name, ""), "."), Err: errors.New("unknown field")}
	}
	if i := strings.Index(rest, " into "); i >= 0 && strings.HasPrefix(rest, "cannot unmarshal ") {
		what := strings.TrimPrefix(rest[:i], "cannot unmarshal ")
		if _, v, ok := strings.Cut(what, " "); ok {
			what = v
		}
		want := rest[i+len(" into "):]
		if j := strings.LastIndex(want, "."); j >= 0 {
			want = want[j+1:]
		}
		value := strings.Trim(what, "`")
		return &Error{File: p.File, Line: line, Field: strings.Join(pathAt(p.root, line, "", value), "."), Err: fmt.Errorf("%s is not a valid %s", what, strings.ToLower(want))}
	}
	return fmt.Errorf("profile %s:%d: %s", p.File, line, rest)
}

// pathAt returns the path of keys to the node at line: the key named key
// there, or (key "") the value value there.
func pathAt(n *yaml.Node, line int, key, value string) []string {
	var walk func(n *yaml.Node, path []string) []string
	walk = func(n *yaml.Node, path []string) []string {
		switch n.Kind {
		case yaml.DocumentNode:
			for _, c := range n.Content {
				if r := walk(c, path); r != nil {
					return r
				}
			}
		case yaml.MappingNode:
			for i := 0; i+1 < len(n.Content); i += 2 {
				k, v := n.Content[i], n.Content[i+1]
				p := append(slices.Clone(path), k.Value)
				if k.Line == line && (key == "" && v.Kind == yaml.ScalarNode && v.Line == line && v.Value == value || key != "" && k.Value == key) {
					return p
				}
				if r := walk(v, p); r != nil {
					return r
				}
			}
		case yaml.SequenceNode:
			for i, c := range n.Content {
				p := append(slices.Clone(path), strconv.Itoa(i))
				if key == "" && c.Kind == yaml.ScalarNode && c.Line == line && c.Value == value {
					return p
				}
				if r := walk(c, p); r != nil {
					return r
				}
			}
		}
		return nil
	}
	if r := walk(n, nil); r != nil {
		return r
	}
	return nil // not under a key: the document itself (Error leaves the field out)
}

// pathError is a validation error at a path of keys in the document.
type pathError struct {
	path []string
	err  error
}

func (e *pathError) Error() string { return strings.Join(e.path, ".") + ": " + e.err.Error() }

func at(err error, path ...string) error {
	if err == nil {
		return nil
	}
	var pe *pathError
	if errors.As(err, &pe) {
		return &pathError{append(slices.Clone(path), pe.path...), pe.err}
	}
	return &pathError{path, err}
}

// lineOf follows path (map keys, or decimal indexes into sequences) as far
// as it goes and returns the line reached.
func lineOf(n *yaml.Node, path []string) int {
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	keyLine := 0 // the line of the key the last step followed, if a key
	for _, key := range path {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					keyLine = n.Content[i].Line
					n, found = n.Content[i+1], true
					if n.Kind == yaml.ScalarNode {
						return n.Line
					}
					break
				}
			}
			if !found {
				return n.Line
			}
		case yaml.SequenceNode:
			var i int
			if _, err := fmt.Sscan(key, &i); err != nil || i >= len(n.Content) {
				return n.Line
			}
			n, keyLine = n.Content[i], 0
		}
	}
	if keyLine > 0 {
		return keyLine // a section: where its key is written
	}
	return n.Line
}
