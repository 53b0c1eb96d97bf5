package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/hardware"
	"shicao/hardware/escpos"
	"shicao/hardware/printer"
	"shicao/hardware/sim"
	examsync "shicao/sync"
)

// PrinterConf is the score-slip printer.
type PrinterConf struct {
	Profile string `toml:"profile"` // an embedded profile name (default "printer"), or a profile file
	Port    string `toml:"port"`    // empty: no printer, slips queue
}

// openPrinter returns the printer on port with profile ("" for the
// reference one), or nil for no port.
func openPrinter(profile, port string) (station.SlipPrinter, error) {
	if port == "" {
		return nil, nil
	}
	p, err := printer.LoadProfile(profile)
	if err != nil {
		return nil, err
	}
	return printer.New(p, port, printer.Options{})
}

func stationSlipCmd() *Command {
	c := &Command{UsageLine: "station slip [--printer PORT [--profile P]] RESULT | --queued",
		Short: "show a result's score slip; print it (or every queued one)",
		Long:  "Examples:\n  shicao station slip 3f2a9c01d4e5b6a7\n  shicao station slip --printer /dev/ttyUSB0 3f2a9c01d4e5b6a7\n  shicao station slip --printer /dev/ttyUSB0 --queued\n"}
	data := addStationData(&c.Flag)
	port := c.Flag.String("printer", "", "print on the ESC/POS printer at this serial port (without: show the slip only)")
	profile := c.Flag.String("profile", "printer", "the printer's profile (an embedded name or a file)")
	queued := c.Flag.Bool("queued", false, "every slip still queued")
	lang := c.Flag.String("lang", "zh", "language of the printer's state: zh or en")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *queued == (len(args) == 1) || len(args) > 1 {
			return usagef("station slip: give one RESULT or --queued")
		}
		pr, err := openPrinter(*profile, *port)
		if err != nil {
			return err
		}
		return data.with(ctx, station.Config{Printer: pr}, func(s *station.Station) error {
			ids := args
			if *queued {
				if ids, err = s.Store().QueuedSlips(ctx); err != nil {
					return err
				}
				if len(ids) == 0 {
					fmt.Fprintln(e.stdout, "no slip is queued")
					return nil
				}
			}
			return showSlips(ctx, e, s, ids, pr != nil, *lang)
		})
	}
	return c
}

// showSlips shows each result's slip and, with a printer, prints it.
func showSlips(ctx context.Context, e *env, s *station.Station, ids []string, print bool, lang string) error {
	failed := 0
	for _, id := range ids {
		sl, err := s.Slip(ctx, id)
		if errors.Is(err, store.ErrNotFound) {
			return fmt.Errorf("no result %s at this station (see 'station results list')", id)
		}
		if err != nil {
			return err
		}
		fmt.Fprint(e.stdout, sl.Text())
		if !print {
			fmt.Fprintln(e.stdout, slipState(sl.State))
			continue
		}
		out, err := s.PrintSlip(ctx, id)
		if err != nil {
			return err
		}
		if !out.Printed {
			failed++
		}
		fmt.Fprintln(e.stdout, out.Line(id, lang))
	}
	if failed > 0 {
		return fmt.Errorf("%d slip(s) not printed: still queued", failed)
	}
	return nil
}

// slipState is what the store knows of a slip, for a person.
func slipState(st store.SlipState) string {
	switch {
	case st.PrintedMs > 0:
		return fmt.Sprintf("slip: printed %s (%d time(s))", time.UnixMilli(st.PrintedMs).Format(time.DateTime), st.Prints)
	case st.PrintedMs < 0:
		return "slip: not printed (saved before slips): give --printer to print it"
	case st.LastError != "":
		return fmt.Sprintf("slip: queued after %d attempt(s): %s", st.Attempts, st.LastError)
	}
	return "slip: queued"
}

// simPrinter starts a simulated printer for station run --sims: its
// device link is DIR/tty and every slip it cuts is appended, rendered, to
// DIR/slips.txt.
func simPrinter(ctx context.Context, dir string) (*sim.Printer, station.SlipPrinter, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, nil, err
	}
	out := filepath.Join(dir, "slips.txt")
	sp, err := sim.StartPrinter(ctx, "", sim.PrinterOptions{Dir: dir, OnSlip: func(sl escpos.Slip) {
		f, err := os.OpenFile(out, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o644)
		if err != nil {
			return
		}
		defer f.Close()
		fmt.Fprintf(f, "%s--- cut\n", sl)
	}})
	if err != nil {
		return nil, nil, err
	}
	pr, err := openPrinter("", sp.Path())
	if err != nil {
		sp.Close()
		return nil, nil, err
	}
	return sp, pr, nil
}

