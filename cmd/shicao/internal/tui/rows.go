package tui

// The pages' lists (examiners, candidates, drawn items) are bubbles/list
// models drawn by one delegate that keeps each page's rows as they were.

import (
	"fmt"
	"io"
	"strings"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
)

// rows is the list.ItemDelegate of the pages' lists: row draws an item's
// lines, the first beginning with the two spaces the ▶ takes on the
// selected row (reverse video too, but the ▶ is what shows under
// NO_COLOR); further lines (a drawn item's devices) follow under it.
type rows struct {
	sel lipgloss.Style
	// height is the most lines a row has: the list pages by it, so a
	// page never holds more lines than it has room for.
	height int
	row    func(list.Item) []string
}

var _ list.ItemDelegate = rows{}

func (d rows) Height() int                         { return d.height }
func (d rows) Spacing() int                        { return 0 }
func (d rows) Update(tea.Msg, *list.Model) tea.Cmd { return nil }

// Render writes item i's lines, marked when the list's cursor is on it.
func (d rows) Render(w io.Writer, m list.Model, i int, it list.Item) {
	lines := d.row(it)
	if len(lines) == 0 {
		return
	}
	if i == m.Index() && strings.HasPrefix(lines[0], " ") {
		lines[0] = d.sel.Render("▶" + lines[0][1:])
	}
	_, _ = io.WriteString(w, strings.Join(lines, "\n"))
}

// newRows is a list drawn by d with the list's own title, status bar,
// filter, help and pagination dots off: the page's bindings drive the
// keys and the help bar, and the page says what is cut off.
func newRows(d rows) list.Model {
	d.height = max(d.height, 1) // the list divides its height by it
	l := list.New(nil, d, 0, 0)
	l.SetShowTitle(false)
	l.SetShowStatusBar(false)
	l.SetShowHelp(false)
	l.SetShowPagination(false)
	l.SetFilteringEnabled(false)
	return l
}

// rowsView shows items in room lines with the cursor on sel. A list
// longer than the room is shown a page at a time (bubbles/list's
// paginator), the page holding sel, with the lines on the pages before
// and after counted on a line above and below it.
func (m *shared) rowsView(l *list.Model, d rows, items []list.Item, sel, width, room int) string {
	heights := make([]int, len(items))
	lines := 0
	d.height = 1
	for i, it := range items {
		heights[i] = len(d.row(it))
		lines += heights[i]
		d.height = max(d.height, heights[i])
	}
	l.SetDelegate(d)
	fits := lines <= room || room < 3
	if fits {
		// Every row on one page when they fit, however tall each one is.
		l.SetSize(width, max(room, lines, len(items)*d.height))
	} else {
		l.SetSize(width, room-2)
	}
	l.SetItems(items)
	l.Select(min(max(sel, 0), max(len(items)-1, 0)))
	out := trimBlock(l.View())
	if fits {
		// Too little room for the counts: the first lines, as before.
		if ls := strings.Split(out, "\n"); len(ls) > room {
			out = strings.Join(ls[:room], "\n")
		}
		return out
	}
	start, end := l.Paginator.GetSliceBounds(len(items))
	dim := m.styles.Dim.Render
	above, below := sum(heights[:start]), sum(heights[end:])
	var b []string
	if above > 0 {
		b = append(b, dim("  ↑ "+fmt.Sprintf(m.t("more-lines"), above)))
	}
	b = append(b, out)
	if below > 0 {
		b = append(b, dim("  ↓ "+fmt.Sprintf(m.t("more-lines"), below)))
	}
	return strings.Join(b, "\n")
}

func sum(ns []int) int {
	t := 0
	for _, n := range ns {
		t += n
	}
	return t
}

// trimBlock drops the blank lines and the padding spaces the list adds
// to fill its height and width: the page lays out its own lines.
func trimBlock(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.TrimRight(l, " ")
	}
	for len(lines) > 0 && lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	return strings.Join(lines, "\n")
}
