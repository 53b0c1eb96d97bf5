package tui

// The score sheet: confirmations, the chief examiner's decision, the candidate's signature.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/scoring"
	"shicao/standards"
)

func (m *Model) keySheet(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	it := m.item
	if it == nil {
		return nil
	}
	exs := m.exam.Examiners()
	if m.resolving {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.resolving = false
			return nil
		case key.Matches(msg, m.keys.Tab):
			m.resolveInputs[m.resolveFocus].Blur()
			m.resolveFocus = (m.resolveFocus + 1) % 2
			m.resolveInputs[m.resolveFocus].Focus()
			return nil
		case key.Matches(msg, m.keys.Enter):
			if m.sheet == nil || len(m.sheet.Review) == 0 {
				m.resolving = false
				m.hint("hint-no-review")
				return nil
			}
			p, err := standards.ParsePoints(strings.TrimSpace(m.resolveInputs[0].Value()))
			if err != nil {
				m.setStatus(err)
				return nil
			}
			item, reason, chief := m.sheet.Review[0], m.resolveInputs[1].Value(), exs[0].Examiner.ID
			return m.run(do(func() error { return it.Resolve(ctx, chief, item, p, reason) }, signedOff))
		}
		var cmd tea.Cmd
		m.resolveInputs[m.resolveFocus], cmd = m.resolveInputs[m.resolveFocus].Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Accept):
		return m.run(do(func() error { return it.Acknowledge(ctx, true) }, signedOff))
	case key.Matches(msg, m.keys.Refuse):
		m.askFirst(m.t("sure-refuse"), do(func() error { return it.Acknowledge(ctx, false) }, signedOff))
	case key.Matches(msg, m.keys.Examiner1) && len(exs) > 0:
		id := exs[0].Examiner.ID
		return m.run(do(func() error { return it.Confirm(ctx, id) }, signedOff))
	case key.Matches(msg, m.keys.Examiner2) && len(exs) > 1:
		id := exs[1].Examiner.ID
		return m.run(do(func() error { return it.Confirm(ctx, id) }, signedOff))
	case key.Matches(msg, m.keys.Resolve) && (m.sheet == nil || len(m.sheet.Review) == 0):
		m.hint("hint-no-review")
	case key.Matches(msg, m.keys.Examiner2) && len(exs) < 2:
		m.hint("hint-one-examiner")
	case key.Matches(msg, m.keys.Resolve):
		m.resolving = true
		m.resolveFocus = 0
		for i := range m.resolveInputs {
			m.resolveInputs[i].Reset()
		}
		m.resolveInputs[0].Focus()
	case key.Matches(msg, m.keys.Back):
		m.item = nil
		m.goTo(scrDraw)
	}
	return nil
}

func signedOff(err error) tea.Msg { return signedOffMsg{err} }

func (m *Model) viewSheet() string {
	st := m.styles
	var b strings.Builder
	s := m.sheet
	if s == nil {
		return ""
	}
	verdict := st.Bad.Render("✗ " + m.t("fail"))
	if s.Passed {
		verdict = st.Good.Render("✓ " + m.t("pass"))
	}
	fmt.Fprintf(&b, "%s %s %s · %s %s %s · %s %s\n", st.Header.Render(m.t("sheet")), s.ID, s.Title, m.t("score"), st.Value.Render(s.Score.String()), verdict, m.t("time"), clock(time.Duration(s.ElapsedMs)*time.Millisecond))
	if s.Veto != nil {
		fmt.Fprintf(&b, "%s\n", st.Bad.Render(fmt.Sprintf("✗ %s: %s (%s) %s", m.t("veto"), s.Veto.Text, m.vetoBy(s.Veto.By), evidenceText(s.Veto.Evidence, s.Veto.Times))))
	}
	var sum scoring.Points
	for _, it := range s.Items {
		sum += it.Score
		fmt.Fprintf(&b, " %s %s/%s\n", pad(it.Title, 24), it.Score, it.Points)
		for _, d := range it.Deductions {
			if d.By == "examiners" && it.Resolved != nil {
				continue // the chief examiner's decision replaces the marks
			}
			fmt.Fprintf(&b, "%s\n", m.deductionLine(d, "    "))
		}
		if own := m.ownMarks(it); own != "" {
			fmt.Fprintf(&b, "    %s\n", own)
		}
		if r := it.Resolved; r != nil {
			fmt.Fprintf(&b, "    %s\n", st.Warn.Render(fmt.Sprintf("%s -%s %s：%s（%s）[#%d]", m.t("resolved"), r.Deduct, m.t("reason"), r.Reason, m.examinerName(r.By), r.Seq)))
		}
	}
	sumLine := fmt.Sprintf("%s %s", m.t("total"), sum)
	if s.Overtime != nil {
		sumLine += fmt.Sprintf(" − %s %s", m.t("overtime"), s.Overtime.Points)
	}
	switch {
	case s.Refused:
		sumLine += " → 0 (" + m.t("refused") + ")"
	case s.Veto != nil:
		sumLine += " → 0 (" + m.t("veto") + ")"
	}
	fmt.Fprintf(&b, " %s = %s\n", sumLine, st.Value.Render(s.Score.String()))
	for _, o := range s.Outages {
		fmt.Fprintf(&b, " %s\n", st.Warn.Render("⚠ "+m.outageText(o)))
	}
	m.writeReview(&b, s)
	if m.resolving {
		fmt.Fprintf(&b, "%s %s  %s %s\n", m.t("deduct"), m.resolveInputs[0].View(), m.t("reason"), m.resolveInputs[1].View())
	}
	m.writeAck(&b, s)
	return b.String()
}

