package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// verifyCmd is `shicao verify`: check a result bundle offline as the
// centre does, or a score slip's code (--slip), or an appeal state
// (--appeal).
func verifyCmd() *Command {
	c := &Command{
		UsageLine: "verify --station-key STATION.pub [--trust PROVINCE.pub] [--standards DIR|FILE,...] RESULT.json | --slip CODE [RESULT.json]",
		Short:     "check a result: signatures, hash chains, re-score, paper total",
		Long: "Examples:\n" +
			"  shicao verify --station-key station.pub --trust province.pub result.json\n" +
			"  shicao verify --station-key station.pub --trust province.pub --standards published/ result.json\n" +
			"  shicao verify --station-key station.pub --slip 'SC1:3f2a9c01d4e5b6a7:…' result.json\n" +
			"  shicao verify --station-key station.pub --appeal rescored.signed --centre-key centre.pub result.json\n",
	}
	var keys, trust, known listFlag
	c.Flag.Var(&keys, "station-key", "the station's verifier key file(s)")
	c.Flag.Var(&trust, "trust", "the province's verifier key file(s): also check the standards' signatures")
	c.Flag.Var(&known, "standards", "signed standards and blueprints (files, or directories of them): every published version, to check that none newer was in force on the exam date")
	threshold := c.Flag.Int("threshold", 1, "how many trusted province keys must have signed each standard")
	appeal := c.Flag.String("appeal", "", "an appeal state's signed document (shicao centre appeal show RESULT --signed N): check the centre signed it (--centre-key) about RESULT.json's exact bytes, and redo its re-score (docs/appeals.md)")
	centreKey := c.Flag.String("centre-key", "", "with --appeal: the centre's verifier key file")
	slip := c.Flag.String("slip", "", "a score slip's code (its QR code, or the text under it): check it was signed by the station and, given RESULT.json, that it is that result's (docs/slip.md)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		slipMode := *slip != "" && len(keys) > 0 && len(args) <= 1
		if !slipMode && (len(keys) == 0 || len(args) != 1) {
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
		if slipMode {
			var result string
			if len(args) == 1 {
				result = args[0]
			}
			return verifySlip(e, *slip, stationKeys, result, func(data []byte) (*examsync.Verified, error) {
				return examsync.VerifyBundle(data, stationKeys, t)
			})
		}
		data, err := verifyResult(e, args[0], stationKeys, t, known)
		if err != nil {
			return err
		}
		if *appeal != "" {
			return verifyAppeal(e, *appeal, *centreKey, data)
		}
		return nil
	}
	return c
}

// verifyResult verifies the result bundle in file, prints what it holds
// and returns its bytes.
func verifyResult(e *env, file string, stationKeys []string, t *standards.Trust, known []string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	v, err := examsync.VerifyBundle(data, stationKeys, t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	if err := v.CheckBound(); err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	inForce, err := judgeInForce(v, known, t)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	printVerified(e, v, inForce)
	return data, nil
}

// printVerified prints a verified result: who signed it, the candidate
// and how they were identified, each item's re-score and the total.
func printVerified(e *env, v *examsync.Verified, inForce string) {
	d := v.Doc
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
}

// verifyAppeal checks an appeal state against the result's bytes and
// redoes its re-score.
func verifyAppeal(e *env, path, keyFile string, bundle []byte) error {
	if keyFile == "" {
		return usagef("verify: --appeal needs --centre-key CENTRE.pub")
	}
	key, err := os.ReadFile(keyFile)
	if err != nil {
		return err
	}
	signed, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	d, err := centre.OpenAppealDoc(signed, string(key))
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := centre.CheckAppeal(d, bundle); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	fmt.Fprintf(e.stdout, "ok: appeal %s state %d (%s) signed by the centre, about this result's exact bytes\n", d.Appeal, d.Seq, d.State)
	if d.State == centre.AppealRescored {
		fmt.Fprintf(e.stdout, "re-score redone from the result's events and the reviewer's marks: total %s\n", d.Total)
	}
	return nil
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
func identityLine(id *examsync.Identity) string {
	switch {
	case id == nil:
		return "identity: not recorded (a result from before the ID-card check)"
	case id.Method == examsync.IdentityCard:
		return fmt.Sprintf("identity: card %s %s, valid %s-%s, photo sha256 %s", id.IDNumber, id.Name, id.ValidFrom, id.ValidTo, id.PhotoSHA256)
	default:
		return fmt.Sprintf("identity: MANUAL ENTRY of %s (%s), confirmed by %s", id.IDNumber, id.Reason, strings.Join(id.ConfirmedBy, ", "))
	}
}
