package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

func centreAppealCmd() *Command {
	return &Command{
		UsageLine: "centre appeal",
		Short:     "appeals (申诉): filed, given a reviewer, decided; each state signed into the log",
		Commands:  []*Command{centreAppealFileCmd(), centreAppealAssignCmd(), centreAppealDecideCmd(), centreAppealShowCmd()},
	}
}

// oneResult is the RESULT argument of an appeal command.
func oneResult(c *Command, args []string) (string, error) {
	if len(args) != 1 {
		return "", usagef("%s: give one RESULT (see 'shicao %s --help')", c.LongName(), c.LongName())
	}
	return args[0], nil
}

func centreAppealFileCmd() *Command {
	c := &Command{
		UsageLine: "centre appeal file RESULT --reason TEXT [--days N]",
		Short:     "an appeal (申诉), within N days of the exam (default 15)",
		Long:      "Examples:\n  shicao centre appeal file 3f9a0c1d2e4b5a67 --reason '误判：已站在上风方向'\n",
	}
	data := addCentreData(&c.Flag)
	reason := c.Flag.String("reason", "", "the candidate's reason (申诉理由)")
	days := c.Flag.Int("days", centre.DefaultAppealDays, "how many days after the exam date an appeal may be filed")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		id, err := oneResult(c, args)
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			d, err := ce.FileAppeal(ctx, id, *reason, *days)
			if err != nil {
				return err
			}
			return printAppeal(ctx, e, ce, d)
		})
	}
	return c
}

func centreAppealAssignCmd() *Command {
	c := &Command{
		UsageLine: "centre appeal assign RESULT --reviewer ID",
		Short:     "a reviewer who examined none of the candidate's results",
		Long:      "Examples:\n  shicao centre appeal assign 3f9a0c1d2e4b5a67 --reviewer 370902197505053456\n",
	}
	data := addCentreData(&c.Flag)
	rev := c.Flag.String("reviewer", "", "the reviewer's 身份证号: a registered examiner who did not examine the candidate")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		id, err := oneResult(c, args)
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			d, err := ce.AssignAppeal(ctx, id, *rev)
			if err != nil {
				return err
			}
			return printAppeal(ctx, e, ce, d)
		})
	}
	return c
}

func centreAppealDecideCmd() *Command {
	c := &Command{
		UsageLine: "centre appeal decide RESULT --outcome upheld|rescored|reexam [--mark SUBJECT:ITEM:MARK]... [--plan PLAN] [--note TEXT]",
		Short:     "decide: rescored re-scores the same events with the reviewer's marks; reexam with --plan adds the candidate to that plan with the next attempt",
		Long: "Examples:\n  shicao centre appeal decide 3f9a0c1d2e4b5a67 --outcome upheld --note 评分无误\n" +
			"  shicao centre appeal decide 3f9a0c1d2e4b5a67 --outcome rescored --mark K1:protect:no-gloves\n",
	}
	data := addCentreData(&c.Flag)
	outcome := c.Flag.String("outcome", "", "upheld (the result stands), rescored (the reviewer's marks) or reexam (a 补考 is ordered)")
	note := c.Flag.String("note", "", "the reviewer's note")
	plan := c.Flag.String("plan", "", "reexam: add the candidate to this issued plan (补考) with the next attempt")
	var marks listFlag
	c.Flag.Var(&marks, "mark", "rescored: a mark the reviewer records, SUBJECT:ITEM:MARK (repeatable)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		id, err := oneResult(c, args)
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			var events map[string][]standards.Event
			if len(marks) > 0 {
				if events, err = reviewerMarks(ctx, ce, id, marks); err != nil {
					return err
				}
			}
			d, err := ce.DecideAppeal(ctx, id, *outcome, *note, events, *plan)
			if err != nil {
				return err
			}
			return printAppeal(ctx, e, ce, d)
		})
	}
	return c
}

