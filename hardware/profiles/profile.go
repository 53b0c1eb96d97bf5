package profiles

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"shicao/hardware"
)

//go:embed *.yaml
var embedded embed.FS

// Framing is a wire family.
type Framing string

// The wire families (DESIGN.md, "Equipment").
const (
	FramingCPR    Framing = "cpr-binary"
	FramingLines  Framing = "ascii-lines"
	FramingModbus Framing = "modbus-rtu"
)

// Profile is one equipment model.
type Profile struct {
	Name    string        `yaml:"-"` // the file name without .yaml
	Kind    hardware.Kind `yaml:"kind"`
	Model   string        `yaml:"model"`
	Vendor  string        `yaml:"vendor"`
	Framing Framing       `yaml:"framing"`
	Port    Port          `yaml:"port"`

	// Lines maps each tag of an ascii-lines model to its event.
	Lines map[string]*LineEvent `yaml:"lines"`
	// ClockKey, for an ascii-lines model, is the key that carries the
	// device's uptime in milliseconds on every line, if it sends one.
	ClockKey string `yaml:"clock_key"`

	// Modbus is the register map of a modbus-rtu model.
	Modbus *ModbusMap `yaml:"modbus"`
}

// Port is the serial line's settings.
type Port struct {
	Baud     int    `yaml:"baud"`
	DataBits int    `yaml:"data_bits"`
	Parity   string `yaml:"parity"` // none, odd, even, mark, space
	StopBits int    `yaml:"stop_bits"`
}

// LineEvent is the event one tag produces.
type LineEvent struct {
	Event  string            `yaml:"event"`
	Fields map[string]*Field `yaml:"fields"`
}

// Field says where a vocabulary field comes from on the wire and how to
// convert it. Key is used by ascii-lines; Table, Address and Format by
// modbus-rtu.
type Field struct {
	Key     string  `yaml:"key"`
	Table   string  `yaml:"table"`   // coil, holding, input
	Address uint16  `yaml:"address"` // first coil or register
	Format  string  `yaml:"format"`  // registers: u16 (default), i16, u32, i32 (high word first), ascii
	Type    string  `yaml:"type"`    // int, float, bool, string, strings
	Scale   float64 `yaml:"scale"`   // field = wire value × scale; 0 means 1
	Unit    string  `yaml:"unit"`    // the unit after scaling; must agree with the field name
	// Enum maps wire values to the vocabulary's words for string fields.
	Enum map[string]string `yaml:"enum"`
	// Terminals, for a strings field read from coils, names the terminals
	// of a continuity matrix: one coil per pair (i<j) in row order.
	Terminals []string `yaml:"terminals"`
	// Length, for a string field of format ascii, is its size in
	// characters: two per register, high byte first, NUL-padded.
	Length int `yaml:"length"`
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
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	return names
}

// Load returns the embedded profile name ("cpr", "extinguisher"...).
func Load(name string) (*Profile, error) {
	data, err := embedded.ReadFile(name + ".yaml")
	if err != nil {
		return nil, fmt.Errorf("load profile %q: no such profile (have %s)", name, strings.Join(Names(), ", "))
	}
	return Parse(name+".yaml", data)
}

// ForKind returns the embedded profile of the reference device of kind.
func ForKind(kind hardware.Kind) (*Profile, error) { return Load(string(kind)) }

// Parse reads a profile. file names it in errors, which give the line.
func Parse(file string, data []byte) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("profile %s: empty", file)
		}
		return nil, fmt.Errorf("profile %s: %w", file, err)
	}
	var root yaml.Node
	_ = yaml.Unmarshal(data, &root) // decoded once already: cannot fail
	p.Name = strings.TrimSuffix(path.Base(file), ".yaml")
	if err := p.validate(); err != nil {
		var pe *pathError
		if errors.As(err, &pe) {
			return nil, fmt.Errorf("profile %s:%d: %s: %w", file, lineOf(&root, pe.path), strings.Join(pe.path, "."), pe.err)
		}
		return nil, fmt.Errorf("profile %s: %w", file, err)
	}
	return &p, nil
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
	for _, key := range path {
		switch n.Kind {
		case yaml.MappingNode:
			found := false
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
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
			n = n.Content[i]
		}
	}
	return n.Line
}
