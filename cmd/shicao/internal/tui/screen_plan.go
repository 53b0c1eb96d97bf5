package tui

// The plan screen: today's candidates, searched by name or ID number.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/store"
)

func (m *Model) keyPlan(msg tea.KeyMsg) tea.Cmd {
	list := m.filtered()
	if m.searching {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.searching = false
			m.search.Reset()
			m.search.Blur()
			return nil
		case key.Matches(msg, m.keys.Enter):
			// One enter selects: the first match goes to the identity
			// check; no match stays, saying so.
			m.searching = false
			m.search.Blur()
			m.candSel = 0
			if len(list) > 0 {
				c := list[0]
				m.cand = &c
				m.goTo(scrIdentity)
			}
			return nil
		}
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		m.candSel = 0
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Search):
		m.searching = true
		m.search.Focus()
	case key.Matches(msg, m.keys.Up):
		m.candSel = max(m.candSel-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.candSel = min(m.candSel+1, max(len(list)-1, 0))
	case key.Matches(msg, m.keys.Enter) && len(list) > 0:
		c := list[m.candSel]
		m.cand = &c
		m.goTo(scrIdentity)
	case key.Matches(msg, m.keys.Back):
		m.search.Reset()
	}
	return nil
}

// filtered is the plan's candidates matching the search.
func (m *Model) filtered() []store.Candidate {
	if m.exam == nil {
		return nil
	}
	q := strings.TrimSpace(strings.ToUpper(m.search.Value()))
	var out []store.Candidate
	for _, c := range m.exam.Plan().Candidates {
		if q == "" || strings.Contains(strings.ToUpper(c.IDNumber), q) || strings.Contains(c.Name, q) {
			out = append(out, c)
		}
	}
	return out
}

func (m *Model) viewPlan() string {
	st := m.styles
	var b strings.Builder
	p := m.exam.Plan()
	fmt.Fprintf(&b, "%s %s · %s · %s · %s\n", st.Header.Render(m.t("plan")), p.ID, p.Date, p.Category, p.Blueprint)
	fmt.Fprintf(&b, "%s: %s\n\n", m.t("search"), m.search.View())
	if len(m.filtered()) == 0 {
		fmt.Fprintf(&b, "  %s\n", st.Bad.Render("✗ "+m.t("no-candidate")))
	}
	for i, c := range m.filtered() {
		att := m.t("first")
		if c.Attempt > 1 {
			att = m.t("retake")
		}
		line := fmt.Sprintf("  %s %s %s %s", pad(c.Name, 8), maskID(c.IDNumber), pad(att, 6), m.candidateStatus(c))
		if i == m.candSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		b.WriteString(line + "\n")
	}
	return b.String()
}

func (m *Model) candidateStatus(c store.Candidate) string {
	st := m.styles
	if m.exam != nil && m.exam.Candidate() != nil && m.exam.Candidate().IDNumber == c.IDNumber {
		return st.Warn.Render("▶ " + m.t("in-exam"))
	}
	for _, q := range m.queue {
		if r := q.Result; r != nil && r.Candidate == c.IDNumber {
			if q.State == store.OutboxSent {
				return st.Good.Render("✓ " + m.t("synced"))
			}
			return st.Good.Render("✓ " + m.t("done"))
		}
	}
	return st.Dim.Render("· " + m.t("waiting"))
}
