package main

import (
	"context"
	"flag"
	"os"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/station"
)

// centreData is the --data flag every centre command takes, and the one
// place a command opens and closes the centre (litestream's
// registerConfigFlag shape): a command registers it with its flags and
// runs its work inside with.
type centreData struct{ dir, db string }

func addCentreData(fs *flag.FlagSet) *centreData {
	d := &centreData{}
	fs.StringVar(&d.dir, "data", defaultCentreDir(), "the centre's data directory (its keys; its database unless --db)")
	fs.StringVar(&d.db, "db", os.Getenv("SHICAO_CENTRE_DB"), "the centre's database: a postgres:// URL (default: the one the data directory records, else DIR/centre.db; env SHICAO_CENTRE_DB)")
	return d
}

func (d *centreData) open(ctx context.Context) (*centre.Centre, error) {
	return centre.Open(ctx, d.dir, centre.Options{DB: d.db})
}

// with opens the centre, runs f and closes the centre.
func (d *centreData) with(ctx context.Context, f func(*centre.Centre) error) error {
	c, err := d.open(ctx)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c)
}

// stationData is the --data flag every station command takes, and the
// one place a command opens and closes the station.
type stationData struct{ dir string }

func addStationData(fs *flag.FlagSet) *stationData {
	d := &stationData{}
	fs.StringVar(&d.dir, "data", defaultDataDir(), "the station's data directory")
	return d
}

func (d *stationData) open(ctx context.Context, cfg station.Config) (*station.Station, error) {
	return station.OpenDirConfig(ctx, d.dir, cfg)
}

// with opens the station with cfg, runs f and closes the station.
func (d *stationData) with(ctx context.Context, cfg station.Config, f func(*station.Station) error) error {
	s, err := d.open(ctx, cfg)
	if err != nil {
		return err
	}
	defer s.Close()
	return f(s)
}
