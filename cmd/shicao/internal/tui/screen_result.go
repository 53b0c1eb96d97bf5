package tui

// The result screen: the paper's weighted total, signed and queued, and
// its score slip, printed or queued (p prints it again).

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// keyResult prints the slip again or goes back to the start screen.
func (m *Model) keyResult(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Print) {
		return m.printSlip()
	}
	if key.Matches(msg, m.keys.Enter) || key.Matches(msg, m.keys.Back) {
		m.exam, m.item, m.saved, m.cand, m.ready, m.slip = nil, nil, nil, nil, nil, nil
		m.subjSel, m.signSel = 0, 0
		m.goTo(scrStart)
		return m.loadCmd()
	}
	return nil
}

func (m *Model) viewResult() string {
	st := m.styles
	var b strings.Builder
	r := m.saved
	verdict := st.Bad.Render("✗ " + m.t("fail"))
	if r.Passed {
		verdict = st.Good.Render("✓ " + m.t("pass"))
	}
	fmt.Fprintf(&b, "%s %s\n\n", st.Header.Render(m.t("result")), r.ID)
	for _, s := range r.Doc.Paper.Subjects {
		v := ""
		if s.Vetoed {
			v = st.Bad.Render(" ✗ " + m.t("veto"))
		}
		fmt.Fprintf(&b, "  %s %s %s × %s%% = %s%s\n", s.Subject, pad(s.Item, 11), pad(s.Score.String(), 4), s.Weight, s.Weighted, v)
	}
	fmt.Fprintf(&b, "\n  %s %s %s\n\n%s\n", m.t("total"), st.Value.Render(r.Total.String()), verdict, m.t("saved"))
	switch {
	case m.slip == nil && !m.d.Station.HasPrinter():
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+m.t("slip-no-printer")))
	case m.slip == nil:
		fmt.Fprintf(&b, "%s\n", st.Dim.Render("… "+m.t("slip-printing")))
	case m.slip.Printed:
		fmt.Fprintf(&b, "%s\n", st.Good.Render("✓ "+m.t("slip-printed")))
	default:
		fmt.Fprintf(&b, "%s\n", st.Warn.Render("… "+m.t("slip-queued")+": "+m.slip.Reason.Text(m.lang)))
	}
	for _, q := range m.queue {
		if q.ResultID == r.ID && q.State == store.OutboxSent && q.Receipt {
			fmt.Fprintf(&b, "%s\n", st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", m.t("sent"), m.t("log-index"), q.LogIndex)))
		}
	}
	return b.String()
}

// printSlip prints the result's score slip on the worker; a printer that
// is missing, out of paper or unplugged leaves it queued, and the status
// line says so.
func (m *Model) printSlip() tea.Cmd {
	id, st := m.saved.ID, m.d.Station
	m.slip = nil
	m.notice(m.t("slip-printing"))
	return m.run(call(func() (*station.SlipOutcome, error) { return st.PrintSlip(context.Background(), id) },
		func(out *station.SlipOutcome, err error) tea.Msg { return slipMsg{id, out, err} }))
}
