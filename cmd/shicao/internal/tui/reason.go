package tui

// The written reason an act needs (a number taken by hand, a void): typed
// in on the page that asks for it, then the act asks y/n.

import (
	"strings"

	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"
)

// reasonEntry is the reason being typed and the act it is for ("manual",
// "void"; "" when none).
type reasonEntry struct {
	act   string
	input textinput.Model
}

func newReasonEntry() reasonEntry {
	r := reasonEntry{input: textinput.New()}
	r.input.CharLimit = 200
	return r
}

// start opens the entry for an act.
func (r *reasonEntry) start(act string) {
	r.act = act
	r.input.Reset()
	r.input.Focus()
}

func (r *reasonEntry) end() {
	r.act = ""
	r.input.Reset()
	r.input.Blur()
}

// reasonBindings are a page's keys while the reason is typed: enter hands
// a non-empty reason to then (which asks y/n), esc drops it.
func (m *shared) reasonBindings(then func(reason string)) []binding {
	return []binding{
		on(m.keys.Enter, func() tea.Cmd {
			reason := strings.TrimSpace(m.reason.input.Value())
			if reason == "" {
				m.status, m.bad = m.t("reason-empty"), true
				return nil
			}
			m.reason.end()
			then(reason)
			return nil
		}),
		on(m.keys.Back, func() tea.Cmd {
			m.reason.end()
			m.notice(m.t("cancelled"))
			return nil
		}),
	}
}

// typeReason is a key typed into the reason.
func (m *shared) typeReason(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	m.reason.input, cmd = m.reason.input.Update(msg)
	return cmd
}
