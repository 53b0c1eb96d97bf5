package standards

import (
	"bytes"
	_ "embed"
	"fmt"
	"reflect"
	"slices"
	"sort"
	"sync"

	"go.yaml.in/yaml/v3"
)

//go:embed vocabulary.yaml
var vocabularyYAML []byte

// FieldType is the type of one field of an event's data.
type FieldType string

// The field types of the event vocabulary.
const (
	FieldInt     FieldType = "int"
	FieldFloat   FieldType = "float"
	FieldBool    FieldType = "bool"
	FieldString  FieldType = "string"
	FieldStrings FieldType = "strings"
)

// EventType describes one type of event: who emits it and its data fields.
type EventType struct {
	Name   string
	Device string // device kind that emits it; empty for system events
	Fields []Field
	record reflect.Type
}

// Field is one named, typed field of an event's data.
type Field struct {
	Name string
	Type FieldType
}

// Vocabulary is the set of event types the standards may refer to. It is
// data (vocabulary.yaml), so a new device's events need no Go code.
type Vocabulary struct {
	Types   map[string]*EventType
	Devices map[string]string // device kind -> its title
	// Doc is the signed vocabulary document that extended the built-in
	// base into this vocabulary (Extend), nil for the base itself.
	Doc *VocabularyDoc
}

var (
	vocabOnce sync.Once
	vocab     *Vocabulary
	vocabErr  error
)

// DefaultVocabulary returns the embedded vocabulary.
func DefaultVocabulary() *Vocabulary {
	vocabOnce.Do(func() { vocab, vocabErr = ParseVocabulary(vocabularyYAML) })
	if vocabErr != nil {
		panic(fmt.Sprintf("standards: embedded vocabulary.yaml: %v", vocabErr))
	}
	return vocab
}

// ParseVocabulary reads a vocabulary document.
func ParseVocabulary(data []byte) (*Vocabulary, error) {
	var doc struct {
		Devices map[string]struct {
			Title  string                       `yaml:"title"`
			Events map[string]map[string]string `yaml:"events"`
		} `yaml:"devices"`
		System map[string]map[string]string `yaml:"system"`
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&doc); err != nil {
		return nil, fmt.Errorf("parse vocabulary: %w", err)
	}
	v := &Vocabulary{Types: map[string]*EventType{}, Devices: map[string]string{}}
	add := func(name, device string, fields map[string]string) error {
		if _, dup := v.Types[name]; dup {
			return fmt.Errorf("event type %q defined twice", name)
		}
		et := &EventType{Name: name, Device: device}
		for fname, ftype := range fields {
			switch t := FieldType(ftype); t {
			case FieldInt, FieldFloat, FieldBool, FieldString, FieldStrings:
				et.Fields = append(et.Fields, Field{fname, t})
			default:
				return fmt.Errorf("event type %q field %q: unknown type %q", name, fname, ftype)
			}
			if fname == "seq" || fname == "t_ms" {
				return fmt.Errorf("event type %q: field %q is reserved", name, fname)
			}
		}
		sort.Slice(et.Fields, func(i, j int) bool { return et.Fields[i].Name < et.Fields[j].Name })
		et.record = recordType(et.Fields)
		v.Types[name] = et
		return nil
	}
	for kind, d := range doc.Devices {
		v.Devices[kind] = d.Title
		for name, fields := range d.Events {
			if err := add(name, kind, fields); err != nil {
				return nil, err
			}
		}
	}
	for name, fields := range doc.System {
		if err := add(name, "", fields); err != nil {
			return nil, err
		}
	}
	return v, nil
}

// DeviceKinds returns the device kinds in order.
func (v *Vocabulary) DeviceKinds() []string {
	kinds := make([]string, 0, len(v.Devices))
	for k := range v.Devices {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	return kinds
}

// Field returns the named field of the event type, or false.
func (et *EventType) Field(name string) (Field, bool) {
	for _, f := range et.Fields {
		if f.Name == name {
			return f, true
		}
	}
	return Field{}, false
}

// recordType builds the Go struct an expression sees for one event type:
// seq and t_ms, then the data fields. Building it with reflect.StructOf from
// the vocabulary lets expr type-check `.depth_mm` at load time (a typo is a
// load error, not a wrong score) and keeps each event to a few words of
// memory instead of a map.
func recordType(fields []Field) reflect.Type {
	sf := []reflect.StructField{
		{Name: "Seq", Type: reflect.TypeFor[int](), Tag: `expr:"seq" json:"-"`},
		{Name: "T", Type: reflect.TypeFor[int](), Tag: `expr:"t_ms" json:"-"`},
	}
	for i, f := range fields {
		var t reflect.Type
		switch f.Type {
		case FieldInt:
			t = reflect.TypeFor[int]()
		case FieldFloat:
			t = reflect.TypeFor[float64]()
		case FieldBool:
			t = reflect.TypeFor[bool]()
		case FieldString:
			t = reflect.TypeFor[string]()
		case FieldStrings:
			t = reflect.TypeFor[[]string]()
		}
		sf = append(sf, reflect.StructField{
			Name: fmt.Sprintf("F%d", i),
			Type: t,
			Tag:  reflect.StructTag(fmt.Sprintf(`expr:%q json:%q`, f.Name, f.Name)),
		})
	}
	return reflect.StructOf(sf)
}
