package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// keysFor is what the current screen, in its current mode, handles: the
// same list is matched before a key is dispatched (a key outside it gets
// a one-line hint, not silence) and drawn as the help bar.
func (m *Model) keysFor() []key.Binding {
	k := m.keys
	if m.ask != nil {
		return []key.Binding{k.Yes, k.No}
	}
	var bs []key.Binding
	switch m.screen {
	case scrStart:
		if len(m.plans) > 1 {
			bs = []key.Binding{k.PrevPlan, k.NextPlan}
		}
		bs = append(bs, k.Enter)
		if len(m.interrupted) > 0 {
			bs = append(bs, k.Resume)
		}
		bs = append(bs, k.Sync)
	case scrSignIn:
		if m.pinFor != "" {
			return []key.Binding{k.Enter, k.Back, k.Quit}
		}
		if m.reasonFor != "" {
			return []key.Binding{k.Enter, k.Back, k.Quit}
		}
		bs = []key.Binding{k.Up, k.Down, k.Enter}
		if m.exam != nil && m.exam.Resuming() != nil {
			bs = append(bs, k.Void)
		}
		bs = append(bs, k.Back)
	case scrPlan:
		if m.searching {
			return []key.Binding{k.Enter, k.Back, k.Quit}
		}
		bs = []key.Binding{k.Up, k.Down, k.Search, k.Enter, k.Back}
	case scrIdentity:
		if m.reasonFor != "" {
			return []key.Binding{k.Enter, k.Back, k.Quit}
		}
		if m.d.Card != nil {
			bs = []key.Binding{k.ReadCard}
		}
		bs = append(bs, k.Confirm, k.Manual)
		if m.d.CardScenario != nil {
			bs = append(bs, k.Scenario)
		}
		bs = append(bs, k.Back)
	case scrDraw:
		if m.exam != nil && len(m.exam.Drawn()) == 0 {
			bs = []key.Binding{k.Draw}
		} else {
			bs = []key.Binding{k.Up, k.Down, k.Enter}
			if m.referenceDue() != nil {
				bs = append(bs, k.Reference)
			}
			bs = append(bs, k.Scenario, k.FinishExam)
		}
	case scrLive:
		if m.vetoing {
			bs = []key.Binding{k.Mark, k.Veto, k.Back}
			break
		}
		bs = []key.Binding{k.Up, k.Down, k.Tab, k.Mark, k.Undo, k.Veto, k.Timer, k.Finish}
		if m.item != nil && hasDevice(m.item.Std.Devices, "board") {
			bs = append(bs, k.Power)
		}
		bs = append(bs, k.Scenario, k.Unplug)
	case scrSheet:
		if m.resolving {
			return []key.Binding{k.Tab, k.Enter, k.Back, k.Quit}
		}
		bs = []key.Binding{k.Accept, k.Refuse, k.Examiner1, k.Examiner2, k.Resolve, k.Back}
	case scrResult:
		bs = []key.Binding{k.Print, k.Enter, k.Back}
	case scrSync:
		bs = []key.Binding{k.Retry, k.Back}
	}
	return append(bs, k.Help, k.Lang, k.Quit)
}

func hasDevice(kinds []string, kind string) bool {
	for _, k := range kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// handles reports whether the screen lists a binding for msg.
func (m *Model) handles(msg string) bool {
	for _, b := range m.keysFor() {
		for _, k := range b.Keys() {
			if k == msg {
				return true
			}
		}
	}
	return false
}

// helpLines lays the bindings out in width as "key desc" joined by " · ",
// on at most two lines; when they need more, the descriptions go and the
// keys stay. A key is never cut off (at 80 columns every key of every
// screen is on the bar).
func helpLines(bs []key.Binding, width int, style lipgloss.Style) []string {
	pack := func(items []string) []string {
		var lines []string
		cur := ""
		for _, it := range items {
			switch {
			case cur == "":
				cur = it
			case lipgloss.Width(cur)+3+lipgloss.Width(it) <= width:
				cur += " · " + it
			default:
				lines = append(lines, cur)
				cur = it
			}
		}
		if cur != "" {
			lines = append(lines, cur)
		}
		return lines
	}
	var full, keys []string
	for _, b := range bs {
		full = append(full, b.Help().Key+" "+b.Help().Desc)
		keys = append(keys, b.Help().Key)
	}
	lines := pack(full)
	if len(lines) > 2 {
		lines = pack(keys)
	}
	for i := range lines {
		lines[i] = style.Render(lines[i])
	}
	return lines
}

// fullHelp is the `?` view: every binding of the screen with its words,
// in columns (bubbles/help).
func (m *Model) fullHelp() string {
	h := help.New()
	h.Styles.FullKey = m.styles.Value
	h.Styles.FullDesc = m.styles.Help
	h.Styles.FullSeparator = m.styles.Dim
	bs := m.keysFor()
	rows := max(m.h-6, 4)
	var cols [][]key.Binding
	for len(bs) > 0 {
		n := min(rows, len(bs))
		cols = append(cols, bs[:n])
		bs = bs[n:]
	}
	return m.styles.Header.Render(m.t("all-keys")) + "\n\n" + strings.TrimRight(h.FullHelpView(cols), " ")
}
