package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"

	"shicao/cmd/shicao/internal/station"
	"shicao/scoring"
	"shicao/standards"
)

// scoreCmd is `shicao score`: re-score one item's event log by a
// standard, as the centre does (docs/exported-logs.md); `score paper`
// combines the item sheets into the paper's total.
func scoreCmd() *Command {
	c := &Command{
		UsageLine: "score --standard FILE --events FILE.jsonl [--station-key STATION.pub] [--json]",
		Short:     "re-score an event log by a standard; `score paper` combines sheets",
		Long:      "Examples:\n  shicao score --standard sd-dg-k42.signed --events k4.jsonl --station-key station.pub\n  shicao score --standard sd-dg-k42.yaml --events - --json < session-17.jsonl\n",
		Commands:  []*Command{scorePaperCmd()},
	}
	stdFile := c.Flag.String("standard", "", "the standard: plain YAML or a signed note")
	eventsFile := c.Flag.String("events", "", "the session's event log, JSON Lines ('-' for stdin)")
	var keys listFlag
	c.Flag.Var(&keys, "station-key", "the station's verifier key file(s): the log must be an export whose signed chain head verifies")
	asJSON := c.Flag.Bool("json", false, "print the sheet as JSON")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *stdFile == "" || *eventsFile == "" || len(args) != 0 {
			return usagef("score: give --standard and --events")
		}
		stationKeys, err := readKeys(keys)
		if err != nil {
			return err
		}
		sheet, err := scoreLog(e, *stdFile, *eventsFile, stationKeys)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, sheet)
		}
		return printSheet(e.stdout, sheet)
	}
	return c
}

// scoreLog re-scores the event log in eventsFile ("-": stdin) by the
// standard in stdFile, saying on stderr how far the log was verified and
// which events were not scored.
func scoreLog(e *env, stdFile, eventsFile string, stationKeys []string) (*scoring.Sheet, error) {
	text, err := loadText(stdFile)
	if err != nil {
		return nil, err
	}
	std, err := standards.Parse(stdFile, text)
	if err != nil {
		return nil, err
	}
	var r io.Reader = e.stdin
	name := "stdin"
	if eventsFile != "-" {
		f, err := os.Open(eventsFile)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		r, name = f, eventsFile
	}
	sess := scoring.NewSession(std)
	check, err := station.CheckEventLog(r, name, stationKeys, sess.AddView)
	if err != nil {
		return nil, err // located already: file:line: ...
	}
	sheet, err := sess.Sheet()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	warnTrust(e, name, check, std)
	for _, u := range sheet.Unknown {
		fmt.Fprintf(e.stderr, "%s: event %d: type %q is not in the vocabulary; not scored\n", name, u.Seq, u.Type)
	}
	return sheet, nil
}

// warnTrust says on stderr how far the log was verified; only a log whose
// signed chain head verified with a station key goes without a warning.
func warnTrust(e *env, name string, c *station.LogCheck, std *standards.Standard) {
	switch c.Trust {
	case station.LogPlain:
		fmt.Fprintf(e.stderr, "warning: %s: UNVERIFIED: no chain hashes and no signed chain head; nothing shows this log was not edited (a station's log: 'shicao station export --events' writes it with both)\n", name)
	case station.LogChainOnly:
		fmt.Fprintf(e.stderr, "warning: %s: UNVERIFIED: the chain hashes hold but no signed chain head anchors them (the header line is missing)\n", name)
	case station.LogHeadUnsigned:
		fmt.Fprintf(e.stderr, "warning: %s: the chain holds up to the head the result %s names, but its signature is not checked: give --station-key STATION.pub\n", name, c.Header.Result)
	case station.LogVerified:
		fmt.Fprintf(e.stderr, "%s: verified: chain intact, head signed by %s (result %s, subject %s)\n", name, strings.Join(c.Signers, ", "), c.Header.Result, c.Header.Subject)
	}
	if h := c.Header; h != nil && h.Standard.SHA256 != std.SHA256() {
		fmt.Fprintf(e.stderr, "warning: %s: the station scored this log under %s version %d sha256 %.12s…; --standard is %s version %d sha256 %.12s…: the score may differ from the signed one\n",
			name, h.Standard.ID, h.Standard.Version, h.Standard.SHA256, std.ID, std.Version, std.SHA256())
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func scorePaperCmd() *Command {
	c := &Command{
		UsageLine: "score paper --blueprint FILE SHEET.json...",
		Short:     "combine item sheets (JSON from 'shicao score --json') into the paper's total",
		Long:      "Examples:\n  shicao score paper --blueprint sd-dg-paper.yaml k13.json k21.json k31.json k42.json\n",
	}
	bpFile := c.Flag.String("blueprint", "", "the paper blueprint: plain YAML or a signed note")
	asJSON := c.Flag.Bool("json", true, "print the result as JSON")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *bpFile == "" || len(args) == 0 {
			return usagef("score paper: give --blueprint and the sheets (JSON from 'shicao score --json')")
		}
		text, err := loadText(*bpFile)
		if err != nil {
			return err
		}
		bp, err := standards.ParseBlueprint(*bpFile, text)
		if err != nil {
			return err
		}
		sheets, err := readSheets(args)
		if err != nil {
			return err
		}
		r, err := scoring.Paper(bp, sheets)
		if err != nil {
			return err
		}
		if *asJSON {
			return writeJSON(e.stdout, r)
		}
		return nil
	}
	return c
}

// readSheets reads item sheets written by 'shicao score --json'.
func readSheets(files []string) ([]*scoring.Sheet, error) {
	var sheets []*scoring.Sheet
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var s scoring.Sheet
		if err := json.NewDecoder(bytes.NewReader(b)).Decode(&s); err != nil {
			return nil, fmt.Errorf("%s: not a sheet from 'shicao score --json': %v", f, err)
		}
		if s.ID == "" {
			return nil, fmt.Errorf("%s: not a sheet: no id", f)
		}
		sheets = append(sheets, &s)
	}
	return sheets, nil
}
