package main

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// The demo centre's console account, printed at start: the demo runs on
// loopback only, with a fresh data directory.
const (
	demoStaffName     = "demo"
	demoStaffPassword = "shicao-demo-2026"
)

// demoCentre is the demo's centre as its station sees it: the station's
// link to it and the console's URL.
type demoCentre struct {
	link    *station.Link
	console string
}

// startDemoCentre runs the demo's centre beside its station, on the
// station's clock: at --speed 10 the station signs results ahead of real
// time, and a centre on real time would refuse them as signed in the
// future. The station's link to it syncs every 5 s and when poked.
func startDemoCentre(ctx context.Context, cdir string, s *station.Station, now func() time.Time, log *slog.Logger) (*demoCentre, error) {
	c, err := openDemoCentre(ctx, cdir, s, now)
	if err != nil {
		return nil, err
	}
	// The centre's console, on loopback: port 8080 when free, else any.
	consoleURL, _, stopConsole, err := startConsole(c, "127.0.0.1:8080", "", "", log)
	if err != nil {
		consoleURL, _, stopConsole, err = startConsole(c, "127.0.0.1:0", "", "", log)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	public, err := publicHandler(c, log) // the API and the candidate page
	var ln net.Listener
	if err == nil {
		ln, err = net.Listen("tcp", "127.0.0.1:0")
	}
	if err != nil {
		stopConsole()
		c.Close()
		return nil, err
	}
	srv := &http.Server{Handler: public, ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		stopConsole()
		c.Close()
	}()
	_, centreVerifier := demo.CentreKeys()
	link, err := s.StartLink(ctx, station.LinkOptions{URL: "http://" + ln.Addr().String(), CentreKey: centreVerifier, Now: now, Every: 5 * time.Second, Logger: log})
	if err != nil {
		return nil, err
	}
	return &demoCentre{link: link, console: consoleURL}, nil
}

// openDemoCentre opens the demo's centre in cdir on the clock now, made
// and seeded with the demo day and s's key when new.
func openDemoCentre(ctx context.Context, cdir string, s *station.Station, now func() time.Time) (*centre.Centre, error) {
	signer, _ := demo.CentreKeys()
	_, statErr := os.Stat(filepath.Join(cdir, centre.KeyFile))
	fresh := statErr != nil
	if fresh {
		if _, err := centre.Init(ctx, cdir, "shicao-demo-centre", signer); err != nil {
			return nil, err
		}
	}
	c, err := centre.Open(ctx, cdir, centre.Options{Now: now})
	if err != nil {
		return nil, refuseDamaged(err, cdir)
	}
	if err := c.CheckStart(ctx); err != nil {
		c.Close()
		return nil, refuseDamaged(err, cdir)
	}
	if fresh {
		vkey, err := s.Verifier(ctx)
		if err == nil {
			err = demo.SeedCentre(ctx, c, s.Today().String(), vkey)
		}
		if err != nil {
			c.Close()
			return nil, err
		}
	}
	// A demo directory from before the console gets the account too.
	if err := c.AddStaff(ctx, demoStaffName, centre.RoleAdmin, demoStaffPassword); err != nil && !errors.Is(err, centre.ErrStaffExists) {
		c.Close()
		return nil, err
	}
	return c, nil
}
