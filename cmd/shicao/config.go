package main

import (
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/BurntSushi/toml"

	"shicao/standards"
)

// Config is a station's configuration. DefaultConfig works with no file;
// a TOML file (see docs/station.example.toml, commented) and flags
// override it; Validate checks and resolves it.
type Config struct {
	Data string `toml:"data"` // the data directory
	Lang string `toml:"lang"` // zh or en
	// Training: run in training mode (training results, never exam
	// results); refused on an exam day at an accepted site.
	Training bool         `toml:"training"`
	Centre   CentreConfig `toml:"centre"`
	Device   []DeviceConf `toml:"device"`
	// Printer is the score-slip printer (docs/slip.md); without a port,
	// slips queue until printed with shicao station slip.
	Printer PrinterConf `toml:"printer"`
}

// CentreConfig is the link to the exam centre.
type CentreConfig struct {
	URL       string   `toml:"url"`        // empty: offline, results wait in the outbox
	CA        string   `toml:"ca"`         // a CA certificate (PEM) for the centre's TLS
	SyncEvery Duration `toml:"sync_every"` // how often the station syncs
}

// DeviceConf is one piece of equipment.
type DeviceConf struct {
	Kind    string `toml:"kind"`    // cpr, extinguisher, scba, board, ppe, harness
	Profile string `toml:"profile"` // an embedded profile name, or a profile file
	Port    string `toml:"port"`    // a /dev/serial/by-id name is best
}

// Duration reads "30s" in TOML.
type Duration struct{ time.Duration }

// UnmarshalText reads a Go duration.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	d.Duration = v
	return err
}

// DefaultConfig is the configuration with no file.
func DefaultConfig() Config {
	return Config{Data: defaultDataDir(), Lang: "zh", Centre: CentreConfig{SyncEvery: Duration{30 * time.Second}}}
}

// LoadConfig reads a TOML file over the defaults. Unknown keys are errors
// that name them (a typo must not silently disable a device).
func LoadConfig(path string) (Config, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return DefaultConfig(), err
	}
	return parseConfig(path, string(b))
}

// parseConfig reads the TOML text of the file named path over the
// defaults, as LoadConfig does.
func parseConfig(path, text string) (Config, error) {
	c := DefaultConfig()
	md, err := toml.Decode(text, &c)
	if err != nil {
		return c, fmt.Errorf("%s: %w", path, err)
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return c, fmt.Errorf("%s: unknown setting(s): %s", path, strings.Join(keys, ", "))
	}
	return c, nil
}

// Validate checks the configuration and makes the data path absolute.
func (c *Config) Validate() error {
	var errs []error
	if c.Lang != "zh" && c.Lang != "en" {
		errs = append(errs, fmt.Errorf("lang %q: want zh or en", c.Lang))
	}
	if abs, err := filepath.Abs(c.Data); err == nil {
		c.Data = abs
	}
	if c.Centre.SyncEvery.Duration < time.Second {
		errs = append(errs, fmt.Errorf("centre.sync_every %s: at least 1s", c.Centre.SyncEvery.Duration))
	}
	kinds := standards.DefaultVocabulary().DeviceKinds()
	seen := map[string]bool{}
	for i, d := range c.Device {
		switch {
		case !slices.Contains(kinds, d.Kind):
			errs = append(errs, fmt.Errorf("device[%d].kind %q: want one of %s", i, d.Kind, strings.Join(kinds, ", ")))
		case seen[d.Kind]:
			errs = append(errs, fmt.Errorf("device[%d]: a second %s device", i, d.Kind))
		case d.Port == "":
			errs = append(errs, fmt.Errorf("device[%d].port: missing", i))
		}
		seen[d.Kind] = true
		if d.Profile == "" {
			c.Device[i].Profile = d.Kind
		}
	}
	if c.Centre.CA != "" {
		if _, err := os.Stat(c.Centre.CA); err != nil {
			errs = append(errs, fmt.Errorf("centre.ca: %w", err))
		}
	}
	return errors.Join(errs...)
}

// HTTPClient returns the client for the centre, trusting CA if set.
func (c CentreConfig) HTTPClient() (*http.Client, error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	if c.CA == "" {
		return hc, nil
	}
	pem, err := os.ReadFile(c.CA)
	if err != nil {
		return nil, fmt.Errorf("centre CA: %w", err)
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(pem) {
		return nil, fmt.Errorf("%s: no PEM certificate", c.CA)
	}
	hc.Transport = &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}
	return hc, nil
}

func orNone(s string) string {
	if s == "" {
		return "none (offline)"
	}
	return s
}

// configText is cfg as a commented TOML file.
func configText(cfg Config) string {
	q := func(s string) string {
		b, _ := json.Marshal(s) // a JSON string is a TOML basic string
		return string(b)
	}
	var b strings.Builder
	b.WriteString("# shicao station configuration: shicao station --config THIS-FILE\n")
	b.WriteString("# Written by `shicao station config init`; every setting is explained in\n")
	b.WriteString("# docs/station.example.toml. An unknown setting is an error.\n\n")
	fmt.Fprintf(&b, "# The data directory (station init made it).\ndata = %s\n\n", q(cfg.Data))
	fmt.Fprintf(&b, "# The screens' language: zh or en.\nlang = %s\n\n", q(cfg.Lang))
	b.WriteString("[centre]\n# Empty: offline; results wait in the outbox.\n")
	fmt.Fprintf(&b, "url = %s\n", q(cfg.Centre.URL))
	b.WriteString("# The CA certificate of the centre's TLS (the centre's tls/ca.pem).\n")
	fmt.Fprintf(&b, "ca = %s\n", q(cfg.Centre.CA))
	fmt.Fprintf(&b, "sync_every = %s\n", q(cfg.Centre.SyncEvery.String()))
	if len(cfg.Device) == 0 {
		b.WriteString("\n# No device: add one [[device]] per piece of equipment (kind, port;\n# `shicao devices` lists the ports).\n")
	}
	for _, d := range cfg.Device {
		fmt.Fprintf(&b, "\n[[device]]\nkind = %s\nport = %s\n", q(d.Kind), q(d.Port))
		if d.Profile != "" {
			fmt.Fprintf(&b, "profile = %s\n", q(d.Profile))
		}
	}
	return b.String()
}
