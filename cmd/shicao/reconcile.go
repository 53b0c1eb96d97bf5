package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// stationReconcile is shicao station reconcile: the day's signed account,
// shown, printed and sent to the centre.
func stationReconcile(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station reconcile", "station reconcile [--data DIR] [--date YYYY-MM-DD] [--printer PORT] [--upload [--centre URL] [--ca FILE]] [-o FILE]",
		"  shicao station reconcile --date 2026-11-28 --printer /dev/ttyUSB0 --upload\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	date := fs.String("date", "", "the exam day (default today)")
	port := fs.String("printer", "", "also print it on the ESC/POS printer at this serial port")
	profile := fs.String("profile", "printer", "the printer's profile (an embedded name or a file)")
	upload := fs.Bool("upload", false, "send it to the centre, which checks it against what it holds")
	url := fs.String("centre", "", "with --upload: the centre's URL (default: the one used last)")
	caFile := fs.String("ca", "", "with --upload: a CA certificate (PEM) to trust for the centre's TLS")
	out := fs.String("o", "", "also write the signed reconciliation to this file")
	if err := parse(fs, args); err != nil {
		return err
	}
	pr, err := openPrinter(*profile, *port)
	if err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{Printer: pr})
	if err != nil {
		return err
	}
	defer s.Close()
	day := s.Today()
	if *date != "" {
		if day, err = standards.ParseDate(*date); err != nil {
			return usagef("station reconcile: --date %q: give the day as YYYY-MM-DD, for example 2026-11-28", *date)
		}
	}
	r, signed, err := s.Reconcile(ctx, day)
	if err != nil {
		return err
	}
	for _, l := range r.Lines() {
		fmt.Fprintln(e.stdout, l)
	}
	if *out != "" {
		if err := os.WriteFile(*out, signed, 0o644); err != nil {
			return err
		}
	}
	if pr != nil {
		if err := s.PrintReconciliation(ctx, r); err != nil {
			fmt.Fprintf(e.stderr, "not printed: %v (print it again with shicao station reconcile --printer)\n", err)
		} else {
			fmt.Fprintln(e.stdout, "printed")
		}
	}
	if !*upload {
		fmt.Fprintln(e.stdout, "not sent to the centre (give --upload)")
		return nil
	}
	st := s.Store()
	if *url == "" {
		if *url, err = st.Meta(ctx, "centre_url"); err != nil {
			return usagef("station reconcile: give --centre URL (no centre has answered this station yet)")
		}
	}
	if err := checkCentreURL(*url); err != nil {
		return usagef("station reconcile: --centre %s", err)
	}
	if *caFile == "" {
		*caFile, _ = st.Meta(ctx, "centre_ca")
	}
	hc, err := CentreConfig{CA: *caFile}.HTTPClient()
	if err != nil {
		return err
	}
	hc.Timeout = 60 * time.Second
	key, err := os.ReadFile(filepath.Join(*data, station.KeyFile))
	if err != nil {
		return err
	}
	client, err := examsync.NewClient(*url, s.Name(), string(key), hc)
	if err != nil {
		return err
	}
	a, err := client.Reconcile(ctx, signed)
	if err != nil {
		return fmt.Errorf("the centre did not take the reconciliation: %w", err)
	}
	fmt.Fprintf(e.stdout, "centre checked %d candidates and %d results of %s: %d differences (alarms raised at the centre)\n", a.Candidates, a.Results, a.Date, len(a.Differences))
	for _, d := range a.Differences {
		fmt.Fprintf(e.stdout, "  %s %s: %s\n", d.Kind, d.Subject, d.Detail)
	}
	return nil
}
