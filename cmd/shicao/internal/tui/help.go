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
	sepW := lipgloss.Width(h.ShortSeparator)
	// rows packs the items of the given widths into rows of width.
	rows := func(widths []int) [][]key.Binding {
		var out [][]key.Binding
		cur := 0
		for i, b := range bs {
			if n := len(out); n > 0 && cur+sepW+widths[i] <= width {
				out[n-1], cur = append(out[n-1], b), cur+sepW+widths[i]
				continue
			}
			out, cur = append(out, []key.Binding{b}), widths[i]
		}
		return out
	}
	full, keys := make([]int, len(bs)), make([]int, len(bs))
	for i, b := range bs {
		keys[i] = lipgloss.Width(b.Help().Key)
		full[i] = keys[i] + 1 + lipgloss.Width(b.Help().Desc)
	}
	var lines []string
	if rs := rows(full); len(rs) <= 2 {
		for _, r := range rs {
			lines = append(lines, h.ShortHelpView(r))
		}
		return lines
	}
	for _, r := range rows(keys) {
		ks := make([]string, len(r))
		for i, b := range r {
			ks[i] = style.Render(b.Help().Key)
		}
		lines = append(lines, strings.Join(ks, style.Render(h.ShortSeparator)))
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