// reviewerMarks are the --mark values as the events of the appeal's
// reviewer, by subject: a rescore re-scores the same events with them.
func reviewerMarks(ctx context.Context, ce *centre.Centre, id string, marks []string) (map[string][]standards.Event, error) {
	st, err := ce.AppealStanding(ctx, id)
	if err != nil {
		return nil, err
	}
	reviewer := ""
	for _, h := range st.History {
		if h.Doc.Reviewer != "" {
			reviewer = h.Doc.Reviewer
		}
	}
	if reviewer == "" {
		return nil, fmt.Errorf("the appeal on %s has no reviewer yet: shicao centre appeal assign %s --reviewer ID", id, id)
	}
	events := map[string][]standards.Event{}
	for _, m := range marks {
		subject, rest, ok1 := strings.Cut(m, ":")
		item, mark, ok2 := strings.Cut(rest, ":")
		if !ok1 || !ok2 || subject == "" || item == "" || mark == "" {
			return nil, usagef("--mark %q: give SUBJECT:ITEM:MARK, for example K1:protect:no-gloves", m)
		}
		data, err := json.Marshal(map[string]string{"item": item, "mark": mark})
		if err != nil {
			return nil, err
		}
		events[subject] = append(events[subject], standards.Event{Type: standards.TypeMark, Source: "examiner:" + reviewer, Data: data})
	}
	return events, nil
}

func centreAppealShowCmd() *Command {
	c := &Command{
		UsageLine: "centre appeal show RESULT [--json | --signed N]",
		Short:     "the score that stands, and every signed state with its log index",
		Long:      "Examples:\n  shicao centre appeal show 3f9a0c1d2e4b5a67\n",
	}
	data := addCentreData(&c.Flag)
	asJSON := c.Flag.Bool("json", false, "print every state's signed document and receipt (to verify them elsewhere)")
	signedSeq := c.Flag.Int("signed", 0, "print state N's signed document, byte for byte (for shicao verify --appeal)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		id, err := oneResult(c, args)
		if err != nil {
			return err
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			st, err := ce.AppealStanding(ctx, id)
			if err != nil {
				return err
			}
			switch {
			case *signedSeq > 0:
				for _, h := range st.History {
					if h.Doc.Seq == *signedSeq {
						_, err := e.stdout.Write(h.Signed)
						return err
					}
				}
				return fmt.Errorf("the appeal on %s has no state %d (it has %d)", id, *signedSeq, len(st.History))
			case *asJSON:
				return writeStandingJSON(e, st)
			}
			showStanding(e, st)
			return nil
		})
	}
	return c
}

// writeStandingJSON prints every state's signed document and receipt,
// for verifying them elsewhere.
func writeStandingJSON(e *env, st *centre.Standing) error {
	type state struct {
		Index   int64           `json:"index"`
		Signed  string          `json:"signed"`
		Receipt json.RawMessage `json:"receipt"`
	}
	out := struct {
		Result  string  `json:"result"`
		Total   string  `json:"total"`
		Passed  bool    `json:"passed"`
		State   string  `json:"state"`
		Pending bool    `json:"pending"`
		States  []state `json:"states"`
	}{Result: st.Result, Total: st.Total, Passed: st.Passed, State: st.State, Pending: st.Pending, States: []state{}}
	for _, h := range st.History {
		out.States = append(out.States, state{h.Index, string(h.Signed), h.Receipt})
	}
	enc := json.NewEncoder(e.stdout)
	enc.SetIndent("", "  ")
	return enc.Encode(out)
}

func printAppeal(ctx context.Context, e *env, c *centre.Centre, d *centre.AppealDoc) error {
	st, err := c.AppealStanding(ctx, d.Result)
	if err != nil {
		return err
	}
	showStanding(e, st)
	return nil
}

// showStanding prints the score that stands (never one nobody decided)
// and every state of the appeal with its log index.
func showStanding(e *env, st *centre.Standing) {
	verdict := "不合格 FAIL"
	if st.Passed {
		verdict = "合格 PASS"
	}
	fmt.Fprintf(e.stdout, "result %s: %s, total %s %s\n", st.Result, st.Label, st.Total, verdict)
	if len(st.History) == 0 {
		fmt.Fprintln(e.stdout, "no appeal")
	}
	for _, h := range st.History {
		d := h.Doc
		line := fmt.Sprintf("  %d %s %s log index %d", d.Seq, d.At, d.State, h.Index)
		switch d.State {
		case centre.AppealFiled:
			line += ": " + d.Reason
		case centre.AppealAssigned:
			line += ": reviewer " + d.Reviewer
		case centre.AppealRescored:
			line += ": re-scored total " + d.Total
		case centre.AppealReexam:
			line += fmt.Sprintf(": re-exam, attempt %d", d.Attempt)
			if d.Plan != "" {
				line += " on plan " + d.Plan
			} else {
				line += ", no plan issued yet"
			}
		}
		if d.Note != "" && d.State != centre.AppealAssigned {
			line += " (" + d.Note + ")"
		}
		fmt.Fprintln(e.stdout, line)
	}
}
