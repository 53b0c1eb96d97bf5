package tui

// The live item screen's view.

import (
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"

	"shicao/scoring"
)

// View is the item: its time and score, its items with their marks,
// and the device panels beside them (under them at 80 columns).
func (p *livePage) View() string {
	it := p.item
	var b strings.Builder
	room := p.height - 2 // the title and score lines
	if p.exam.Training() {
		// Training mode (考培分离) is never mistaken for an exam.
		b.WriteString(p.styles.Banner.Render("⚑ "+p.t("training-banner")) + "\n")
		room--
	}
	limitMs, _ := it.Limits()
	el := it.Elapsed()
	limit := time.Duration(limitMs) * time.Millisecond
	fmt.Fprintf(&b, "%s %s %s · %s\n", p.styles.Header.Render(it.Subject), it.Std.ID, it.Std.Title, p.liveTimeLine(el, limit))
	fmt.Fprintf(&b, "%s %s\n", p.t("score"), p.styles.Value.Render(p.liveScore(el, limit)))
	leftW := p.width
	if p.width >= 100 {
		leftW = p.width / 2
	}
	left, selFrom, selTo := p.liveItems()
	right := p.liveDevices(leftW)
	// Everything fits the window: the selected item and its numbered
	// marks stay in view, the rest of the list scrolls (at 80x24 the
	// panel's sparkline goes first).
	if p.width < 100 {
		if len(left)+len(right) > room && len(it.Std.Devices) > 0 && it.Std.Devices[len(it.Std.Devices)-1] == "cpr" {
			right = right[:len(right)-1]
		}
		left = p.window(left, selFrom, selTo, max(room-len(right), 1))
		b.WriteString(strings.Join(right, "\n") + "\n")
		b.WriteString(strings.Join(left, "\n") + "\n")
		return b.String()
	}
	left = p.window(left, selFrom, selTo, room)
	for i, l := range left {
		left[i] = clipLine(l, leftW-1)
	}
	items := lipgloss.NewStyle().Width(leftW).Render(strings.Join(left, "\n"))
	b.WriteString(lipgloss.JoinHorizontal(lipgloss.Top, items, strings.Join(right, "\n")) + "\n")
	return b.String()
}

// liveTimeLine is the item's time against its limit, or its overtime.
func (p *livePage) liveTimeLine(el, limit time.Duration) string {
	if el > limit {
		return p.styles.Bad.Render(fmt.Sprintf("⚠ %s +%s  %s %s", p.t("overtime"), clock(el-limit), p.t("time"), clock(el)))
	}
	return fmt.Sprintf("%s %s / %s %s", p.t("time"), clock(el), p.t("limit"), clock(limit))
}

// liveScore is the item's live score, a veto that is final, or one that
// can still be avoided.
func (p *livePage) liveScore(el, limit time.Duration) string {
	st := p.styles
	switch {
	case p.sheet == nil:
		return "—"
	case p.sheet.Veto != nil && p.vetoPending(p.sheet, el, limit):
		// A rule's veto (five cycles not reached) can still be
		// avoided while the item runs: it is decided at the end.
		return st.Warn.Render(fmt.Sprintf("%s %s: %s", p.t("pending-veto"), p.t("veto"), p.sheet.Veto.Text)) + " " + st.Dim.Render("("+p.t("pending-veto-why")+")")
	case p.sheet.Veto != nil:
		return p.sheet.Score.String() + " " + st.Bad.Render("✗ "+p.t("veto")+" "+p.sheet.Veto.Text)
	}
	return p.sheet.Score.String()
}

// liveItems lists the items with their live points; the selected one
// lists its marks by number (or the vetoes, while choosing one).
// selFrom and selTo bound the lines that must stay in view.
func (p *livePage) liveItems() (left []string, selFrom, selTo int) {
	st := p.styles
	it := p.item
	for i, sit := range it.Std.Items {
		if i == p.sel {
			selFrom = len(left)
		}
		sc := "—"
		var deds []scoring.Deduction
		if p.sheet != nil && i < len(p.sheet.Items) {
			sc = p.sheet.Items[i].Score.String()
			deds = p.sheet.Items[i].Deductions
		}
		line := fmt.Sprintf(" %s %s/%s", pad(sit.Title, 22), pad(sc, 4), sit.Points)
		if i == p.sel {
			line = st.Selected.Render("▶" + line[1:])
		}
		left = append(left, line)
		for _, d := range deds {
			left = append(left, p.deductionLine(d, "    "))
		}
		if p.sheet != nil && i < len(p.sheet.Items) {
			if own := p.ownMarks(p.sheet.Items[i]); own != "" {
				left = append(left, "    "+own)
			}
		}
		if i == p.sel && !p.vetoing {
			for j, mk := range sit.Marks[:min(len(sit.Marks), 9)] {
				left = append(left, st.Dim.Render(fmt.Sprintf("    [%d] %s -%s", j+1, mk.Text, mk.Deduct)))
			}
		}
		if i == p.sel {
			selTo = len(left)
		}
	}
	if p.vetoing {
		selFrom = len(left)
		left = append(left, st.Warn.Render(" "+p.t("veto")+":"))
		for j, v := range markableVetoes(it.Std) {
			left = append(left, st.Warn.Render(fmt.Sprintf("    [%d] %s", j+1, it.Std.VetoByID(v).Text)))
		}
		selTo = len(left)
	}
	return left, selFrom, selTo
}

// liveDevices is each device's state line and its panel.
func (p *livePage) liveDevices(leftW int) []string {
	st := p.styles
	var right []string
	for _, kind := range p.item.Std.Devices {
		ds := p.dev[kind]
		if ds == nil {
			ds = &deviceState{}
		}
		state := st.Good.Render("● " + p.t("connected"))
		if !ds.connected {
			state = st.Bad.Render("✗ " + p.t("lost"))
		}
		sc := ""
		if ds.scenario != "" {
			sc = " " + st.Dim.Render("["+ds.scenario+"]")
		}
		right = append(right, fmt.Sprintf("%s %s%s", st.Header.Render(kind), state, sc))
		if kind == "cpr" {
			right = append(right, p.cprPanel(ds, leftW, p.exam.Training())...)
		} else {
			right = append(right, p.genericPanel(kind, ds)...)
		}
	}
	return right
}

// vetoPending reports whether the sheet's veto may still be lifted: a
// rule's veto (a count not reached yet, e.g. CPR's five cycles) while the
// item runs within its limit. An examiner's veto, and any veto once the
// item has ended or its time is up, is final.
func (p *livePage) vetoPending(s *scoring.Sheet, el, limit time.Duration) bool {
	return s.Veto != nil && s.Veto.By == "rule" && !s.Finished && el < limit
}