// verifySlip checks a slip's code with the station's key and, given the
// result bundle, that the code is that result's (its id, the bundle's
// sha256, the total and the verdict printed), the bundle verifying in full.
func verifySlip(e *env, code string, stationKeys []string, bundle string, verify func([]byte) (*examsync.Verified, error)) error {
	c, err := examsync.VerifySlip(code, stationKeys)
	if err != nil {
		return err
	}
	verdict := map[bool]string{true: "合格 PASS", false: "不合格 FAIL"}
	signed := fmt.Sprintf("ok: slip code signed by the station: result %s total %s %s sha256 %s\n", c.ID, c.Total, verdict[c.Passed], c.SHA256)
	if bundle == "" {
		fmt.Fprint(e.stdout, signed)
		fmt.Fprintln(e.stdout, "the result itself was not checked: give the result bundle (station export) to check it")
		return nil
	}
	data, err := os.ReadFile(bundle)
	if err != nil {
		return err
	}
	if got := examsync.BundleSHA256(data); got != c.SHA256 {
		return fmt.Errorf("%w: %s is not the result the slip names (its sha256 is %s, the slip's %s)", examsync.ErrBadSlip, bundle, got, c.SHA256)
	}
	v, err := verify(data)
	if err != nil {
		return fmt.Errorf("%s: %w", bundle, err)
	}
	d := v.Doc
	switch {
	case d.ID != c.ID:
		return fmt.Errorf("%w: the slip names result %s, the bundle is %s", examsync.ErrBadSlip, c.ID, d.ID)
	case d.Paper.Total.String() != c.Total || d.Paper.Passed != c.Passed:
		return fmt.Errorf("%w: the slip says %s %s, the result %s %s", examsync.ErrBadSlip, c.Total, verdict[c.Passed], d.Paper.Total, verdict[d.Paper.Passed])
	}
	fmt.Fprint(e.stdout, signed)
	fmt.Fprintf(e.stdout, "ok: the slip is result %s of %s, plan %s, station %s, %s: the bundle verifies (signature, chains, re-score)\n",
		d.ID, station.MaskID(d.Candidate.IDNumber), d.Plan, d.Station, strings.TrimSpace(verdict[d.Paper.Passed]))
	return nil
}

// runSimPrinter runs a simulated receipt printer: its path on the first
// line, then every slip it prints, rendered, each followed by "--- cut".
func runSimPrinter(ctx context.Context, e *env, scenario, dir string) error {
	var mu sync.Mutex
	sp, err := sim.StartPrinter(ctx, scenario, sim.PrinterOptions{Dir: dir, OnSlip: func(sl escpos.Slip) {
		mu.Lock()
		defer mu.Unlock()
		fmt.Fprintf(e.stdout, "%s--- cut\n", sl)
	}})
	if err != nil {
		return err
	}
	defer sp.Close()
	mu.Lock()
	fmt.Fprintln(e.stdout, sp.Path())
	mu.Unlock()
	<-ctx.Done()
	return nil
}

// withPrinter adds the simulated printer to the script's scenario and
// unplug steps (kind "printer"); the printer is output only and not in the
// rig, which keeps the other kinds (nil: none here). unplug and plug
// toggle, as the rig's do, from the printer's actual state: unplug-mid
// pulls its own cable.
func withPrinter(sp *sim.Printer, scenario func(kind, name string) error, unplug func(kind string) error) (func(kind, name string) error, func(kind string) error) {
	return func(kind, name string) error {
			if kind == string(hardware.KindPrinter) {
				return sp.Play(name)
			}
			if scenario == nil {
				return errors.New("scenario: no simulated " + kind + " here")
			}
			return scenario(kind, name)
		}, func(kind string) error {
			if kind != string(hardware.KindPrinter) {
				if unplug == nil {
					return errors.New("unplug: no simulated " + kind + " here")
				}
				return unplug(kind)
			}
			if sp.Plugged() {
				sp.Unplug()
				return nil
			}
			return sp.Plug()
		}
}
