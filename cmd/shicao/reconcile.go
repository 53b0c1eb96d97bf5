package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
)

// stationReconcileCmd is shicao station reconcile: the day's signed
// account, shown, printed and sent to the centre.
func stationReconcileCmd() *Command {
	c := &Command{UsageLine: "station reconcile [--date YYYY-MM-DD] [--printer PORT] [--upload [--centre URL] [--ca FILE]] [-o FILE]",
		Short: "the day's signed account: every candidate sat/absent/voided/interrupted, every result queued/receipted/refused; printed, and checked by the centre",
		Long:  "Examples:\n  shicao station reconcile --date 2026-11-28 --printer /dev/ttyUSB0 --upload\n"}
	data := addStationData(&c.Flag)
	date := c.Flag.String("date", "", "the exam day (default today)")
	port := c.Flag.String("printer", "", "also print it on the ESC/POS printer at this serial port")
	profile := c.Flag.String("profile", "printer", "the printer's profile (an embedded name or a file)")
	upload := c.Flag.Bool("upload", false, "send it to the centre, which checks it against what it holds")
	url := c.Flag.String("centre", "", "with --upload: the centre's URL (default: the one used last)")
	caFile := c.Flag.String("ca", "", "with --upload: a CA certificate (PEM) to trust for the centre's TLS")
	out := c.Flag.String("o", "", "also write the signed reconciliation to this file")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		pr, err := openPrinter(*profile, *port)
		if err != nil {
			return err
		}
		return data.with(ctx, station.Config{Printer: pr}, func(s *station.Station) error {
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
			return uploadReconciliation(ctx, e, s, *url, *caFile, signed)
		})
	}
	return c
}

// uploadReconciliation sends the signed reconciliation to the centre at
// url (default: the one the last sync reached) and shows its answer.
func uploadReconciliation(ctx context.Context, e *env, s *station.Station, url, caFile string, signed []byte) error {
	link, err := s.Store().CentreLink(ctx)
	if err != nil {
		return err
	}
	if url == "" {
		if url = link.URL; url == "" {
			return usagef("station reconcile: give --centre URL (no centre has answered this station yet)")
		}
	}
	if err := checkCentreURL(url); err != nil {
		return usagef("station reconcile: --centre %s", err)
	}
	if caFile == "" {
		caFile = link.CA
	}
	hc, err := CentreConfig{CA: caFile}.HTTPClient()
	if err != nil {
		return err
	}
	hc.Timeout = 60 * time.Second
	client, err := s.Client(url, hc)
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
