package printer

import (
	"bytes"
	_ "embed"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"shicao/hardware"
)

// Profile is a printer model: the keys of an equipment profile
// (hardware/profiles) that an output-only device has. Printers are not
// among the equipment profiles, which describe how readings are decoded;
// a printer gives none.
type Profile struct {
	Name    string        `yaml:"-"`
	Kind    hardware.Kind `yaml:"kind"` // printer
	Model   string        `yaml:"model"`
	Vendor  string        `yaml:"vendor"`
	Framing string        `yaml:"framing"` // escpos
	Port    struct {
		Baud     int    `yaml:"baud"`
		DataBits int    `yaml:"data_bits"`
		Parity   string `yaml:"parity"` // none, odd, even, mark, space
		StopBits int    `yaml:"stop_bits"`
	} `yaml:"port"`
}

// FramingESCPOS is the printer's wire family.
const FramingESCPOS = "escpos"

//go:embed printer.yaml
var reference []byte

// ReferenceProfile is the embedded profile's name.
const ReferenceProfile = "printer"

// LoadProfile returns the reference profile ("printer" or "") or reads a
// profile file (a name ending in .yaml or holding a /). Errors name the
// file and the problem.
func LoadProfile(name string) (*Profile, error) {
	switch {
	case name == "" || name == ReferenceProfile:
		return ParseProfile(ReferenceProfile+".yaml", reference)
	case strings.HasSuffix(name, ".yaml") || strings.Contains(name, "/"):
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, fmt.Errorf("printer profile: %w", err)
		}
		return ParseProfile(name, b)
	}
	return nil, fmt.Errorf("printer profile %q: no such profile (have %s, or give a file)", name, ReferenceProfile)
}

// ParseProfile reads a printer profile; unknown keys are errors.
func ParseProfile(file string, data []byte) (*Profile, error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var p Profile
	if err := dec.Decode(&p); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("printer profile %s: empty", file)
		}
		return nil, fmt.Errorf("printer profile %s: %w", file, err)
	}
	p.Name = strings.TrimSuffix(file, ".yaml")
	pt := p.Port
	switch {
	case p.Kind != hardware.KindPrinter || p.Framing != FramingESCPOS:
		return nil, fmt.Errorf("printer profile %s: kind %q, framing %q: want kind printer, framing escpos", file, p.Kind, p.Framing)
	case p.Model == "":
		return nil, fmt.Errorf("printer profile %s: model missing", file)
	case pt.Baud < 300 || pt.Baud > 4_000_000:
		return nil, fmt.Errorf("printer profile %s: port.baud %d", file, pt.Baud)
	case pt.DataBits < 5 || pt.DataBits > 8:
		return nil, fmt.Errorf("printer profile %s: port.data_bits %d: want 5 to 8", file, pt.DataBits)
	case !slices.Contains([]string{"none", "odd", "even", "mark", "space"}, pt.Parity):
		return nil, fmt.Errorf("printer profile %s: port.parity %q: want none, odd, even, mark or space", file, pt.Parity)
	case pt.StopBits != 1 && pt.StopBits != 2:
		return nil, fmt.Errorf("printer profile %s: port.stop_bits %d: want 1 or 2", file, pt.StopBits)
	}
	return &p, nil
}
