package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"shicao/cmd/shicao/internal/station"
)

// stationConfigCmd is `shicao station config init`: where station.toml
// comes from. It writes a configuration for this station's data
// directory, with the centre it synced with last (URL and CA) unless
// told otherwise, and one [[device]] per --device; the text is read back
// and validated before it is written, as `shicao station --config`
// would read it.
func stationConfigCmd() *Command {
	c := &Command{UsageLine: "station config init [--device KIND=PORT]... [--centre URL] [--ca FILE] [--lang zh|en] [-o FILE]",
		Short: "a station.toml for this data directory and the centre synced with",
		Long:  "Examples:\n  shicao station config init --data /var/lib/shicao/station --device cpr=/dev/serial/by-id/usb-...-if00 -o /etc/shicao/station.toml\n"}
	data := addStationData(&c.Flag)
	var devices listFlag
	c.Flag.Var(&devices, "device", "a device: KIND=PORT or KIND=PORT=PROFILE (repeat; `shicao devices` lists the ports)")
	url := c.Flag.String("centre", "", "the centre's URL (default: the one the last sync reached)")
	ca := c.Flag.String("ca", "", "the CA certificate of the centre's TLS (default: the one the last sync used)")
	lang := c.Flag.String("lang", "zh", "the screens' language: zh or en")
	out := c.Flag.String("o", "", "write here (it must not exist); default: standard output")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		cfg := DefaultConfig()
		cfg.Lang = *lang
		abs, err := filepath.Abs(data.dir)
		if err != nil {
			return err
		}
		cfg.Data = abs
		for _, d := range devices {
			parts := strings.SplitN(d, "=", 3)
			if len(parts) < 2 || parts[0] == "" || parts[1] == "" {
				return usagef("station config init: --device %q: give KIND=PORT, for example cpr=/dev/serial/by-id/usb-...-if00", d)
			}
			dc := DeviceConf{Kind: parts[0], Port: parts[1]}
			if len(parts) == 3 {
				dc.Profile = parts[2]
			}
			cfg.Device = append(cfg.Device, dc)
		}
		data.dir = abs
		if err := data.with(ctx, station.Config{}, func(s *station.Station) error {
			link, err := s.Store().CentreLink(ctx)
			if *url == "" {
				*url = link.URL
			}
			if *ca == "" {
				*ca = link.CA
			}
			return err
		}); err != nil {
			return err
		}
		if *url != "" {
			if err := checkCentreURL(*url); err != nil {
				return usagef("station config init: --centre %s", err)
			}
		}
		if *ca != "" {
			if *ca, err = filepath.Abs(*ca); err != nil {
				return err
			}
		}
		cfg.Centre.URL, cfg.Centre.CA = *url, *ca
		return writeConfig(e, cfg, *out)
	}
	return &Command{UsageLine: "station config", Short: "the station's configuration file (station.toml)", Commands: []*Command{c}}
}

// writeConfig writes cfg as commented TOML to out (standard output when
// ""), once it reads back as the station will read it.
func writeConfig(e *env, cfg Config, out string) error {
	text := configText(cfg)
	back, err := parseConfig("station config init", text)
	if err == nil {
		err = back.Validate()
	}
	if err != nil {
		return fmt.Errorf("station config init: %w", err)
	}
	if out == "" {
		_, err := io.WriteString(e.stdout, text)
		return err
	}
	f, err := os.OpenFile(out, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
	if errors.Is(err, os.ErrExist) {
		return fmt.Errorf("%s exists: not overwritten (edit it, or move it away first)", out)
	}
	if err != nil {
		return err
	}
	if _, err := io.WriteString(f, text); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: data %s, centre %s, %d devices; run the station with: shicao station --config %s\n",
		out, cfg.Data, orNone(cfg.Centre.URL), len(cfg.Device), out)
	return nil
}
