package tui

// The score sheet: confirmations, the chief examiner's decision, the candidate's signature.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/scoring"
	"shicao/standards"
)

// sheetPage is the item's score sheet: the examiners confirm it, the
// chief examiner resolves a disagreement, the candidate signs or refuses.
type sheetPage struct {
	*shared
	area
	resolving bool
	inputs    [2]textinput.Model // the chief examiner's deduction and reason
	focus     int
}

func newSheetPage(s *shared) *sheetPage {
	p := &sheetPage{shared: s}
	for i := range p.inputs {
		p.inputs[i] = textinput.New()
	}
	p.inputs[0].CharLimit = 5
	p.inputs[1].CharLimit = 200
	return p
}

func (p *sheetPage) Typing() bool { return p.resolving }

// Update types a key into the decision's focused field.
func (p *sheetPage) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.inputs[p.focus], cmd = p.inputs[p.focus].Update(msg)
	return cmd
}

// Bindings are the sheet's signatures, or the decision's fields.
func (p *sheetPage) Bindings() []binding {
	k := p.keys
	it := p.item
	if it == nil {
		return nil
	}
	ctx := context.Background()
	if p.resolving {
		return []binding{
			on(k.Tab, func() tea.Cmd {
				p.inputs[p.focus].Blur()
				p.focus = (p.focus + 1) % 2
				p.inputs[p.focus].Focus()
				return nil
			}),
			on(k.Enter, p.resolve),
			on(k.Back, func() tea.Cmd { p.resolving = false; return nil }),
		}
	}
	confirm := func(n int) func() tea.Cmd {
		return func() tea.Cmd {
			exs := p.exam.Examiners()
			if n >= len(exs) {
				p.hint("hint-one-examiner")
				return nil
			}
			id := exs[n].Examiner.ID
			return p.run(do(func() error { return it.Confirm(ctx, id) }, signedOff))
		}
	}
	return []binding{
		on(k.Accept, func() tea.Cmd { return p.run(do(func() error { return it.Acknowledge(ctx, true) }, signedOff)) }),
		on(k.Refuse, func() tea.Cmd {
			p.askFirst(p.t("sure-refuse"), do(func() error { return it.Acknowledge(ctx, false) }, signedOff))
			return nil
		}),
		on(k.Examiner1, confirm(0)), on(k.Examiner2, confirm(1)),
		on(k.Resolve, func() tea.Cmd {
			if p.sheet == nil || len(p.sheet.Review) == 0 {
				p.hint("hint-no-review")
				return nil
			}
			p.resolving, p.focus = true, 0
			for i := range p.inputs {
				p.inputs[i].Reset()
			}
			p.inputs[0].Focus()
			return nil
		}),
		on(k.Back, func() tea.Cmd { p.item = nil; p.goTo(scrDraw); return nil }),
	}
}

// resolve records the chief examiner's decision on the first item under
// review.
func (p *sheetPage) resolve() tea.Cmd {
	if p.sheet == nil || len(p.sheet.Review) == 0 {
		p.resolving = false
		p.hint("hint-no-review")
		return nil
	}
	pts, err := standards.ParsePoints(strings.TrimSpace(p.inputs[0].Value()))
	if err != nil {
		p.setStatus(err)
		return nil
	}
	it, item, reason, chief := p.item, p.sheet.Review[0], p.inputs[1].Value(), p.exam.Examiners()[0].Examiner.ID
	return p.run(do(func() error { return it.Resolve(context.Background(), chief, item, pts, reason) }, signedOff))
}

func signedOff(err error) tea.Msg { return signedOffMsg{err} }

