package tui

// The workflow's answers, routed to the page that asked.

import (
	"fmt"

	tea "github.com/charmbracelet/bubbletea"
)

// onAnswer handles a workflow call's typed answer (its error is already
// on the status line).
func (m *Model) onAnswer(msg tea.Msg) tea.Cmd {
	p := m.pages
	switch msg := msg.(type) {
	case examOpenedMsg:
		return p.signIn.onOpened(msg)
	case resumedMsg:
		return p.signIn.onOpened(examOpenedMsg(msg))
	case signedInMsg:
		return p.signIn.onSignedIn(msg)
	case voidedMsg:
		// The attempt is closed without a result: the candidate is
		// examined again later under the plan.
		m.exam, m.item = nil, nil
		m.goTo(scrStart)
		m.notice(m.t("voided"))
		return m.loadCmd()
	case continuedMsg:
		m.item = msg.it
		m.goTo(scrLive)
		m.notice(m.t("resumed"))
	case verifiedMsg:
		p.draw.ready, p.identity.card = nil, nil
		m.goTo(scrDraw)
	case drawnMsg:
		m.setStatus(nil)
		return p.draw.checkDevices()
	case referenceMsg:
		m.notice(fmt.Sprintf(m.t("reference-passed"), msg.kind))
		return p.draw.checkDevices()
	case itemStartMsg:
		return p.live.onStarted(msg)
	case itemTickMsg:
		m.sheet = msg.sheet
		if msg.ended && m.screen == scrLive {
			m.toSheet()
		}
	case markedMsg, sheetChangedMsg, itemEndedMsg, signedOffMsg:
		// Commands run concurrently: the answer of an earlier key can
		// arrive after the item was completed and put away.
		if m.item == nil {
			return nil
		}
		return m.onItemAnswer(msg)
	case examSavedMsg:
		return p.result.onSaved(msg)
	case slipMsg:
		p.result.onSlip(msg)
	case noticeMsg:
		m.notice(msg.text)
	}
	return nil
}

func (m *Model) onItemAnswer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case markedMsg:
		m.pages.live.onMarked(msg)
	case sheetChangedMsg:
		m.sheet, _ = m.item.Sheet()
	case itemEndedMsg:
		m.toSheet()
	case signedOffMsg:
		// Signed: the refusal an earlier key got is answered, or stale.
		m.setStatus(nil)
		m.sheet, _ = m.item.Sheet()
		m.pages.sheet.resolving = false
		if m.item.Done() {
			m.item = nil
			m.goTo(scrDraw)
			return m.pages.draw.onItemDone()
		}
	}
	return nil
}