// writeReview lists the items the examiners disagree on, with each
// examiner's deduction, for the chief examiner to resolve.
func (m *Model) writeReview(b *strings.Builder, s *scoring.Sheet) {
	st := m.styles
	if s.NeedsReview {
		fmt.Fprintf(b, "%s: %s\n", st.Warn.Render("⚠ "+m.t("review")), strings.Join(s.Review, ", "))
		for _, it := range s.Items {
			for _, rid := range s.Review {
				if it.ID == rid {
					var parts []string
					for _, x := range it.Examiners {
						parts = append(parts, fmt.Sprintf("%s -%s", m.examinerName(x.Examiner), x.Deduct))
					}
					fmt.Fprintf(b, "   %s: %s\n", it.Title, strings.Join(parts, ", "))
				}
			}
		}
	}
}

// writeAck is the candidate's signature line, or why it must wait, and
// what the sheet still waits for.
func (m *Model) writeAck(b *strings.Builder, s *scoring.Sheet) {
	st := m.styles
	switch {
	case s.Refused:
		fmt.Fprintf(b, "%s\n", st.Bad.Render("✗ "+m.t("refused")))
	case s.Acknowledged != nil:
		fmt.Fprintf(b, "%s\n", st.Good.Render("✓ "+m.t("acked")))
	default:
		// The candidate signs last: until they may, the line says why
		// the a key would be refused.
		if why := m.item.AckBlocked(); why != nil {
			fmt.Fprintf(b, "%s\n", st.Warn.Render("⏳ "+m.t("ack-wait")+" "+why.Text(m.lang)))
		} else {
			fmt.Fprintf(b, "%s\n", m.t("ack"))
		}
	}
	if p := m.item.Pending(); len(p) > 0 {
		fmt.Fprintf(b, "%s\n", st.Dim.Render("… "+m.pendingText(p)))
	}
}

// vetoBy says who vetoed: the standard's rule, or an examiner by name.
func (m *Model) vetoBy(by string) string {
	if by == "rule" {
		return m.t("by-rule")
	}
	return m.examinerName(by)
}

// pendingText says in words what the item still waits for: the end, an
// examiner's confirmation (by name, never the full ID), the signature.
func (m *Model) pendingText(p []string) string {
	var out []string
	for _, x := range p {
		switch {
		case x == "end":
			out = append(out, m.t("wait-end"))
		case x == "ack":
			out = append(out, m.t("wait-ack"))
		case strings.HasPrefix(x, "confirm:"):
			out = append(out, fmt.Sprintf(m.t("wait-confirm"), m.examinerName(strings.TrimPrefix(x, "confirm:"))))
		default:
			out = append(out, x)
		}
	}
	return m.t("waiting-for") + " " + strings.Join(out, m.t("list-sep"))
}

// outageText says when a device was lost and back, and for how long.
func (m *Model) outageText(o scoring.Outage) string {
	at := func(ms int64) string { return clock(time.Duration(ms) * time.Millisecond) }
	secs := float64(o.DurationMs) / 1000
	if o.BackSeq == 0 {
		return fmt.Sprintf(m.t("outage-open"), o.Device, at(o.LostMs), secs)
	}
	return fmt.Sprintf(m.t("outage"), o.Device, at(o.LostMs), at(o.BackMs), secs)
}

func evidenceText(seqs, times []int64) string {
	if len(seqs) == 0 {
		return ""
	}
	var parts []string
	for i, s := range seqs {
		if i == 4 {
			parts = append(parts, fmt.Sprintf("+%d", len(seqs)-4))
			break
		}
		if i < len(times) {
			parts = append(parts, fmt.Sprintf("#%d@%s", s, clock(time.Duration(times[i])*time.Millisecond)))
		} else {
			parts = append(parts, fmt.Sprintf("#%d", s))
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func (m *Model) toSheet() {
	if m.item != nil {
		m.sheet, _ = m.item.Sheet()
	}
	m.goTo(scrSheet)
}
