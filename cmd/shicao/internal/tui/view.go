package tui

import (
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/charmbracelet/lipgloss"
	"github.com/charmbracelet/x/ansi"

	"shicao/cmd/shicao/internal/station"
)

func maskID(id string) string { return station.MaskID(id) }

// idNumber is an ID number (18 characters, the last a digit or X) inside
// a longer text, such as a certificate number.
var idNumber = regexp.MustCompile(`\d{17}[\dX]`)

// maskIDs masks every ID number inside s: no screen shows one whole.
func maskIDs(s string) string { return idNumber.ReplaceAllStringFunc(s, maskID) }

// frame puts the title bar, the exam's context line, the status line and
// the help bar around a screen's body, clipped to the window. The context
// (who is marking, time left, the candidate) and every key of the screen
// stay on screen at 80x24.
func (m *Model) frame(body string, help []string, room int) string {
	st := m.styles
	title := st.Title.Render(fmt.Sprintf("shicao %s · %s %s · %s %s · %s", m.t("title"), m.t("station"), m.d.Station.Name(), m.t("site"), m.d.Station.Site(), m.d.Station.Now().Format("2006-01-02 15:04:05")))
	if m.w < 100 {
		title = st.Title.Render(fmt.Sprintf("shicao · %s · %s · %s", m.d.Station.Name(), m.d.Station.Site(), m.d.Station.Now().Format("01-02 15:04:05")))
	}
	top := []string{title}
	if c := m.contextLine(); c != "" {
		top = append(top, c)
	}
	if m.d.DemoHint != "" {
		top = append(top, st.Dim.Render(fmt.Sprintf(m.t("demo-hint"), m.d.DemoHint, m.d.DemoDir)))
	}
	status := ""
	switch {
	case m.ask != nil:
		status = st.Warn.Render("? " + m.ask.text + " — " + m.t("yes-no"))
	case m.status != "" && m.bad:
		status = st.Bad.Render("✗ " + maskIDs(m.status))
	case m.status != "":
		status = st.Good.Render("✓ " + maskIDs(m.status))
	}
	if m.showHelp {
		body = m.fullHelp()
	}
	bodyLines := strings.Split(strings.TrimRight(body, "\n"), "\n")
	if len(bodyLines) > room {
		bodyLines = bodyLines[:room]
	}
	for len(bodyLines) < room {
		bodyLines = append(bodyLines, "")
	}
	out := append(top, bodyLines...)
	out = append(out, status)
	out = append(out, help...)
	for i, l := range out {
		out[i] = clipLine(l, m.w)
	}
	return strings.Join(out, "\n")
}

// bodyRoom is how many lines frame leaves a screen's body: the window
// less the title, context and demo lines, the status line and the help
// bar.
func (m *Model) bodyRoom(help []string) int {
	top := 1
	if m.contextLine() != "" {
		top++
	}
	if m.d.DemoHint != "" {
		top++
	}
	return max(m.h-top-1-len(help), 1)
}

// window cuts lines to room, keeping lines [from, to) (the selection) in
// view, and says on the first and last line shown how many are cut off.
func (m *shared) window(lines []string, from, to, room int) []string {
	dim := m.styles.Dim.Render
	if len(lines) <= room || room < 3 {
		if len(lines) > room {
			return lines[:room]
		}
		return lines
	}
	// The first and last lines shown give way to the ↑ and ↓ counts:
	// the selection sits between them.
	start := 0
	if to > room-1 {
		start = max(min(to-room+1, from-1), 0)
	}
	end := min(start+room, len(lines))
	out := append([]string(nil), lines[start:end]...)
	if start > 0 {
		out[0] = dim("  ↑ " + fmt.Sprintf(m.t("more-lines"), start+1))
	}
	if end < len(lines) {
		out[len(out)-1] = dim("  ↓ " + fmt.Sprintf(m.t("more-lines"), len(lines)-end+1))
	}
	return out
}

// contextLine is what an examiner must always see once an exam is open:
// the candidate (ID masked), who is marking, and the time left.
func (m *shared) contextLine() string {
	if m.exam == nil {
		return ""
	}
	st := m.styles
	var parts []string
	if c := m.exam.Candidate(); c != nil {
		parts = append(parts, fmt.Sprintf("%s %s %s", m.t("candidate"), st.Value.Render(c.Name), maskID(c.IDNumber)))
	}
	if exs := m.exam.Examiners(); len(exs) > 0 {
		if m.screen == scrLive || m.screen == scrSheet {
			x := exs[min(m.active, len(exs)-1)]
			parts = append(parts, st.Value.Render(fmt.Sprintf("%s %d %s", m.t("examiner"), m.active+1, x.Examiner.Name)))
		} else {
			var names []string
			for _, x := range exs {
				names = append(names, x.Examiner.Name)
			}
			parts = append(parts, fmt.Sprintf("%s %s", m.t("examiner"), strings.Join(names, m.t("list-sep"))))
		}
	}
	if it := m.item; it != nil && m.screen == scrLive {
		limitMs, _ := it.Limits()
		el, limit := it.Elapsed(), time.Duration(limitMs)*time.Millisecond
		if el > limit {
			parts = append(parts, st.Bad.Render(fmt.Sprintf("⚠ %s +%s", m.t("overtime"), clock(el-limit))))
		} else {
			parts = append(parts, st.Value.Render(fmt.Sprintf("%s %s", m.t("left"), clock(limit-el))))
		}
	}
	return strings.Join(parts, " · ")
}

// clipLine cuts a line to width display columns (CJK is two wide).
func clipLine(s string, width int) string {
	if lipgloss.Width(s) <= width {
		return s
	}
	return lipgloss.NewStyle().MaxWidth(width).Render(s)
}

// message renders a one-paragraph message in style, wrapped to width
// display columns. Chinese is wrapped at any character, as Chinese is
// set (a word wrap broke "开考前设备 cpr" from the rest at its one space
// and left a short first line); English at spaces.
func message(style lipgloss.Style, lang string, width int, text string) string {
	width = max(width, 20)
	if lang == "en" {
		return style.Width(width).Render(text)
	}
	return style.Render(ansi.Hardwrap(text, width, true))
}

// pad pads s with spaces to width display columns.
func pad(s string, width int) string {
	if w := lipgloss.Width(s); w < width {
		return s + strings.Repeat(" ", width-w)
	}
	return s
}
