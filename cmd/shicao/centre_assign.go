package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"shicao/standards"
)

// centreAssign is `shicao centre assign`: the day's examiner draw, its
// reveal after the day, its verification, and substitutions on the day.
func centreAssign(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre assign", "centre assign --date D [--per-plan N] | --reveal --date D | --verify --date D [--seed S] [--input-out F] | --substitute --plan P --out ID --in ID --reason TEXT",
		"  shicao centre assign --date 2026-12-20\n  shicao centre assign --reveal --date 2026-12-20\n  shicao centre assign --verify --date 2026-12-20\n"+
			"  shicao centre assign --substitute --plan TA-2026-DG-001 --out 370902198001011230 --in 370902197001010009 --reason 病假\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	date := fs.String("date", "", "the exam date (YYYY-MM-DD)")
	perPlan := fs.Int("per-plan", 2, "examiners drawn for each plan")
	reveal := fs.Bool("reveal", false, "publish the day's seed (after the exam day)")
	verify := fs.Bool("verify", false, "redo the day's draw from the revealed seed (or --seed) and compare it with the published commitment")
	seed := fs.String("seed", "", "--verify: the seed to check (default: the revealed one)")
	inputOut := fs.String("input-out", "", "--verify: write the draw's input (plans and pool) to this file, for anyone to redo the draw")
	substitute := fs.Bool("substitute", false, "approve a substitute examiner on a plan (re-issues the plan)")
	plan := fs.String("plan", "", "--substitute: the plan")
	out := fs.String("out", "", "--substitute: the examiner leaving the plan")
	in := fs.String("in", "", "--substitute: the examiner joining it")
	reason := fs.String("reason", "", "--substitute: why")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if *substitute {
		if *plan == "" || *out == "" || *in == "" || strings.TrimSpace(*reason) == "" {
			return usagef("centre assign --substitute: give --plan, --out, --in and --reason")
		}
		p, err := c.Substitute(ctx, *plan, *out, *in, *reason)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "plan %s re-issued: examiner %s in place of %s (%s); its station syncs it before the exam\n", p.ID, *in, *out, *reason)
		return nil
	}
	day, err := standards.ParseDate(*date)
	if err != nil {
		return usagef("centre assign: --date %q: give the exam date as YYYY-MM-DD", *date)
	}
	switch {
	case *reveal:
		d, err := c.Reveal(ctx, day)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "draw of %s: seed %s (sha256 %s, as published)\n", d.Date, d.Seed, d.SeedSHA256)
	case *verify:
		d, err := c.VerifyDraw(ctx, day, *seed)
		if err != nil {
			return err
		}
		if *inputOut != "" {
			b, _ := json.MarshalIndent(d.Input, "", "  ")
			if err := os.WriteFile(*inputOut, append(b, '\n'), 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "draw of %s reproduced from seed %s (sha256 %s, as published):\n", d.Date, d.Seed, d.SeedSHA256)
		printAssignment(e, d.Assignment)
	default:
		d, err := c.Assign(ctx, day, *perPlan)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "drew the examiners of %s: %d plans; seed sha256 %s (the seed is revealed after the day)\n", d.Date, len(d.Assignment), d.SeedSHA256)
		printAssignment(e, d.Assignment)
		fmt.Fprintf(e.stdout, "commitment (publish it before the day):\n%s", d.Commitment)
	}
	return nil
}

func printAssignment(e *env, a map[string][]string) {
	for _, id := range slices.Sorted(maps.Keys(a)) {
		fmt.Fprintf(e.stdout, "  %s: %s\n", id, strings.Join(a[id], ", "))
	}
}
