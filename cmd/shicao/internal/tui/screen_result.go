package tui

// The result screen: the paper's weighted total, signed and queued, and
// its score slip, printed or queued (p prints it again).

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// resultPage is the paper's result once saved, and its slip.
type resultPage struct {
	*shared
	area
	saved *station.Saved
	slip  *station.SlipOutcome // the result's slip, once a print was tried
}

func (p *resultPage) Typing() bool           { return false }
func (p *resultPage) Update(tea.Msg) tea.Cmd { return nil }

// Bindings print the slip again, or go back to the start screen.
func (p *resultPage) Bindings() []binding {
	k := p.keys
	return []binding{on(k.Print, p.printSlip), on(k.Enter, p.done), on(k.Back, p.done)}
}

func (p *resultPage) done() tea.Cmd {
	p.exam, p.item, p.saved, p.cand, p.slip = nil, nil, nil, nil, nil
	p.goTo(scrStart)
	return p.loadCmd()
}

// onSaved shows the exam just saved and prints its slip.
func (p *resultPage) onSaved(msg examSavedMsg) tea.Cmd {
	p.saved, p.slip = msg.saved, nil
	p.goTo(scrResult)
	if p.d.Station.HasPrinter() {
		return tea.Batch(p.loadCmd(), p.printSlip())
	}
	return p.loadCmd()
}

// onSlip: a slip printed, or queued with its reason.
func (p *resultPage) onSlip(msg slipMsg) {
	// A print answered after the examiners left the result is in the
	// slip queue; the start screen does not speak of it.
	if p.screen != scrResult || p.saved == nil || p.saved.ID != msg.resultID {
		return
	}
	p.slip = msg.out
	if p.slip.Printed {
		p.notice(p.t("slip-printed"))
	} else {
		p.setStatus(p.slip.Reason)
	}
}

// View is each subject's weighted score, the total, and the slip.
func (p *resultPage) View() string {
	st := p.styles
	var b strings.Builder
	r := p.saved
	verdict := st.Bad.Render("✗ " + p.t("fail"))
	if r.Passed {
		verdict = st.Good.Render("✓ " + p.t("pass"))
	}
	fmt.Fprintf(&b, "%s %s\n\n", st.Header.Render(p.t("result")), r.ID)
	for _, s := range r.Doc.Paper.Subjects {
		v := ""
		if s.Vetoed {
			v = st.Bad.Render(" ✗ " + p.t("veto"))
		}
		fmt.Fprintf(&b, "  %s %s %s × %s%% = %s%s\n", s.Subject, pad(s.Item, 11), pad(s.Score.String(), 4), s.Weight, s.Weighted, v)
	}
	fmt.Fprintf(&b, "\n  %s %s %s\n\n%s\n", p.t("total"), st.Value.Render(r.Total.String()), verdict, p.t("saved"))
	switch {
	case p.slip == nil && !p.d.Station.HasPrinter():
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+p.t("slip-no-printer")))
	case p.slip == nil:
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+p.t("slip-printing")))
	case p.slip.Printed:
		fmt.Fprintf(&b, "%s\n", st.Good.Render("✓ "+p.t("slip-printed")))
	default:
		fmt.Fprintf(&b, "%s\n", st.Warn.Render("… "+p.t("slip-queued")+": "+p.slip.Reason.Text(p.lang)))
	}
	for _, q := range p.data.queue {
		if q.ResultID == r.ID && q.State == store.OutboxSent && q.Receipt {
			fmt.Fprintf(&b, "%s\n", st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", p.t("sent"), p.t("log-index"), q.LogIndex)))
		}
	}
	return b.String()
}

// printSlip prints the result's score slip on the worker; a printer that
// is missing, out of paper or unplugged leaves it queued, and the status
// line says so.
func (p *resultPage) printSlip() tea.Cmd {
	id, st := p.saved.ID, p.d.Station
	p.slip = nil
	p.notice(p.t("slip-printing"))
	return p.run(call(func() (*station.SlipOutcome, error) { return st.PrintSlip(context.Background(), id) },
		func(out *station.SlipOutcome, err error) tea.Msg { return slipMsg{id, out, err} }))
}
