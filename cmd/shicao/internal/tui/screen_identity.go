package tui

// The identity screen: the candidate's card is checked.

import (
	"context"
	"fmt"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// keyIdentity confirms the candidate's identity.
func (m *Model) keyIdentity(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	switch {
	case key.Matches(msg, m.keys.Back):
		m.goTo(scrPlan)
	case key.Matches(msg, m.keys.Confirm):
		id := m.cand.IDNumber
		ex := m.exam
		return m.run(do(func() error { _, err := ex.VerifyCandidate(ctx, id); return err }, func(err error) tea.Msg { return verifiedMsg{err} }))
	}
	return nil
}

func (m *Model) viewIdentity() string {
	st := m.styles
	c := m.cand
	att := m.t("first")
	if c.Attempt > 1 {
		att = m.t("retake")
	}
	box := st.Box.Render(fmt.Sprintf("%s  %s\n%s  %s\n%s  %s", m.t("candidate"), st.Value.Render(c.Name), m.t("id-number"), st.Value.Render(maskID(c.IDNumber)), m.t("attempt"), att))
	return fmt.Sprintf("%s\n\n%s\n\n%s\n", st.Header.Render(m.t("identity")), box, m.t("confirm-id"))
}
