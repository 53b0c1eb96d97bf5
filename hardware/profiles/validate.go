package profiles

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"shicao/hardware"
)

// fieldTypes are the vocabulary's field types.
var fieldTypes = []string{"int", "float", "bool", "string", "strings"}

// unitSuffixes maps the unit suffixes of vocabulary field names
// (standards/vocabulary.yaml) to the unit a profile must state for them.
var unitSuffixes = map[string]string{
	"_mm": "mm", "_ml": "ml", "_m": "m", "_mpa": "MPa", "_pct": "%", "_lpm": "L/min",
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
	switch p.Framing {
	case FramingCPR:
		if p.Lines != nil || p.Modbus != nil {
			return at(errors.New("a cpr-binary profile has no lines or modbus section: its records are fixed"), "framing")
		}
	case FramingLines:
		if p.Modbus != nil || len(p.Lines) == 0 {
			return at(errors.New("an ascii-lines profile needs lines and no modbus section"), "framing")
		}
		for _, tag := range sortedKeys(p.Lines) {
			if err := p.Lines[tag].validate(tag, p.ClockKey); err != nil {
				return at(err, "lines", tag)
			}
		}
	case FramingModbus:
		if p.Lines != nil || p.Modbus == nil {
			return at(errors.New("a modbus-rtu profile needs a modbus section and no lines"), "framing")
		}
		if err := p.Modbus.validate(); err != nil {
			return at(err, "modbus")
		}
	default:
		return at(fmt.Errorf("framing %q: want cpr-binary, ascii-lines or modbus-rtu", p.Framing), "framing")
	}
	return nil
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

func (e *LineEvent) validate(tag, clockKey string) error {
	if tag == "" || strings.Trim(tag, "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") != "" {
		return fmt.Errorf("tag %q: want upper-case letters and digits", tag)
	}
	if err := validEvent(e.Event, e.Fields); err != nil {
		return err
	}
	keys := map[string]string{}
	for _, name := range sortedKeys(e.Fields) {
		f := e.Fields[name]
		if f.Key == "" || f.Table != "" || f.Format != "" || f.Terminals != nil || f.Length != 0 {
			return at(errors.New("an ascii-lines field has a key and no table, format, length or terminals"), "fields", name)
		}
		if f.Key == clockKey {
			return at(fmt.Errorf("key %q is the clock key", f.Key), "fields", name)
		}
		if other, dup := keys[f.Key]; dup {
			return at(fmt.Errorf("key %q also feeds %s", f.Key, other), "fields", name)
		}
		keys[f.Key] = name
		if err := f.validate(name); err != nil {
			return at(err, "fields", name)
		}
	}
	return nil
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
		for _, name := range sortedKeys(e.Fields) {
			f := e.Fields[name]
			if err := f.validate(name); err != nil {
				return at(err, "events", idx, "fields", name)
			}
			if err := f.validateModbus(); err != nil {
				return at(err, "events", idx, "fields", name)
			}
		}
	}
	for _, name := range sortedKeys(m.Controls) {
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
	if f.Key != "" {
		return at(errors.New("a modbus field has a table and address, not a key"), "key")
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

// Check verifies the profile against a vocabulary: every event type exists
// and every field has the vocabulary's name and type. vocab maps event
// type to field name to type; ParseVocabulary reads it from
// standards/vocabulary.yaml.
func (p *Profile) Check(vocab map[string]map[string]string) error {
	check := func(event string, fields map[string]*Field) error {
		want, ok := vocab[event]
		if !ok {
			return fmt.Errorf("profile %s: event %q is not in the vocabulary", p.Name, event)
		}
		for name, f := range fields {
			if name == "kind" && event == hardware.TypeStatus {
				return fmt.Errorf("profile %s: %s.kind is filled in by the driver", p.Name, event)
			}
			if typ, ok := want[name]; !ok || typ != f.Type {
				return fmt.Errorf("profile %s: %s field %q of type %s: vocabulary has %q", p.Name, event, name, f.Type, typ)
			}
		}
		for name := range want {
			if _, ok := fields[name]; !ok && !(event == hardware.TypeStatus && name == "kind") {
				return fmt.Errorf("profile %s: %s field %q missing", p.Name, event, name)
			}
		}
		return nil
	}
	for _, tag := range sortedKeys(p.Lines) {
		if err := check(p.Lines[tag].Event, p.Lines[tag].Fields); err != nil {
			return err
		}
	}
	if p.Modbus != nil {
		for _, e := range p.Modbus.Events {
			if err := check(e.Event, e.Fields); err != nil {
				return err
			}
		}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
