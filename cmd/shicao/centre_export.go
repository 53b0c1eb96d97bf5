package main

import (
	"context"
	"fmt"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// The tables the centre hands on: the day's results, and the examiners'
// certificates as the province's notice asks for them.

func centreExportCmd() *Command {
	return &Command{
		UsageLine: "centre export",
		Short:     "the results and the examiners as CSV or XLSX",
		Commands: []*Command{
			centreExportTableCmd("results", "the exams of that day (default every day)"),
			centreExportTableCmd("examiners", "the examiners' validity on that day, the notice's 持证情况统计表 (--unit: its 填报单位)"),
		},
	}
}

// centreExportTableCmd is `centre export results` or `centre export
// examiners`: the same flags, another table.
func centreExportTableCmd(what, short string) *Command {
	c := &Command{
		UsageLine: "centre export " + what + " [-o FILE.csv|FILE.xlsx] [--date YYYY-MM-DD] [--unit NAME]",
		Short:     short,
		Long: "Examples:\n  shicao centre export results -o results.xlsx\n" +
			"  shicao centre export examiners -o 考评员持证情况统计表.xlsx --unit 泰安市安全生产培训考务中心\n",
	}
	data := addCentreData(&c.Flag)
	out := c.Flag.String("o", "", "write to this file (.csv or .xlsx); default: CSV on standard output")
	date := c.Flag.String("date", "", "results: only the exams of this day (default every day); examiners: judge validity on this day (default today)")
	unit := c.Flag.String("unit", "", "examiners: the 填报单位 on the table (default: the centre's name)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		var day standards.Date
		if *date != "" {
			var err error
			if day, err = standards.ParseDate(*date); err != nil {
				return usagef("centre export %s: --date %q: give the day as YYYY-MM-DD, for example 2026-11-28", what, *date)
			}
		}
		if *out == "-" {
			*out = "" // the convention: - is standard output
		}
		if *out != "" && !centre.IsTableFile(*out) {
			return usagef("centre export %s: -o %q: give a .csv or .xlsx file name (without -o, CSV goes to standard output)", what, *out)
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			t, err := exportTable(ctx, ce, what, day, *unit)
			if err != nil {
				return err
			}
			// The rows stream from the database as they are written: their
			// number is known once they are.
			var n int
			if *out == "" {
				n, err = t.WriteCSV(e.stdout)
			} else {
				n, err = t.WriteFile(*out)
			}
			if err != nil {
				return err
			}
			if what == "results" && !day.IsZero() && n == 0 {
				fmt.Fprintf(e.stderr, "no result of an exam on %s has been received\n", day)
			}
			if *out != "" {
				fmt.Fprintf(e.stdout, "wrote %s: %s, %d rows\n", *out, t.Title, n)
			}
			return nil
		})
	}
	return c
}

// exportTable is the table asked for: the results (of day, or every day
// when it is zero) or the examiners (valid on day, today when zero).
func exportTable(ctx context.Context, ce *centre.Centre, what string, day standards.Date, unit string) (*centre.Table, error) {
	if what == "results" {
		return ce.ResultsTable(ctx, day)
	}
	if day.IsZero() {
		day = standards.DateOf(time.Now())
	}
	return ce.ExaminersTable(ctx, day, unit)
}
