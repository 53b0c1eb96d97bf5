package main

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"slices"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// assignFlags are `shicao centre assign`'s flags. The command is one
// leaf whose mode is chosen by a flag (--reveal, --verify, --substitute,
// else the draw), as scripts and the docs have always called it.
type assignFlags struct {
	date, seed, inputOut       string
	perPlan                    int
	reveal, verify, substitute bool
	plan, out, in, reason      string
}

func centreAssignCmd() *Command {
	c := &Command{
		UsageLine: "centre assign --date D [--per-plan N] | --reveal --date D | --verify --date D [--seed S] [--input-out F] | --substitute --plan P --out ID --in ID --reason TEXT",
		Short:     "the day's examiner draw (recusal enforced; the seed's hash published before the day), its reveal and check after the day, substitutes on the day",
		Long: `Modes:
  --date D [--per-plan N]        draw the day's examiners; publishes the seed's hash, before the day
  --reveal --date D              publish the day's seed, after the day
  --verify --date D [--seed S]   redo the day's draw from the revealed seed and compare it with the commitment
  --substitute --plan P --out ID --in ID --reason TEXT
                                 approve a substitute examiner on the day (the plan is re-issued, signed)

Examples:
  shicao centre assign --date 2026-12-20
  shicao centre assign --reveal --date 2026-12-20
  shicao centre assign --verify --date 2026-12-20
  shicao centre assign --substitute --plan TA-2026-DG-001 --out 370902198001011230 --in 370902197001010009 --reason 病假
`,
	}
	data := addCentreData(&c.Flag)
	var f assignFlags
	c.Flag.StringVar(&f.date, "date", "", "the exam date (YYYY-MM-DD)")
	c.Flag.IntVar(&f.perPlan, "per-plan", 2, "examiners drawn for each plan")
	c.Flag.BoolVar(&f.reveal, "reveal", false, "publish the day's seed (after the exam day)")
	c.Flag.BoolVar(&f.verify, "verify", false, "redo the day's draw from the revealed seed (or --seed) and compare it with the published commitment")
	c.Flag.StringVar(&f.seed, "seed", "", "--verify: the seed to check (default: the revealed one)")
	c.Flag.StringVar(&f.inputOut, "input-out", "", "--verify: write the draw's input (plans and pool) to this file, for anyone to redo the draw")
	c.Flag.BoolVar(&f.substitute, "substitute", false, "approve a substitute examiner on a plan (re-issues the plan)")
	c.Flag.StringVar(&f.plan, "plan", "", "--substitute: the plan")
	c.Flag.StringVar(&f.out, "out", "", "--substitute: the examiner leaving the plan")
	c.Flag.StringVar(&f.in, "in", "", "--substitute: the examiner joining it")
	c.Flag.StringVar(&f.reason, "reason", "", "--substitute: why")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, func(ce *centre.Centre) error { return f.run(ctx, e, ce) })
	}
	return c
}

// run does what the flags ask.
func (f *assignFlags) run(ctx context.Context, e *env, ce *centre.Centre) error {
	if f.substitute {
		return f.runSubstitute(ctx, e, ce)
	}
	day, err := standards.ParseDate(f.date)
	if err != nil {
		return usagef("centre assign: --date %q: give the exam date as YYYY-MM-DD", f.date)
	}
	switch {
	case f.reveal:
		d, err := ce.Reveal(ctx, day)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "draw of %s: seed %s (sha256 %s, as published)\n", d.Date, d.Seed, d.SeedSHA256)
	case f.verify:
		d, err := ce.VerifyDraw(ctx, day, f.seed)
		if err != nil {
			return err
		}
		if f.inputOut != "" {
			b, _ := json.MarshalIndent(d.Input, "", "  ")
			if err := os.WriteFile(f.inputOut, append(b, '\n'), 0o644); err != nil {
				return err
			}
		}
		fmt.Fprintf(e.stdout, "draw of %s reproduced from seed %s (sha256 %s, as published):\n", d.Date, d.Seed, d.SeedSHA256)
		printAssignment(e, d.Assignment)
	default:
		d, err := ce.Assign(ctx, day, f.perPlan)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "drew the examiners of %s: %d plans; seed sha256 %s (the seed is revealed after the day)\n", d.Date, len(d.Assignment), d.SeedSHA256)
		printAssignment(e, d.Assignment)
		fmt.Fprintf(e.stdout, "commitment (publish it before the day):\n%s", d.Commitment)
	}
	return nil
}

// runSubstitute is assign --substitute: an examiner replaced on a plan
// on the day, the plan re-issued.
func (f *assignFlags) runSubstitute(ctx context.Context, e *env, ce *centre.Centre) error {
	if f.plan == "" || f.out == "" || f.in == "" || strings.TrimSpace(f.reason) == "" {
		return usagef("centre assign --substitute: give --plan, --out, --in and --reason")
	}
	p, err := ce.Substitute(ctx, f.plan, f.out, f.in, f.reason)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "plan %s re-issued: examiner %s in place of %s (%s); its station syncs it before the exam\n", p.ID, f.in, f.out, f.reason)
	return nil
}

func printAssignment(e *env, a map[string][]string) {
	for _, id := range slices.Sorted(maps.Keys(a)) {
		fmt.Fprintf(e.stdout, "  %s: %s\n", id, strings.Join(a[id], ", "))
	}
}
