package tui

// The sign-in screen: the examiners sign in with their PINs.

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
)

func (m *Model) keySignIn(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	ids := m.signInList()
	if m.pinFor != "" {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.pinFor = ""
			m.pinInput.Reset()
			m.pinInput.Blur()
			return nil
		case key.Matches(msg, m.keys.Enter):
			id, pin := m.pinFor, m.pinInput.Value()
			m.pinInput.Reset()
			ex := m.exam
			return m.run(call(func() (*station.SignedIn, error) { return ex.SignIn(ctx, id, pin) }, func(x *station.SignedIn, err error) tea.Msg { return signedInMsg{x, err} }))
		}
		var cmd tea.Cmd
		m.pinInput, cmd = m.pinInput.Update(msg)
		return cmd
	}
	if m.reasonFor == "void" {
		return m.keyReason(msg, func(reason string) {
			ex := m.exam
			m.askFirst(fmt.Sprintf(m.t("sure-void"), reason),
				do(func() error { return ex.Void(ctx, reason) }, func(err error) tea.Msg { return voidedMsg{err} }))
		})
	}
	switch {
	case key.Matches(msg, m.keys.Void) && m.exam.Resuming() != nil:
		m.startReason("void")
	case key.Matches(msg, m.keys.Back):
		m.exam = nil
		m.goTo(scrStart)
	case key.Matches(msg, m.keys.Up):
		m.signSel = max(m.signSel-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.signSel = min(m.signSel+1, max(len(ids)-1, 0))
	case key.Matches(msg, m.keys.Enter) && len(ids) > 0:
		m.pinFor = ids[m.signSel]
		m.pinInput.Focus()
		m.setStatus(nil)
	}
	return nil
}

// signInList is who may sign in: the plan's examiners, or on resume the
// examiners the interrupted log names.
func (m *Model) signInList() []string {
	if m.exam == nil {
		return nil
	}
	if e := m.exam.ExpectedExaminers(); m.exam.Resuming() != nil && len(e) > 0 {
		return e
	}
	return m.exam.Plan().Examiners
}

func (m *Model) viewSignIn() string {
	st := m.styles
	var b strings.Builder
	need := m.exam.RequiredExaminers(contextBackground())
	fmt.Fprintf(&b, "%s — %s\n\n", st.Header.Render(m.t("signin")), fmt.Sprintf(m.t("need-examiners"), need))
	signed := map[string]bool{}
	for _, x := range m.exam.Examiners() {
		signed[x.Examiner.ID] = true
	}
	for i, id := range m.signInList() {
		name := m.names[id]
		if name == "" {
			name = maskID(id)
		}
		line := fmt.Sprintf("  %s %s", pad(name, 8), maskID(id))
		if signed[id] {
			line += "  " + st.Good.Render("✓ "+m.t("signed-in"))
		}
		if i == m.signSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		b.WriteString(line + "\n")
	}
	if m.pinFor != "" {
		fmt.Fprintf(&b, "\n%s %s: %s\n", m.t("pin"), maskID(m.pinFor), m.pinInput.View())
	}
	if m.reasonFor == "void" {
		fmt.Fprintf(&b, "\n%s\n%s %s\n", m.t("void-why"), m.t("reason"), m.reason.View())
	}
	return b.String()
}

// loadNames reads the names of the examiners who may sign in.
func (m *Model) loadNames() {
	m.names = map[string]string{}
	for _, id := range m.signInList() {
		if ex, err := m.d.Station.Store().ExaminerByID(context.Background(), id); err == nil {
			m.names[id] = ex.Name
		}
	}
}

// nextToSignIn moves the sign-in cursor to the next examiner not signed in.
func (m *Model) nextToSignIn() {
	signed := map[string]bool{}
	for _, x := range m.exam.Examiners() {
		signed[x.Examiner.ID] = true
	}
	ids := m.signInList()
	for i := range ids {
		if j := (m.signSel + i) % len(ids); !signed[ids[j]] {
			m.signSel = j
			return
		}
	}
}
