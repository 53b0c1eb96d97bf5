package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"shicao/standards"
)

func standardShowCmd() *Command {
	c := &Command{
		UsageLine: "standard show FILE",
		Short:     "the scoring sheet as a table",
		Long:      "Examples:\n  shicao standard show standards/library/sd-dg-k42-cpr.yaml\n",
	}
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("standard show: give one FILE")
		}
		text, err := loadText(args[0])
		if err != nil {
			return err
		}
		doc, err := standards.ParseAny(args[0], text)
		if err != nil {
			return err
		}
		if doc.Blueprint != nil {
			return showBlueprint(e, doc.Blueprint)
		}
		return showStandard(e, doc.Standard)
	}
	return c
}

// showStandard prints a standard's sheet as the province publishes it:
// items with their device rules and examiners' marks, then the overtime
// rule, the vetoes and the number of self-test vectors.
func showStandard(e *env, s *standards.Standard) error {
	fmt.Fprintf(e.stdout, "%s %s  version %d  effective %s  sha256 %s\n", s.ID, s.Title, s.Version, s.Effective, s.SHA256()[:16])
	fmt.Fprintf(e.stdout, "%s %s/%s  time %s  devices %s  examiners %d (tolerance %s)\n\n", s.Category, s.Subject, s.Code, s.TimeLimit, strings.Join(s.Devices, ","), s.Examiners, s.Tolerance)
	t := &table{right: map[int]bool{2: true, 4: true}}
	t.add("评分项", "", "配分", "扣分标准", "扣分")
	for _, it := range s.Items {
		t.add(it.ID, it.Title, it.Points.String(), "", "")
		for _, r := range it.Rules {
			d := "-" + r.Deduct.String()
			if r.Cap != nil {
				d += " (≤" + r.Cap.String() + ")"
			}
			t.add("", "", "", "[设备] "+r.Text, d)
		}
		for _, m := range it.Marks {
			d := "-" + m.Deduct.String()
			if m.MaxTimes() > 1 {
				d += " ×" + strconv.Itoa(m.MaxTimes())
			}
			t.add("", "", "", "[考评] "+m.Text, d)
		}
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	if o := s.Overtime; o != nil && o.Deduct > 0 {
		fmt.Fprintf(e.stdout, "\n超时: 每 %s 扣 %s 分, 超时 %s 后终止\n", o.Every, o.Deduct, o.StopAfter)
	}
	if len(s.Veto) > 0 {
		fmt.Fprintln(e.stdout, "\n否决项:")
		for _, v := range s.Veto {
			by := "设备"
			if v.Mark && v.When == "" {
				by = "考评员"
			} else if v.Mark {
				by = "设备/考评员"
			}
			fmt.Fprintf(e.stdout, "  %s  %s (%s)\n", v.ID, v.Text, by)
		}
	}
	fmt.Fprintf(e.stdout, "\n自测向量: %d\n", len(s.Tests))
	return nil
}

func showBlueprint(e *env, b *standards.Blueprint) error {
	fmt.Fprintf(e.stdout, "%s %s  version %d  effective %s\n%s  total time %s  pass %s  rounding %s\n\n", b.ID, b.Title, b.Version, b.Effective, b.Category, b.TimeLimit, b.Pass, b.Rounding)
	t := &table{right: map[int]bool{2: true}}
	t.add("科目", "", "权重", "题库")
	for _, s := range b.Subjects {
		t.add(s.ID, s.Title, s.Weight.String(), strings.Join(s.Pool, " "))
	}
	return t.write(e.stdout)
}
