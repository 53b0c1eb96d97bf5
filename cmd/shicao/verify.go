package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
)

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "verify --station-key STATION.pub [--trust PROVINCE.pub] RESULT.json",
		"  shicao verify --station-key station.pub --trust province.pub result.json\n")
	var keys, trust listFlag
	fs.Var(&keys, "station-key", "the station's verifier key file(s)")
	fs.Var(&trust, "trust", "the province's verifier key file(s): also check the standards' signatures")
	threshold := fs.Int("threshold", 1, "how many trusted province keys must have signed each standard")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(keys) == 0 || fs.NArg() != 1 {
		return usagef("verify: give --station-key and one RESULT file")
	}
	var stationKeys []string
	for _, k := range keys {
		b, err := os.ReadFile(k)
		if err != nil {
			return err
		}
		stationKeys = append(stationKeys, strings.TrimSpace(string(b)))
	}
	var t *standards.Trust
	if len(trust) > 0 {
		var err error
		if t, err = standards.LoadTrust(*threshold, trust...); err != nil {
			return usagef("verify: %v", err)
		}
	}
	data, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	v, err := station.VerifyBundle(data, stationKeys, t)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	if err := v.CheckBound(); err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	d := v.Doc
	verdict := "不合格 FAIL"
	if d.Paper.Passed {
		verdict = "合格 PASS"
	}
	fmt.Fprintf(e.stdout, "ok: result %s signed by %s\n", d.ID, strings.Join(v.Signers, ", "))
	fmt.Fprintf(e.stdout, "candidate %s %s, plan %s, site %s, station %s, %s\n", d.Candidate.IDNumber, d.Candidate.Name, d.Plan, d.Site, d.Station, d.Date)
	for _, it := range d.Items {
		fmt.Fprintf(e.stdout, "  %s %s v%d: %s (%d events, chain %s…, re-scored identically)\n", it.Subject, it.Standard.ID, it.Standard.Version, it.Sheet.Score, it.Events, it.Head[:12])
	}
	fmt.Fprintf(e.stdout, "total %s %s\n", d.Paper.Total, verdict)
	return nil
}

// writeSubjectEvents writes one subject's events from a bundle as JSON Lines.
func writeSubjectEvents(bundle []byte, subject, file string) error {
	b, err := station.DecodeBundle(bundle)
	if err != nil {
		return err
	}
	lines, ok := b.Events[subject]
	if !ok {
		return fmt.Errorf("the result has no subject %s", subject)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	for _, l := range lines {
		f.Write(l)
		f.Write([]byte("\n"))
	}
	return f.Close()
}
