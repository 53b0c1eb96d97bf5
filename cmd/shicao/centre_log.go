package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
)

// What the centre recorded: its Merkle log, checked whole, and the
// alarms it keeps for people.

func centreLogCmd() *Command {
	return &Command{
		UsageLine: "centre log",
		Short:     "the centre's Merkle log of results and appeal states",
		Commands:  []*Command{centreLogVerifyCmd()},
	}
}

func centreLogVerifyCmd() *Command {
	c := &Command{
		UsageLine: "centre log verify [--rescore] [--from INDEX]",
		Short:     "check the database (integrity_check), the whole Merkle log, every checkpoint and receipt (--from: go on from where an interrupted run stopped)",
		Long:      "Examples:\n  shicao centre log verify --data /var/lib/shicao/centre --rescore\n",
	}
	data := addCentreData(&c.Flag)
	rescore := c.Flag.Bool("rescore", false, "also verify and re-score every result again")
	from := c.Flag.Int64("from", 0, "check the results' bodies, receipts and rows from this record on (the tree and checkpoints are always checked whole)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *from < 0 {
			return usagef("--from %d: a record index is 0 or more", *from)
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			if err := ce.IntegrityCheck(ctx); err != nil {
				return fmt.Errorf("the database does not verify: %w (docs/operations.md, \"A damaged database\")", err)
			}
			if ce.PostgreSQL() {
				fmt.Fprintln(e.stdout, "ok: PostgreSQL (no whole-database pass: the server checks pages as it reads them)")
			} else {
				fmt.Fprintln(e.stdout, "ok: SQLite integrity_check")
			}
			rep, err := ce.VerifyLogWith(ctx, centre.VerifyOptions{Rescore: *rescore, From: *from})
			if err != nil {
				if ctx.Err() != nil {
					return fmt.Errorf("log verify interrupted: the results before record %d are checked; go on with --from %d", rep.Next, rep.Next)
				}
				return fmt.Errorf("the log does not verify: %w", err)
			}
			fmt.Fprintln(e.stdout, verifySummary(rep, *rescore))
			return nil
		})
	}
	return c
}

// verifySummary is the line that says what a log check found good.
func verifySummary(rep *centre.LogReport, rescore bool) string {
	msg := fmt.Sprintf("ok: log of %d records, root %x…; %d signed checkpoints and %d receipts verify", rep.Records, rep.Root[:8], rep.Checkpoints, rep.Receipts)
	if rep.Appeals > 0 {
		msg += fmt.Sprintf(" (%d of them appeal states)", rep.Appeals)
	}
	if rescore {
		msg += "; " + strconv.Itoa(rep.Rescored) + " results re-scored identically"
	}
	if rep.From > 0 {
		msg += fmt.Sprintf(" (bodies from record %d on)", rep.From)
	}
	return msg
}

func centreAlarmsCmd() *Command {
	c := &Command{
		UsageLine: "centre alarms",
		Short:     "refusals kept for people (duplicate ids, forged results)",
		Long:      "Examples:\n  shicao centre alarms --data /var/lib/shicao/centre\n",
	}
	data := addCentreData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error {
			list, err := ce.Alarms(ctx)
			if err != nil {
				return err
			}
			for _, a := range list {
				from := ""
				if a.Station != "" { // an examiner import's alarm comes from no station
					from = " station " + a.Station
				}
				resolved := ""
				if a.ResolvedMs > 0 {
					resolved = " [resolved " + time.UnixMilli(a.ResolvedMs).Format(time.DateTime) + "]"
				} else if strings.HasPrefix(a.Kind, "reconcile-") {
					resolved = " [open]"
				}
				fmt.Fprintf(e.stdout, "%s %s%s %s: %s%s\n", time.UnixMilli(a.AtMs).Format(time.DateTime), a.Kind, from, a.Subject, a.Detail, resolved)
			}
			if len(list) == 0 {
				fmt.Fprintln(e.stdout, "no alarms")
			}
			return nil
		})
	}
	return c
}
