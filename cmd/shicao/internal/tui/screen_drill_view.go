package tui

import (
	"fmt"
	"strings"
	"time"

	"shicao/scoring"
	"shicao/standards"
)

// view draws the drill screen inside the drill's own frame: the title,
// the body cut to the window, the status line and the help bar of the
// keys the screen handles now.
func (d *drillModel) view() string {
	m := d.root
	st := m.styles
	title := st.Title.Render(fmt.Sprintf("shicao · %s · %s %s · %s", m.t("drill-title"), m.t("station"), m.d.Station.Name(), m.d.Station.Now().Format("01-02 15:04:05")))
	var body []string
	switch d.stage {
	case drillPick:
		body = d.viewPick()
	case drillID, drillPIN:
		body = d.viewSignIn()
	case drillMarking:
		body = d.viewMarking()
	case drillDone:
		body = d.viewDone()
	}
	status := ""
	switch {
	case d.asking:
		status = st.Warn.Render("? " + m.t("drill-sure") + " — " + m.t("yes-no"))
	case m.status != "" && m.bad:
		status = st.Bad.Render("✗ " + maskIDs(m.status))
	case m.status != "":
		status = st.Good.Render("✓ " + maskIDs(m.status))
	}
	help := helpLines(d.keys(), m.w, st.Help)
	room := max(m.h-2-len(help), 1)
	if len(body) > room {
		body = body[:room]
	}
	for len(body) < room {
		body = append(body, "")
	}
	out := append([]string{title}, body...)
	out = append(out, status)
	out = append(out, help...)
	for i, l := range out {
		out[i] = clipLine(l, m.w)
	}
	return strings.Join(out, "\n")
}

func (d *drillModel) viewPick() []string {
	m := d.root
	if len(d.drills) == 0 {
		return []string{"", m.styles.Warn.Render("! " + m.t("drill-none"))}
	}
	out := []string{m.styles.Header.Render(m.t("drill-pick")), ""}
	for i, dr := range d.drills {
		line := fmt.Sprintf("  %s  %s  %s v%d", dr.ID, dr.Title, dr.Standard, dr.Version)
		if i == d.sel {
			line = m.styles.Selected.Render("▶" + line[1:])
		}
		out = append(out, line)
	}
	return out
}

func (d *drillModel) viewSignIn() []string {
	m := d.root
	dr := d.drills[d.sel]
	out := []string{m.styles.Header.Render(fmt.Sprintf("%s %s  %s", m.t("drill-title"), dr.ID, dr.Title)), ""}
	if d.stage == drillID {
		return append(out, m.t("drill-id"), "  "+d.input.View())
	}
	return append(out, fmt.Sprintf("%s %s", m.t("examiner-id"), maskID(d.id)), m.t("drill-pin"), "  "+d.input.View())
}

// viewMarking is the live sheet of the replayed drill: each 评分项 with
// its points, the device rules' deductions as they come, the examiner's
// own deduction, and the selected item's marks by number.
func (d *drillModel) viewMarking() []string {
	m, st, r := d.root, d.root.styles, d.run
	shown, total := r.Replayed()
	at := time.Duration(0)
	if d.sheet != nil {
		at = time.Duration(d.sheet.ElapsedMs) * time.Millisecond
	}
	out := []string{
		st.Header.Render(fmt.Sprintf("%s %s  %s %s v%d", m.t("drill-title"), r.Drill.ID, r.Std.Title, r.Std.ID, r.Std.Version)),
		fmt.Sprintf("%s %s  %s %d/%d  %s %s", m.t("examiner"), st.Value.Render(r.Examiner.Name), m.t("drill-replay"), shown, total, m.t("drill-events"), clock(at)),
		"",
	}
	for i, it := range r.Std.Items {
		sc := "—"
		var item *scoring.ItemScore
		if d.sheet != nil && i < len(d.sheet.Items) {
			item = &d.sheet.Items[i]
			sc = item.Score.String()
		}
		line := fmt.Sprintf(" %s %s/%s", pad(it.Title, 22), pad(sc, 4), it.Points)
		if i == d.itemSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		out = append(out, line)
		if item == nil {
			continue
		}
		for _, ded := range item.Deductions {
			if ded.By == "rule" {
				out = append(out, st.Dim.Render(fmt.Sprintf("    -%s %s", ded.Points, ded.Text)))
			}
		}
		if item.Manual > 0 {
			out = append(out, fmt.Sprintf("    %s -%s", m.t("drill-yours"), item.Manual))
		}
		if i == d.itemSel {
			for j, mk := range it.Marks[:min(len(it.Marks), 9)] {
				out = append(out, st.Dim.Render(fmt.Sprintf("    [%d] %s -%s", j+1, mk.Text, mk.Deduct)))
			}
		}
	}
	return out
}

// viewDone compares the examiner's deductions with the panel's, item by
// item, each with a word beside it (never colour alone).
func (d *drillModel) viewDone() []string {
	m, st := d.root, d.root.styles
	tol := d.run.Std.Tolerance
	out := []string{st.Header.Render(m.t("drill-compare")), "",
		fmt.Sprintf(" %s %s %s %s", pad(m.t("drill-item"), 22), pad(m.t("drill-panel"), 8), pad(m.t("drill-yours"), 8), m.t("drill-dev"))}
	for _, dv := range d.out.Deviations {
		diff := dv.Diff()
		word := st.Good.Render("✓ " + m.t("drill-ok"))
		if max(diff, -diff) > tol {
			word = st.Bad.Render("✗ " + m.t("drill-over"))
		}
		out = append(out, fmt.Sprintf(" %s %s %s %s %s", pad(dv.Title, 22), pad(deducted(dv.Panel), 8), pad(deducted(dv.Examiner), 8), pad(signedPoints(diff), 6), word))
	}
	return out
}

// deducted writes points taken off with a minus, and none as 0.
func deducted(p standards.Points) string {
	if p == 0 {
		return "0"
	}
	return "-" + p.String()
}

func signedPoints(p standards.Points) string {
	if p > 0 {
		return "+" + p.String()
	}
	return p.String()
}
