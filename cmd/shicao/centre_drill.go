package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
	examsync "shicao/sync"
)

// Examiner calibration drills at the centre (docs/drills.md): publish a
// recorded item with the panel's marks, and report each examiner's
// deviation from the panel per 评分项 over time.

func centreDrillCmd() *Command {
	return &Command{
		UsageLine: "centre drill",
		Short:     "examiner calibration drills: publish one, list them, report each examiner's deviation",
		Commands:  []*Command{centreDrillPublishCmd(), centreDrillListCmd(), centreDrillReportCmd()},
	}
}

func centreDrillPublishCmd() *Command {
	c := &Command{
		UsageLine: "centre drill publish [--data DIR] --id ID --standard ID --version N --panel ITEM=POINTS,... [--title T] [-o FILE] EVENTS.jsonl",
		Short:     "sign a recorded item and the panel's agreed marks as a drill for every station",
		Long: "EVENTS.jsonl is the item's event log (a standard's vector, or an exported log); the\n" +
			"examiners' and the candidate's events are left out. --panel gives the manual deduction the\n" +
			"panel agreed on for each 评分项 with marks (an item not named: 0). Stations pull the drill\n" +
			"on sync; -o also writes it for shicao station drill install.\n\n" +
			"Examples:\n  shicao centre drill publish --id DR-K42-01 --standard SD-DG-K42 --version 1 --panel assess=2,call=1 cpr.jsonl\n",
	}
	data := addCentreData(&c.Flag)
	id := c.Flag.String("id", "", "the drill's id")
	std := c.Flag.String("standard", "", "the published item standard it is marked by")
	version := c.Flag.Int("version", 0, "the standard's version")
	panel := c.Flag.String("panel", "", "the panel's marks: ITEM=POINTS, comma-separated")
	title := c.Flag.String("title", "", "a title (default: the standard's)")
	out := c.Flag.String("o", "", "also write the signed drill to this file")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 || *id == "" || *std == "" || *version <= 0 {
			return usagef("centre drill publish: give --id, --standard, --version and one event log")
		}
		marks, err := parsePanel(*panel)
		if err != nil {
			return usagef("centre drill publish: --panel: %v", err)
		}
		f, err := os.Open(args[0])
		if err != nil {
			return err
		}
		events, err := standards.ReadEvents(f, args[0])
		f.Close()
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			d := examsync.Drill{ID: *id, Title: *title, Standard: examsync.StandardRef{ID: *std, Version: *version}, Panel: marks}
			signed, err := ce.PublishDrill(ctx, d, events)
			if err != nil {
				return err
			}
			if *out != "" {
				if err := writeFileReplacing(*out, signed); err != nil {
					return fmt.Errorf("write %s: %w", *out, err)
				}
			}
			fmt.Fprintf(e.stdout, "drill %s published (%s version %d, panel %s): stations pull it on sync\n", *id, *std, *version, panelText(marks))
			return nil
		})
	}
	return c
}

// parsePanel reads ITEM=POINTS,ITEM=POINTS.
func parsePanel(s string) ([]examsync.PanelMark, error) {
	var out []examsync.PanelMark
	for _, part := range strings.Split(s, ",") {
		if part = strings.TrimSpace(part); part == "" {
			continue
		}
		item, pts, ok := strings.Cut(part, "=")
		if !ok {
			return nil, fmt.Errorf("%q: want ITEM=POINTS", part)
		}
		p, err := standards.ParsePoints(strings.TrimSpace(pts))
		if err != nil {
			return nil, fmt.Errorf("%q: %w", part, err)
		}
		out = append(out, examsync.PanelMark{Item: strings.TrimSpace(item), Deduct: p})
	}
	return out, nil
}

func panelText(marks []examsync.PanelMark) string {
	if len(marks) == 0 {
		return "no deductions"
	}
	var parts []string
	for _, m := range marks {
		parts = append(parts, m.Item+" -"+m.Deduct.String())
	}
	return strings.Join(parts, ", ")
}

func centreDrillListCmd() *Command {
	c := &Command{
		UsageLine: "centre drill list [--data DIR]",
		Short:     "list the published drills",
		Long:      "Examples:\n  shicao centre drill list --data /var/lib/shicao/centre\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("centre drill list: unexpected argument %q", args[0])
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			list, err := ce.Drills(ctx)
			if err != nil {
				return err
			}
			for _, d := range list {
				fmt.Fprintf(e.stdout, "%s  %s  %s version %d  published %s\n", d.ID, d.Title, d.Standard, d.Version, time.UnixMilli(d.PublishedMs).Format("2006-01-02 15:04"))
			}
			fmt.Fprintf(e.stdout, "%d drill(s)\n", len(list))
			return nil
		})
	}
	return c
}

func centreDrillReportCmd() *Command {
	c := &Command{
		UsageLine: "centre drill report [--data DIR] [--since YYYY-MM-DD] [--tolerance POINTS] [--csv] [-o FILE]",
		Short:     "each examiner's deviation from the panel per 评分项, flagging those over the tolerance",
		Long: "Text: one line per examiner and 评分项 (drills marked, mean |deviation|, bias, max), those over\n" +
			"the tolerance first, marked OVER. --csv: every drill marked, one row per 评分项, over time.\n" +
			"The tolerance is the standard's examiner tolerance unless --tolerance is given.\n\n" +
			"Examples:\n  shicao centre drill report --since 2026-01-01\n  shicao centre drill report --csv -o 校准偏差.csv\n",
	}
	data := addCentreData(&c.Flag)
	since := c.Flag.String("since", "", "only drills marked on or after this day")
	tol := c.Flag.String("tolerance", "", "flag over this many points (default: each standard's tolerance)")
	asCSV := c.Flag.Bool("csv", false, "write the series as CSV")
	out := c.Flag.String("o", "", "write to this file; default: standard output")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("centre drill report: unexpected argument %q", args[0])
		}
		var sinceMs int64
		if *since != "" {
			t, err := time.ParseInLocation("2006-01-02", *since, time.Local)
			if err != nil {
				return usagef("centre drill report: --since %q: want YYYY-MM-DD", *since)
			}
			sinceMs = t.UnixMilli()
		}
		var tolerance standards.Points
		if *tol != "" {
			p, err := standards.ParsePoints(*tol)
			if err != nil || p <= 0 {
				return usagef("centre drill report: --tolerance %q: want points above 0", *tol)
			}
			tolerance = p
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			rows, err := ce.CalibrationRows(ctx, sinceMs)
			if err != nil {
				return err
			}
			var buf bytes.Buffer
			if *asCSV {
				err = centre.WriteCalibrationCSV(&buf, rows, time.Local)
			} else {
				err = centre.WriteCalibrationText(&buf, centre.Summarize(rows, tolerance), time.Local)
			}
			if err != nil {
				return err
			}
			if *out == "" {
				_, err := e.stdout.Write(buf.Bytes())
				return err
			}
			if err := writeFileReplacing(*out, buf.Bytes()); err != nil {
				return fmt.Errorf("write %s: %w", *out, err)
			}
			fmt.Fprintf(e.stderr, "%s row(s) written to %s\n", strconv.Itoa(len(rows)), *out)
			return nil
		})
	}
	return c
}
