package tui

// The written reason an act needs (a number taken by hand, a void): typed
// in on the screen that asks for it, then the act asks y/n.

import (
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// startReason opens the reason entry for an act ("manual", "void").
func (m *Model) startReason(act string) {
	m.reasonFor = act
	m.reason.Reset()
	m.reason.Focus()
	m.setStatus(nil)
}

func (m *Model) endReason() {
	m.reasonFor = ""
	m.reason.Reset()
	m.reason.Blur()
}

// keyReason is a key while the reason is typed: enter hands a non-empty
// reason to then (which asks y/n), esc drops it.
func (m *Model) keyReason(msg tea.KeyMsg, then func(reason string)) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.endReason()
		m.notice(m.t("cancelled"))
		return nil
	case key.Matches(msg, m.keys.Enter):
		reason := strings.TrimSpace(m.reason.Value())
		if reason == "" {
			m.status, m.bad = m.t("reason-empty"), true
			return nil
		}
		m.endReason()
		then(reason)
		return nil
	}
	var cmd tea.Cmd
	m.reason, cmd = m.reason.Update(msg)
	return cmd
}
