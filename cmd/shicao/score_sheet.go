package main

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"shicao/scoring"
)

// printSheet writes the sheet as an examiner reads it: items, each
// deduction with its reason and the time of its evidence.
func printSheet(w io.Writer, s *scoring.Sheet) error {
	fmt.Fprintf(w, "%s %s  version %d  sha256 %s\n", s.ID, s.Title, s.Version, s.SHA256[:16])
	fmt.Fprintf(w, "用时 %s / %s", clock(s.ElapsedMs), clock(s.LimitMs))
	if !s.Finished {
		fmt.Fprint(w, "  (未结束)")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	t := &table{right: map[int]bool{2: true}}
	t.add("评分项", "", "得分", "扣分")
	for _, it := range s.Items {
		t.add(it.ID, it.Title, it.Score.String()+"/"+it.Points.String(), "")
		for _, d := range it.Deductions {
			t.add("", "", "-"+d.Points.String(), fmt.Sprintf("%s ×%d  %s", d.Text, d.Count, evidence(d.Evidence, d.Times)))
		}
		if it.Resolved != nil {
			t.add("", "", "", fmt.Sprintf("复核: 扣 %s, %s (%s)", it.Resolved.Deduct, it.Resolved.Reason, it.Resolved.By))
		} else if len(it.Examiners) > 1 && hasManual(it) {
			var parts []string
			for _, x := range it.Examiners {
				parts = append(parts, fmt.Sprintf("考评员%s -%s", x.Examiner, x.Deduct))
			}
			t.add("", "", "", "人工扣分取平均: "+strings.Join(parts, ", "))
		}
	}
	if err := t.write(w); err != nil {
		return err
	}
	if s.Overtime != nil {
		fmt.Fprintf(w, "\n超时扣分 -%s (%s)\n", s.Overtime.Points, s.Overtime.Text)
	}
	if s.Stopped {
		fmt.Fprintf(w, "已到终止时间; 之后的 %d 条设备记录未计分\n", len(s.Ignored))
	}
	if len(s.Outages) > 0 {
		fmt.Fprintln(w)
	}
	for _, o := range s.Outages {
		back := "未恢复"
		if o.BackSeq > 0 {
			back = fmt.Sprintf("%s 恢复 #%d", clock(o.BackMs), o.BackSeq)
		}
		fmt.Fprintf(w, "设备断开 %s: %s 断开 #%d, %s, %.1f 秒\n", o.Device, clock(o.LostMs), o.LostSeq, back, float64(o.DurationMs)/1000)
	}
	for _, v := range s.Vetoes {
		fmt.Fprintf(w, "\n否决: %s (%s) %s\n", v.Text, v.By, evidence(v.Evidence, v.Times))
	}
	if s.NeedsReview {
		fmt.Fprintf(w, "\n需复核: 考评员扣分相差超过允许值: %s\n", strings.Join(s.Review, ", "))
	}
	if s.Refused {
		fmt.Fprintln(w, "\n考生拒绝签字确认: 本题0分")
	}
	verdict := "不合格 FAIL"
	if s.Passed {
		verdict = "合格 PASS"
	}
	fmt.Fprintf(w, "\n得分 %s  %s (合格线 %s)\n", s.Score, verdict, s.PassMark)
	return nil
}

func hasManual(it scoring.ItemScore) bool {
	for _, x := range it.Examiners {
		if x.Deduct > 0 {
			return true
		}
	}
	return false
}

func clock(ms int64) string {
	return fmt.Sprintf("%d:%02d.%d", ms/60000, ms/1000%60, ms/100%10)
}

// evidence lists evidence events as seq@time, at most a handful.
func evidence(seqs, times []int64) string {
	if len(seqs) == 0 {
		return ""
	}
	var parts []string
	for i, s := range seqs {
		if i == 6 {
			parts = append(parts, "… +"+strconv.Itoa(len(seqs)-6))
			break
		}
		if i < len(times) {
			parts = append(parts, fmt.Sprintf("#%d@%s", s, clock(times[i])))
		} else {
			parts = append(parts, fmt.Sprintf("#%d", s))
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}
