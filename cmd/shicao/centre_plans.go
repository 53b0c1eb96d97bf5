package main

import (
	"context"
	"fmt"
	"strconv"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// The examiners and the exam plans, imported from the province's
// spreadsheets (the day's draw is in centre_assign.go).

func centreExaminerCmd() *Command {
	return &Command{
		UsageLine: "centre examiner",
		Short:     "the examiners (考评员) and their certificates",
		Commands:  []*Command{centreExaminerImportCmd()},
	}
}

func centreExaminerImportCmd() *Command {
	c := &Command{
		UsageLine: "centre examiner import FILE.csv|FILE.xlsx",
		Short:     "import the examiners: one row per examiner and category",
		Long:      "Examples:\n  shicao centre examiner import --data /var/lib/shicao/centre examiners.xlsx\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("centre examiner import: give one FILE")
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			rows, err := centre.ExaminerRowsFromFile(args[0])
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return fmt.Errorf("%s: no row under the header: nothing imported", args[0])
			}
			if err := ce.ImportExaminers(ctx, rows); err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "imported %d examiner rows\n", len(rows))
			warn, err := ce.Unexaminable(ctx)
			if err != nil {
				return err
			}
			for _, w := range warn {
				fmt.Fprintf(e.stderr, "warning: %s: the plan cannot be examined as issued: import its roster again with another examiner in 考评员\n", w)
			}
			return nil
		})
	}
	return c
}

func centrePlanCmd() *Command {
	return &Command{
		UsageLine: "centre plan",
		Short:     "the exam plans issued to the stations",
		Commands:  []*Command{centrePlanImportCmd(), centrePlanListCmd()},
	}
}

func centrePlanImportCmd() *Command {
	c := &Command{
		UsageLine: "centre plan import FILE.csv|FILE.xlsx",
		Short:     "the provincial roster export: one row per candidate; issues a signed plan per station and day",
		Long:      "Examples:\n  shicao centre plan import --data /var/lib/shicao/centre plans.xlsx\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("centre plan import: give one FILE")
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			rows, err := centre.PlanRowsFromFile(args[0])
			if err != nil {
				return err
			}
			if len(rows) == 0 {
				return fmt.Errorf("%s: no row under the header: nothing imported", args[0])
			}
			ids, err := ce.ImportPlans(ctx, rows)
			if err != nil {
				return fmt.Errorf("%s: %w", args[0], err)
			}
			for _, id := range ids {
				p, _, err := ce.PlanByID(ctx, id)
				if err != nil {
					return err
				}
				fmt.Fprintf(e.stdout, "issued plan %s %s %s to %s: %d candidates, %d examiners\n", p.ID, p.Date, p.Category, p.Station, len(p.Candidates), len(p.Examiners))
			}
			return nil
		})
	}
	return c
}

func centrePlanListCmd() *Command {
	c := &Command{
		UsageLine: "centre plan list [--date YYYY-MM-DD]",
		Short:     "the issued plans",
		Long:      "Examples:\n  shicao centre plan list --date 2026-11-28\n",
	}
	data := addCentreData(&c.Flag)
	date := c.Flag.String("date", "", "only the plans of this exam date")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *date != "" {
			if _, err := standards.ParseDate(*date); err != nil {
				return usagef("centre plan list: --date %q: give the exam date as YYYY-MM-DD, for example 2026-11-28", *date)
			}
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			list, err := ce.Plans(ctx, *date)
			if err != nil {
				return err
			}
			if len(list) == 0 {
				if *date != "" {
					fmt.Fprintf(e.stdout, "no plan is issued for %s\n", *date)
				} else {
					fmt.Fprintln(e.stdout, "no plan is issued (import the roster: shicao centre plan import)")
				}
				return nil
			}
			t := &table{right: map[int]bool{5: true}}
			t.add("plan", "date", "site", "station", "category", "candidates")
			for _, p := range list {
				t.add(p.ID, p.Date, p.Site, p.Station, p.Category, strconv.Itoa(p.Candidates))
			}
			return t.write(e.stdout)
		})
	}
	return c
}
