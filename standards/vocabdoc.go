package standards

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"sort"

	"go.yaml.in/yaml/v3"
)

// A vocabulary document brings new device kinds and event types to
// stations and the centre as data: a province-signed note (the same keys
// and threshold as standards) whose text is a vocabulary in the format of
// vocabulary.yaml with a version:
//
//	version: 2
//	devices:
//	  aed:
//	    title: 除颤仪训练机
//	    events:
//	      aed.shock: {joules: int}
//
// The built-in vocabulary.yaml is version 1, the base. A document may only
// add: device kinds, event types, fields of an event type; it never
// changes or removes one, so every standard valid before stays valid and
// every log scores the same. It names only what it adds (or repeats what
// it keeps, unchanged).

// BaseVocabularyVersion is the version of the built-in vocabulary.
const BaseVocabularyVersion = 1

// VocabularyDoc is a parsed vocabulary document: its version and the
// vocabulary it describes on its own.
type VocabularyDoc struct {
	Version int
	Vocab   *Vocabulary
	Source  []byte // the signed bytes
	// SHA256 is the hex SHA-256 of the document's text (without its
	// signatures), as a standard's is of its text: a result names the
	// vocabulary its standards were checked against by version and hash.
	SHA256 string
}

// OpenVocabulary verifies a signed vocabulary document with the
// province's keys and parses it.
func OpenVocabulary(signed []byte, trust *Trust) (*VocabularyDoc, error) {
	op, err := trust.Open(signed)
	if err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	return ReadVocabulary(op.Text, signed)
}

// ReadVocabulary parses a vocabulary document's text (verified before,
// when it was installed); signed is kept as its Source.
func ReadVocabulary(text, signed []byte) (*VocabularyDoc, error) {
	op := struct{ Text []byte }{text}
	var head struct {
		Version int `yaml:"version"`
	}
	if err := yaml.Unmarshal(op.Text, &head); err != nil {
		return nil, fmt.Errorf("vocabulary: %w", err)
	}
	if head.Version <= BaseVocabularyVersion {
		return nil, fmt.Errorf("vocabulary: version %d: a vocabulary document is version %d or later (%d is the built-in base)", head.Version, BaseVocabularyVersion+1, BaseVocabularyVersion)
	}
	// The version line is the document's; the rest is vocabulary.yaml's format.
	body := bytes.Replace(op.Text, []byte(fmt.Sprintf("version: %d\n", head.Version)), nil, 1)
	v, err := ParseVocabulary(body)
	if err != nil {
		return nil, fmt.Errorf("vocabulary version %d: %w", head.Version, err)
	}
	sum := sha256.Sum256(text)
	return &VocabularyDoc{Version: head.Version, Vocab: v, Source: signed, SHA256: hex.EncodeToString(sum[:])}, nil
}

// Extend returns base with the document's additions, or an error naming
// what it would change (CheckVocabularyVersion says whether the version
// may be installed at all).
func (base *Vocabulary) Extend(d *VocabularyDoc) (*Vocabulary, error) {
	out := &Vocabulary{Types: make(map[string]*EventType, len(base.Types)), Devices: make(map[string]string, len(base.Devices)), Doc: d}
	for k, t := range base.Devices {
		out.Devices[k] = t
	}
	for k, t := range base.Types {
		out.Types[k] = t
	}
	for k, t := range d.Vocab.Devices {
		if old, ok := base.Devices[k]; ok && old != t {
			return nil, fmt.Errorf("vocabulary version %d: device %s: title %q changes %q: a vocabulary document may only add", d.Version, k, t, old)
		}
		out.Devices[k] = t
	}
	for name, nt := range d.Vocab.Types {
		old, ok := base.Types[name]
		if !ok {
			out.Types[name] = nt
			continue
		}
		if old.Device != nt.Device {
			return nil, fmt.Errorf("vocabulary version %d: event type %s: device %q changes %q: a vocabulary document may only add", d.Version, name, nt.Device, old.Device)
		}
		merged := &EventType{Name: name, Device: old.Device, Fields: append([]Field(nil), old.Fields...)}
		for _, f := range nt.Fields {
			i := fieldIndex(old.Fields, f.Name)
			switch {
			case i < 0:
				merged.Fields = append(merged.Fields, f)
			case old.Fields[i].Type != f.Type:
				return nil, fmt.Errorf("vocabulary version %d: %s.%s: type %s changes %s: a vocabulary document may only add", d.Version, name, f.Name, f.Type, old.Fields[i].Type)
			}
		}
		sortFields(merged.Fields)
		merged.record = recordType(merged.Fields)
		out.Types[name] = merged
	}
	return out, nil
}

func fieldIndex(fs []Field, name string) int {
	for i, f := range fs {
		if f.Name == name {
			return i
		}
	}
	return -1
}

// CheckVocabularyVersion says whether a document of version next may be
// installed over the installed version held (its bytes heldBytes):
// ErrInstalled for the same bytes again, ErrEquivocation for other bytes
// at the same version, ErrRollback for an older version.
func CheckVocabularyVersion(held int, heldBytes []byte, next *VocabularyDoc) error {
	switch {
	case next.Version == held && bytes.Equal(heldBytes, next.Source):
		return fmt.Errorf("vocabulary version %d: %w", held, ErrInstalled)
	case next.Version == held:
		return fmt.Errorf("vocabulary version %d: %w", held, ErrEquivocation)
	case next.Version < held:
		return fmt.Errorf("vocabulary version %d, version %d installed: %w", next.Version, held, ErrRollback)
	}
	return nil
}

func sortFields(fs []Field) {
	sort.Slice(fs, func(i, j int) bool { return fs[i].Name < fs[j].Name })
}

// Version is the vocabulary's version: the document's that extended the
// base, or BaseVocabularyVersion.
func (v *Vocabulary) Version() int {
	if v.Doc == nil {
		return BaseVocabularyVersion
	}
	return v.Doc.Version
}

// Vocabulary returns the vocabulary the standard was type-checked against.
func (s *Standard) Vocabulary() *Vocabulary {
	if s.env == nil {
		return DefaultVocabulary()
	}
	return s.env.vocab
}

// Covers returns an error naming the first device kind, event type or
// field of old that v lacks or types differently: a newer vocabulary
// document is cumulative (it keeps everything the one before added), so
// that installing it never removes anything.
func (v *Vocabulary) Covers(old *Vocabulary) error {
	for _, k := range old.DeviceKinds() {
		if _, ok := v.Devices[k]; !ok {
			return fmt.Errorf("device %s is missing: a vocabulary document keeps everything the one before added", k)
		}
	}
	names := make([]string, 0, len(old.Types))
	for n := range old.Types {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		nt := v.Types[n]
		if nt == nil {
			return fmt.Errorf("event type %s is missing: a vocabulary document keeps everything the one before added", n)
		}
		for _, f := range old.Types[n].Fields {
			i := fieldIndex(nt.Fields, f.Name)
			if i < 0 || nt.Fields[i].Type != f.Type {
				return fmt.Errorf("%s.%s is missing or changed: a vocabulary document keeps everything the one before added", n, f.Name)
			}
		}
	}
	return nil
}

// IsVocabularyDoc tells a vocabulary document from a standard or a
// blueprint: it has a version and devices or system, and no id.
func IsVocabularyDoc(text []byte) bool {
	var top map[string]any
	if yaml.Unmarshal(text, &top) != nil {
		return false
	}
	_, id := top["id"]
	_, ver := top["version"]
	_, dev := top["devices"]
	_, sys := top["system"]
	return !id && ver && (dev || sys)
}