// View is the sheet: each item's score with its deductions and their
// evidence, the sum, the review, and who is still to sign.
func (p *sheetPage) View() string {
	st := p.styles
	var b strings.Builder
	s := p.sheet
	if s == nil {
		return ""
	}
	verdict := st.Bad.Render("✗ " + p.t("fail"))
	if s.Passed {
		verdict = st.Good.Render("✓ " + p.t("pass"))
	}
	fmt.Fprintf(&b, "%s %s %s · %s %s %s · %s %s\n", st.Header.Render(p.t("sheet")), s.ID, s.Title, p.t("score"), st.Value.Render(s.Score.String()), verdict, p.t("time"), clock(time.Duration(s.ElapsedMs)*time.Millisecond))
	if s.Veto != nil {
		fmt.Fprintf(&b, "%s\n", st.Bad.Render(fmt.Sprintf("✗ %s: %s (%s) %s", p.t("veto"), s.Veto.Text, p.vetoBy(s.Veto.By), evidenceText(s.Veto.Evidence, s.Veto.Times))))
	}
	var sum scoring.Points
	for _, it := range s.Items {
		sum += it.Score
		fmt.Fprintf(&b, " %s %s/%s\n", pad(it.Title, 24), it.Score, it.Points)
		for _, d := range it.Deductions {
			if d.By == "examiners" && it.Resolved != nil {
				continue // the chief examiner's decision replaces the marks
			}
			fmt.Fprintf(&b, "%s\n", p.deductionLine(d, "    "))
		}
		if own := p.ownMarks(it); own != "" {
			fmt.Fprintf(&b, "    %s\n", own)
		}
		if r := it.Resolved; r != nil {
			fmt.Fprintf(&b, "    %s\n", st.Warn.Render(fmt.Sprintf("%s -%s %s：%s（%s）[#%d]", p.t("resolved"), r.Deduct, p.t("reason"), r.Reason, p.examinerName(r.By), r.Seq)))
		}
	}
	sumLine := fmt.Sprintf("%s %s", p.t("total"), sum)
	if s.Overtime != nil {
		sumLine += fmt.Sprintf(" − %s %s", p.t("overtime"), s.Overtime.Points)
	}
	switch {
	case s.Refused:
		sumLine += " → 0 (" + p.t("refused") + ")"
	case s.Veto != nil:
		sumLine += " → 0 (" + p.t("veto") + ")"
	}
	fmt.Fprintf(&b, " %s = %s\n", sumLine, st.Value.Render(s.Score.String()))
	for _, o := range s.Outages {
		fmt.Fprintf(&b, " %s\n", st.Warn.Render("⚠ "+p.outageText(o)))
	}
	p.writeReview(&b, s)
	if p.resolving {
		fmt.Fprintf(&b, "%s %s  %s %s\n", p.t("deduct"), p.inputs[0].View(), p.t("reason"), p.inputs[1].View())
	}
	p.writeAck(&b, s)
	return b.String()
}

// writeReview lists the items the examiners disagree on, with each
// examiner's deduction, for the chief examiner to resolve.
func (p *sheetPage) writeReview(b *strings.Builder, s *scoring.Sheet) {
	st := p.styles
	if s.NeedsReview {
		fmt.Fprintf(b, "%s: %s\n", st.Warn.Render("⚠ "+p.t("review")), strings.Join(s.Review, ", "))
		for _, it := range s.Items {
			for _, rid := range s.Review {
				if it.ID == rid {
					var parts []string
					for _, x := range it.Examiners {
						parts = append(parts, fmt.Sprintf("%s -%s", p.examinerName(x.Examiner), x.Deduct))
					}
					fmt.Fprintf(b, "   %s: %s\n", it.Title, strings.Join(parts, ", "))
				}
			}
		}
	}
}

// writeAck is the candidate's signature line, or why it must wait, and
// what the sheet still waits for.
func (p *sheetPage) writeAck(b *strings.Builder, s *scoring.Sheet) {
	st := p.styles
	switch {
	case s.Refused:
		fmt.Fprintf(b, "%s\n", st.Bad.Render("✗ "+p.t("refused")))
	case s.Acknowledged != nil:
		fmt.Fprintf(b, "%s\n", st.Good.Render("✓ "+p.t("acked")))
	default:
		// The candidate signs last: until they may, the line says why
		// the a key would be refused.
		if why := p.item.AckBlocked(); why != nil {
			fmt.Fprintf(b, "%s\n", st.Warn.Render("⏳ "+p.t("ack-wait")+" "+why.Text(p.lang)))
		} else {
			fmt.Fprintf(b, "%s\n", p.t("ack"))
		}
	}
	if ps := p.item.Pending(); len(ps) > 0 {
		fmt.Fprintf(b, "%s\n", st.Dim.Render("… "+p.pendingText(ps)))
	}
}

// vetoBy says who vetoed: the standard's rule, or an examiner by name.
func (p *sheetPage) vetoBy(by string) string {
	if by == "rule" {
		return p.t("by-rule")
	}
	return p.examinerName(by)
}

// pendingText says in words what the item still waits for: the end, an
// examiner's confirmation (by name, never the full ID), the signature.
func (p *sheetPage) pendingText(ps []string) string {
	var out []string
	for _, x := range ps {
		switch {
		case x == "end":
			out = append(out, p.t("wait-end"))
		case x == "ack":
			out = append(out, p.t("wait-ack"))
		case strings.HasPrefix(x, "confirm:"):
			out = append(out, fmt.Sprintf(p.t("wait-confirm"), p.examinerName(strings.TrimPrefix(x, "confirm:"))))
		default:
			out = append(out, x)
		}
	}
	return p.t("waiting-for") + " " + strings.Join(out, p.t("list-sep"))
}

// outageText says when a device was lost and back, and for how long.
func (p *sheetPage) outageText(o scoring.Outage) string {
	at := func(ms int64) string { return clock(time.Duration(ms) * time.Millisecond) }
	secs := float64(o.DurationMs) / 1000
	if o.BackSeq == 0 {
		return fmt.Sprintf(p.t("outage-open"), o.Device, at(o.LostMs), secs)
	}
	return fmt.Sprintf(p.t("outage"), o.Device, at(o.LostMs), at(o.BackMs), secs)
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
