package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
)

func runVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "verify", "verify --station-key STATION.pub [--trust PROVINCE.pub] [--standards DIR|FILE,...] RESULT.json | --slip CODE [RESULT.json]",
		"  shicao verify --station-key station.pub --trust province.pub result.json\n"+
			"  shicao verify --station-key station.pub --trust province.pub --standards published/ result.json\n"+
			"  shicao verify --station-key station.pub --slip 'SC1:3f2a9c01d4e5b6a7:…' result.json\n")
	var keys, trust, known listFlag
	fs.Var(&keys, "station-key", "the station's verifier key file(s)")
	fs.Var(&trust, "trust", "the province's verifier key file(s): also check the standards' signatures")
	fs.Var(&known, "standards", "signed standards and blueprints (files, or directories of them): every published version, to check that none newer was in force on the exam date")
	threshold := fs.Int("threshold", 1, "how many trusted province keys must have signed each standard")
	slip := fs.String("slip", "", "a score slip's code (its QR code, or the text under it): check it was signed by the station and, given RESULT.json, that it is that result's (docs/slip.md)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *slip != "" && len(keys) > 0 && fs.NArg() <= 1 {
		stationKeys, err := readKeys(keys)
		if err != nil {
			return err
		}
		var t *standards.Trust
		if len(trust) > 0 {
			if t, err = standards.LoadTrust(*threshold, trust...); err != nil {
				return usagef("verify: %v", err)
			}
		}
		return verifySlip(e, *slip, stationKeys, fs.Arg(0), func(data []byte) (*station.Verified, error) {
			return station.VerifyBundle(data, stationKeys, t)
		})
	}
	if len(keys) == 0 || fs.NArg() != 1 {
		return usagef("verify: give --station-key and one RESULT file (or --slip CODE and at most one RESULT file)")
	}
	stationKeys, err := readKeys(keys)
	if err != nil {
		return err
	}
	var t *standards.Trust
	if len(trust) > 0 {
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
	inForce, err := judgeInForce(v, known, t)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	verdict := "不合格 FAIL"
	if d.Paper.Passed {
		verdict = "合格 PASS"
	}
	fmt.Fprintf(e.stdout, "ok: result %s signed by %s\n", d.ID, strings.Join(v.Signers, ", "))
	fmt.Fprintf(e.stdout, "candidate %s %s, plan %s, site %s, station %s, %s\n", d.Candidate.IDNumber, d.Candidate.Name, d.Plan, d.Site, d.Station, d.Date)
	fmt.Fprintln(e.stdout, identityLine(d.Identity))
	for _, x := range d.Substitutions {
		fmt.Fprintf(e.stdout, "substitute examiner %s in place of %s (%s), approved by the centre on the signed plan\n", x.In, x.Out, x.Reason)
	}
	for _, it := range d.Items {
		fmt.Fprintf(e.stdout, "  %s %s v%d: %s (%d events, chain %s…, re-scored identically)\n", it.Subject, it.Standard.ID, it.Standard.Version, it.Sheet.Score, it.Events, it.Head[:12])
	}
	fmt.Fprintf(e.stdout, "  blueprint %s v%d\n", d.Blueprint.ID, d.Blueprint.Version)
	fmt.Fprintln(e.stdout, inForce)
	fmt.Fprintf(e.stdout, "total %s %s\n", d.Paper.Total, verdict)
	return nil
}

// judgeInForce checks that every item and the blueprint were scored by
// the version in force on the exam date, as the centre does. The bundle
// holds only the versions used, which can show a version not yet
// effective or expired, but not that a newer one took effect: that needs
// the other published versions (--standards). It returns the line to
// print, or why the result is not scored by the standards in force.
func judgeInForce(v *station.Verified, files []string, trust *standards.Trust) (string, error) {
	d := v.Doc
	day, err := standards.ParseDate(d.Date)
	if err != nil {
		return "", fmt.Errorf("the result's date: %w", err)
	}
	known, n, err := loadVersions(files, trust)
	if err != nil {
		return "", err
	}
	var why []string
	for _, it := range d.Items {
		sp := v.Spans[it.Subject]
		if w := standards.NotInForce(it.Standard.ID, append(known[it.Standard.ID], sp), sp, day); w != "" {
			why = append(why, "subject "+it.Subject+": "+w)
		}
	}
	if w := standards.NotInForce(d.Blueprint.ID, append(known[d.Blueprint.ID], v.Blueprint), v.Blueprint, day); w != "" {
		why = append(why, "blueprint: "+w)
	}
	if len(why) > 0 {
		return "", fmt.Errorf("not scored by the standards in force on %s (the centre refuses it: standard-not-in-force): %s", day, strings.Join(why, "; "))
	}
	if len(files) == 0 {
		return fmt.Sprintf("in force on %s: by their own dates only; whether a newer version had taken effect is not checked (give --standards with every published version)", day), nil
	}
	return fmt.Sprintf("in force on %s: every item and the blueprint, judged against the %d versions given", day, n), nil
}

// loadVersions reads signed standards and blueprints from files and
// directories (checking their signatures when trust is given) and
// returns the dates of each version by id, and how many were read.
func loadVersions(paths []string, trust *standards.Trust) (map[string][]standards.Span, int, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, 0, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, 0, err
		}
		for _, x := range entries {
			if !x.IsDir() {
				files = append(files, filepath.Join(p, x.Name()))
			}
		}
	}
	out := map[string][]standards.Span{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, 0, err
		}
		text := standards.SplitNote(b)
		if trust != nil {
			o, err := trust.Open(b)
			if err != nil {
				return nil, 0, fmt.Errorf("--standards %s: %w", f, err)
			}
			text = o.Text
		}
		c, err := standards.ParseAny(f, text)
		if err != nil {
			return nil, 0, fmt.Errorf("--standards: %w", err)
		}
		out[c.ID] = append(out[c.ID], c.Span())
	}
	return out, len(files), nil
}

// writeSubjectEvents writes one subject's events from a bundle as an
// exported event log, carrying its chain and the signed result.
func writeSubjectEvents(bundle []byte, subject, file string) error {
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if err := station.WriteEventLog(f, bundle, subject); err != nil {
		f.Close()
		os.Remove(file)
		return err
	}
	return f.Close()
}

// readKeys reads verifier key files.
func readKeys(files []string) ([]string, error) {
	var out []string
	for _, k := range files {
		b, err := os.ReadFile(k)
		if err != nil {
			return nil, err
		}
		out = append(out, strings.TrimSpace(string(b)))
	}
	return out, nil
}

// identityLine says how the candidate was identified: by the ID card, or
// by hand (with the reason and the examiners who confirmed it).
func identityLine(id *station.Identity) string {
	switch {
	case id == nil:
		return "identity: not recorded (a result from before the ID-card check)"
	case id.Method == station.IdentityCard:
		return fmt.Sprintf("identity: card %s %s, valid %s-%s, photo sha256 %s", id.IDNumber, id.Name, id.ValidFrom, id.ValidTo, id.PhotoSHA256)
	default:
		return fmt.Sprintf("identity: MANUAL ENTRY of %s (%s), confirmed by %s", id.IDNumber, id.Reason, strings.Join(id.ConfirmedBy, ", "))
	}
}
