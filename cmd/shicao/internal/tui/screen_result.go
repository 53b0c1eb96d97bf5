package tui

// The result screen: the paper's weighted total, signed and queued.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/store"
)

// keyResult goes back to the start screen.
func (m *Model) keyResult(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Enter) || key.Matches(msg, m.keys.Back) {
		m.exam, m.item, m.saved, m.cand, m.ready = nil, nil, nil, nil, nil
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
	for _, q := range m.queue {
		if q.ResultID == r.ID && q.State == store.OutboxSent && q.Receipt {
			fmt.Fprintf(&b, "%s\n", st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", m.t("sent"), m.t("log-index"), q.LogIndex)))
		}
	}
	return b.String()
}
