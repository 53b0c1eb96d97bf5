package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// centreAppealVerbs are shicao centre appeal file|assign|decide|show.
func centreAppealVerbs(ctx context.Context, e *env) map[string]func([]string) error {
	return map[string]func([]string) error{
		"file":   func(a []string) error { return centreAppealFile(ctx, e, a) },
		"assign": func(a []string) error { return centreAppealAssign(ctx, e, a) },
		"decide": func(a []string) error { return centreAppealDecide(ctx, e, a) },
		"show":   func(a []string) error { return centreAppealShow(ctx, e, a) },
	}
}

// oneResult parses flags and the one RESULT argument.
func oneResult(fs *flag.FlagSet, args []string, usage string) (string, error) {
	if err := parse(fs, args); err != nil {
		return "", err
	}
	if fs.NArg() != 1 {
		return "", usagef("%s", usage)
	}
	return fs.Arg(0), nil
}

func centreAppealFile(ctx context.Context, e *env, args []string) error {
	const use = "centre appeal file RESULT --reason TEXT [--days N] --data DIR"
	fs := newFlags(e, "centre appeal file", use, "  shicao centre appeal file 3f9a0c1d2e4b5a67 --reason '误判：已站在上风方向'\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	reason := fs.String("reason", "", "the candidate's reason (申诉理由)")
	days := fs.Int("days", centre.DefaultAppealDays, "how many days after the exam date an appeal may be filed")
	id, err := oneResult(fs, args, use)
	if err != nil {
		return err
	}
	return withCentre(ctx, *data, func(c *centre.Centre) error {
		d, err := c.FileAppeal(ctx, id, *reason, *days)
		if err != nil {
			return err
		}
		return printAppeal(ctx, e, c, d)
	})
}

func centreAppealAssign(ctx context.Context, e *env, args []string) error {
	const use = "centre appeal assign RESULT --reviewer ID --data DIR"
	fs := newFlags(e, "centre appeal assign", use, "  shicao centre appeal assign 3f9a0c1d2e4b5a67 --reviewer 370902197505053456\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	rev := fs.String("reviewer", "", "the reviewer's 身份证号: a registered examiner who did not examine the candidate")
	id, err := oneResult(fs, args, use)
	if err != nil {
		return err
	}
	return withCentre(ctx, *data, func(c *centre.Centre) error {
		d, err := c.AssignAppeal(ctx, id, *rev)
		if err != nil {
			return err
		}
		return printAppeal(ctx, e, c, d)
	})
}

func centreAppealDecide(ctx context.Context, e *env, args []string) error {
	const use = "centre appeal decide RESULT --outcome upheld|rescored|reexam [--mark SUBJECT:ITEM:MARK]... [--plan PLAN] [--note TEXT] --data DIR"
	fs := newFlags(e, "centre appeal decide", use,
		"  shicao centre appeal decide 3f9a0c1d2e4b5a67 --outcome upheld --note 评分无误\n  shicao centre appeal decide 3f9a0c1d2e4b5a67 --outcome rescored --mark K1:protect:no-gloves\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	outcome := fs.String("outcome", "", "upheld (the result stands), rescored (the reviewer's marks) or reexam (a 补考 is ordered)")
	note := fs.String("note", "", "the reviewer's note")
	plan := fs.String("plan", "", "reexam: add the candidate to this issued plan (补考) with the next attempt")
	var marks listFlag
	fs.Var(&marks, "mark", "rescored: a mark the reviewer records, SUBJECT:ITEM:MARK (repeatable)")
	id, err := oneResult(fs, args, use)
	if err != nil {
		return err
	}
	return withCentre(ctx, *data, func(c *centre.Centre) error {
		var events map[string][]standards.Event
		if len(marks) > 0 {
			st, err := c.AppealStanding(ctx, id)
			if err != nil {
				return err
			}
			reviewer := ""
			for _, h := range st.History {
				if h.Doc.Reviewer != "" {
					reviewer = h.Doc.Reviewer
				}
			}
			if reviewer == "" {
				return fmt.Errorf("the appeal on %s has no reviewer yet: shicao centre appeal assign %s --reviewer ID", id, id)
			}
			events = map[string][]standards.Event{}
			for _, m := range marks {
				subject, rest, ok1 := strings.Cut(m, ":")
				item, mark, ok2 := strings.Cut(rest, ":")
				if !ok1 || !ok2 || subject == "" || item == "" || mark == "" {
					return usagef("--mark %q: give SUBJECT:ITEM:MARK, for example K1:protect:no-gloves", m)
				}
				data, err := json.Marshal(map[string]string{"item": item, "mark": mark})
				if err != nil {
					return err
				}
				events[subject] = append(events[subject], standards.Event{Type: standards.TypeMark, Source: "examiner:" + reviewer, Data: data})
			}
		}
		d, err := c.DecideAppeal(ctx, id, *outcome, *note, events, *plan)
		if err != nil {
			return err
		}
		return printAppeal(ctx, e, c, d)
	})
}

func centreAppealShow(ctx context.Context, e *env, args []string) error {
	const use = "centre appeal show RESULT [--json | --signed N] --data DIR"
	fs := newFlags(e, "centre appeal show", use, "  shicao centre appeal show 3f9a0c1d2e4b5a67\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	asJSON := fs.Bool("json", false, "print every state's signed document and receipt (to verify them elsewhere)")
	signedSeq := fs.Int("signed", 0, "print state N's signed document, byte for byte (for shicao verify --appeal)")
	id, err := oneResult(fs, args, use)
	if err != nil {
		return err
	}
	return withCentre(ctx, *data, func(c *centre.Centre) error {
		st, err := c.AppealStanding(ctx, id)
		if err != nil {
			return err
		}
		if *signedSeq > 0 {
			for _, h := range st.History {
				if h.Doc.Seq == *signedSeq {
					_, err := e.stdout.Write(h.Signed)
					return err
				}
			}
			return fmt.Errorf("the appeal on %s has no state %d (it has %d)", id, *signedSeq, len(st.History))
		}
		if *asJSON {
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
		showStanding(e, st)
		return nil
	})
}

func withCentre(ctx context.Context, dir string, f func(*centre.Centre) error) error {
	c, err := openCentre(ctx, dir)
	if err != nil {
		return err
	}
	defer c.Close()
	return f(c)
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
