package tui

import (
	"strings"

	"github.com/charmbracelet/bubbles/help"
	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/lipgloss"
)

// keysFor is the help of what the screen handles now: the bindings that
// dispatch its keys (bindings), drawn as its help bar.
func (m *Model) keysFor() []key.Binding {
	bs := m.bindings()
	out := make([]key.Binding, len(bs))
	for i, b := range bs {
		out[i] = b.Binding
	}
	return out
}

func hasDevice(kinds []string, kind string) bool {
	for _, k := range kinds {
		if k == kind {
			return true
		}
	}
	return false
}

// helpLines is the short help bar (bubbles/help): the bindings as "key
// desc" in rows that fit width, on at most two lines; when they need
// more, the descriptions go and the keys stay. A key is never cut off
// (at 80 columns, and at 60, every key of every screen is on the bar):
// bubbles/help truncates a row too wide, so rows are packed here first.
func helpLines(bs []key.Binding, width int, style lipgloss.Style) []string {
	h := help.New()
	h.ShortSeparator = " · "
	h.Styles.ShortKey, h.Styles.ShortDesc, h.Styles.ShortSeparator = style, style, style
	item := func(b key.Binding, keysOnly bool) string {
		if keysOnly {
			return style.Render(b.Help().Key)
		}
		return h.ShortHelpView([]key.Binding{b})
	}
	sep := style.Render(h.ShortSeparator)
	pack := func(keysOnly bool) []string {
		var lines []string
		var row []key.Binding
		cur := 0
		flush := func() {
			if len(row) == 0 {
				return
			}
			if keysOnly {
				var ks []string
				for _, b := range row {
					ks = append(ks, item(b, true))
				}
				lines = append(lines, strings.Join(ks, sep))
			} else {
				lines = append(lines, h.ShortHelpView(row))
			}
			row, cur = nil, 0
		}
		for _, b := range bs {
			w := lipgloss.Width(item(b, keysOnly))
			if len(row) > 0 && cur+lipgloss.Width(sep)+w > width {
				flush()
			}
			if len(row) > 0 {
				cur += lipgloss.Width(sep)
			}
			row, cur = append(row, b), cur+w
		}
		flush()
		return lines
	}
	lines := pack(false)
	if len(lines) > 2 {
		lines = pack(true)
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
