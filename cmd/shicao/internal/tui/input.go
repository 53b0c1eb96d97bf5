package tui

import (
	tea "github.com/charmbracelet/bubbletea"
)

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	switch m.screen {
	case scrStart:
		return m.keyStart(msg)
	case scrSignIn:
		return m.keySignIn(msg)
	case scrPlan:
		return m.keyPlan(msg)
	case scrIdentity:
		return m.keyIdentity(msg)
	case scrDraw:
		return m.keyDraw(msg)
	case scrLive:
		return m.keyLive(msg)
	case scrSheet:
		return m.keySheet(msg)
	case scrResult:
		return m.keyResult(msg)
	case scrSync:
		return m.keySync(msg)
	}
	return nil
}
