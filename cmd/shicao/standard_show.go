package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"shicao/standards"
)

func standardShowCmd() *Command {
	c := &Command{
		UsageLine: "standard show FILE",
		Short:     "the scoring sheet as a table",
		Long:      "A paper's pools name each item by code and title when its file is beside the paper's.\n\nExamples:\n  shicao standard show standards/library/sd-dg-k42-cpr.yaml\n  shicao standard show standards/library/sd-dg-paper.yaml\n",
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
			return showBlueprint(e, doc.Blueprint, siblingTitles(args[0]))
		}
		return showStandard(e, doc.Standard)
	}
	return c
}

// showStandard prints a standard's sheet as the province publishes it: the
// heading (category, subject and code, time, equipment, examiners), the
// items with their deductions, then the overtime rule, the vetoes and the
// number of self-test vectors. A rule is labelled [设备] when the sheet names
// equipment and [自动] when it is computed from what the examiners record
// (a timing, a phase) on a sheet without any.
func showStandard(e *env, s *standards.Standard) error {
	code := s.Subject
	if s.Code != "" {
		code += " / " + s.Code
	}
	devices, ruleBy := "无（考评员评分）", "自动"
	if len(s.Devices) > 0 {
		devices, ruleBy = strings.Join(s.Devices, "、"), "设备"
	}
	fmt.Fprintf(e.stdout, "%s %s\n", s.ID, s.Title)
	fmt.Fprintf(e.stdout, "%s  %s  考试时间 %s  设备 %s  考评员 %d 人（评分相差超过 %s 分复核）\n", s.Category, code, cnDuration(s.TimeLimit), devices, s.Examiners, s.Tolerance)
	fmt.Fprintf(e.stdout, "版本 %d  生效 %s  合格 %s 分  sha256 %s\n\n", s.Version, s.Effective, s.PassMark(), s.SHA256()[:16])
	t := &table{right: map[int]bool{2: true, 4: true}}
	t.add("评分项", "", "配分", "扣分标准", "扣分")
	for _, it := range s.Items {
		t.add(it.ID, it.Title, it.Points.String(), "", "")
		for _, r := range it.Rules {
			d := "-" + r.Deduct.String()
			if r.Cap != nil {
				d += " (≤" + r.Cap.String() + ")"
			}
			t.add("", "", "", "["+ruleBy+"] "+r.Text, d)
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
		fmt.Fprintf(e.stdout, "\n超时：每超时 %s 扣 %s 分，超时 %s 后终止考试\n", cnDuration(o.Every), o.Deduct, cnDuration(o.StopAfter))
	}
	if len(s.Veto) > 0 {
		fmt.Fprintln(e.stdout, "\n否决项（考生该题得零分，终止该科目考试，实操考试不合格）：")
		for _, v := range s.Veto {
			by := ruleBy
			if v.Mark && v.When == "" {
				by = "考评员"
			} else if v.Mark {
				by = ruleBy + "/考评员"
			}
			fmt.Fprintf(e.stdout, "  %s  %s (%s)\n", v.ID, v.Text, by)
		}
	}
	fmt.Fprintf(e.stdout, "\n自测向量: %d\n", len(s.Tests))
	return nil
}

// showBlueprint prints a paper as the province publishes it: the category,
// time, pass rule and rounding, then each subject's weight and the items
// it draws from, by code and title where titles holds them.
func showBlueprint(e *env, b *standards.Blueprint, titles map[string]string) error {
	rounding := b.Rounding
	if rounding == standards.RoundHalfUpTenth {
		rounding = "各科目得分 = 题目得分 × 权重 ÷ 100，四舍五入保留一位小数，总分为其和"
	}
	fmt.Fprintf(e.stdout, "%s %s\n", b.ID, b.Title)
	fmt.Fprintf(e.stdout, "%s  考试时间 %s  总分 100 分，%s 分（含）以上合格；否决项未通过则不合格\n", b.Category, cnDuration(b.TimeLimit), b.Pass)
	fmt.Fprintf(e.stdout, "%s\n版本 %d  生效 %s\n\n", rounding, b.Version, b.Effective)
	t := &table{right: map[int]bool{2: true}}
	t.add("科目", "", "权重", "题库（抽取一题）")
	for _, s := range b.Subjects {
		for i, id := range s.Pool {
			item := id
			if title, ok := titles[id]; ok {
				item = title + "（" + id + "）"
			}
			if i == 0 {
				t.add(s.ID, s.Title, s.Weight.String(), item)
			} else {
				t.add("", "", "", item)
			}
		}
	}
	return t.write(e.stdout)
}

// siblingTitles reads the standards beside a paper's file and returns
// "K11 电工仪表安全使用" by id (the code, when the sheet has one, then the
// title). A file that does not parse is left out: the pool then shows the
// bare id, as it would for a file kept elsewhere.
func siblingTitles(file string) map[string]string {
	out := map[string]string{}
	paths, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "*.yaml"))
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		doc, err := standards.ParseAny(p, standards.SplitNote(b))
		if err != nil || doc.Standard == nil {
			continue
		}
		s := doc.Standard
		out[s.ID] = strings.TrimSpace(s.Code + " " + s.Title)
	}
	return out
}

// cnDuration writes a duration as a sheet does: 60分钟, 30秒, 1分30秒.
func cnDuration(d standards.Duration) string {
	td := time.Duration(d)
	m, s := int(td/time.Minute), int(td%time.Minute/time.Second)
	switch {
	case m == 0:
		return strconv.Itoa(s) + "秒"
	case s == 0:
		return strconv.Itoa(m) + "分钟"
	}
	return strconv.Itoa(m) + "分" + strconv.Itoa(s) + "秒"
}
