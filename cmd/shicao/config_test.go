package main

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestConfig_Default(t *testing.T) {
	t.Parallel()
	c := DefaultConfig()
	if err := c.Validate(); err != nil {
		t.Fatalf("the default configuration does not validate: %v", err)
	}
	if c.Lang != "zh" || c.Centre.URL != "" || len(c.Device) != 0 {
		t.Fatalf("defaults: %+v", c)
	}
}

// TestConfig_Example: the commented example in docs parses; its devices
// come through with the kind's profile by default.
func TestConfig_Example(t *testing.T) {
	t.Parallel()
	c, err := LoadConfig(filepath.Join("..", "..", "docs", "station.example.toml"))
	if err != nil {
		t.Fatal(err)
	}
	c.Centre.CA = "" // the example's CA file is not on this machine
	if err := c.Validate(); err != nil {
		t.Fatal(err)
	}
	if len(c.Device) != 3 || c.Device[0].Profile != "cpr" || c.Device[2].Profile != "/etc/shicao/profiles/my-wiring-board.yaml" {
		t.Fatalf("devices %+v", c.Device)
	}
	if c.Printer.Port == "" {
		t.Fatalf("printer %+v", c.Printer)
	}
	if c.Centre.SyncEvery.Seconds() != 30 {
		t.Fatalf("sync_every %v", c.Centre.SyncEvery)
	}
}

func TestConfig_Refusals(t *testing.T) {
	t.Parallel()
	tests := []struct{ name, text, want string }{
		{"UnknownKey", "lang = \"zh\"\n[centre]\nurll = \"x\"\n", "unknown setting(s): centre.urll"},
		{"BadLang", "lang = \"fr\"\n", `lang "fr": want zh or en`},
		{"UnknownKind", "[[device]]\nkind = \"defibrillator\"\nport = \"/dev/x\"\n", `device[0].kind "defibrillator"`},
		{"TwoOfAKind", "[[device]]\nkind = \"cpr\"\nport = \"/dev/a\"\n[[device]]\nkind = \"cpr\"\nport = \"/dev/b\"\n", "device[1]: a second cpr device"},
		{"NoPort", "[[device]]\nkind = \"cpr\"\n", "device[0].port: missing"},
		{"BadDuration", "[centre]\nsync_every = \"soon\"\n", "soon"},
		{"MissingCA", "[centre]\nca = \"/nonexistent/ca.pem\"\n", "centre.ca"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "station.toml")
			if err := os.WriteFile(path, []byte(tt.text), 0o644); err != nil {
				t.Fatal(err)
			}
			c, err := LoadConfig(path)
			if err == nil {
				err = c.Validate()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}

// TestConfigText_RoundTrip: what `station config init` writes reads back
// as the same configuration, whatever the paths hold (quotes,
// backslashes, Chinese, spaces).
func TestConfigText_RoundTrip(t *testing.T) {
	t.Parallel()
	want := DefaultConfig()
	want.Data = `/srv/考站 "7"/data\dir`
	want.Lang = "en"
	want.Centre = CentreConfig{URL: "https://centre.example.gov.cn:8443", CA: "/etc/shicao/centre-ca.pem", SyncEvery: want.Centre.SyncEvery}
	want.Device = []DeviceConf{{Kind: "cpr", Port: "/dev/serial/by-id/usb-A B-if00"}, {Kind: "board", Port: "/dev/shicao-board", Profile: "/etc/shicao/profiles/我的.yaml"}}
	got, err := parseConfig("station.toml", configText(want))
	if err != nil {
		t.Fatalf("%v\n%s", err, configText(want))
	}
	if got.Data != want.Data || got.Lang != want.Lang || got.Centre != want.Centre || !slices.Equal(got.Device, want.Device) {
		t.Errorf("read back %+v,\nwant %+v", got, want)
	}
}
