package tui

// The draw screen's view: the items drawn as a list whose rows carry
// their devices' readiness lines.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/lipgloss"

	"shicao/cmd/shicao/internal/station"
)

// View is the items drawn, their state and their devices' readiness.
func (p *drawPage) View() string {
	st := p.styles
	var b strings.Builder
	c := p.exam.Candidate()
	fmt.Fprintf(&b, "%s %s %s · %s\n\n", st.Header.Render(p.t("draw")), c.Name, maskID(c.IDNumber), p.exam.Blueprint().Title)
	drawn := p.exam.Drawn()
	if len(drawn) == 0 {
		fmt.Fprintf(&b, "%s\n", p.t("press-draw"))
		return b.String()
	}
	titleW := 0
	items := make([]list.Item, len(drawn))
	for i, d := range drawn {
		titleW = max(titleW, lipgloss.Width(d.Standard.Title))
		items[i] = drawnItem{d}
	}
	gate := ""
	if p.ready != nil && p.ready.gate != nil {
		why := p.ready.gate.Text(p.lang)
		if p.referenceDue() != nil {
			why += p.t("gate-press-r") // the key that clears it, not only the help bar's
		}
		gate = message(st.Bad, p.lang, p.width-1, fmt.Sprintf("✗ %s: %s", p.t("gate"), why)) + "\n"
	}
	room := max(p.height-2-strings.Count(gate, "\n"), 1)
	b.WriteString(p.rowsView(&p.list, p.delegate(titleW), items, p.sel, p.width, room) + "\n")
	b.WriteString(gate)
	return b.String()
}

// delegate draws a drawn item's rows: subject, standard, version, title
// (padded to titleW), state, then one line per device's readiness.
func (p *drawPage) delegate(titleW int) rows {
	st, devs := p.styles, p.data.devices
	return rows{sel: st.Selected, row: func(it list.Item) []string {
		d, _ := it.(drawnItem)
		state := st.Dim.Render("· " + p.t("waiting"))
		if x := p.exam.Item(d.Subject); x != nil {
			if x.Done() {
				s, _ := x.Sheet()
				state = st.Good.Render(fmt.Sprintf("✓ %s %s", p.t("done"), s.Score))
			} else {
				state = st.Warn.Render("▶ " + p.t("in-exam"))
			}
		}
		lines := []string{fmt.Sprintf("  %s %s v%d %s  %s", d.Subject, pad(d.Standard.ID, 11), d.Standard.Version, pad(d.Standard.Title, titleW), state)}
		if len(d.Standard.Devices) == 0 {
			lines = append(lines, "      "+st.Dim.Render(p.t("no-devices")))
		}
		for _, kind := range d.Standard.Devices {
			lines = append(lines, "      "+p.readiness(kind, devs))
		}
		return lines
	}}
}

// readiness is one device's line on the draw screen: ✓ only when the item
// could start with it now (connected, self-tested, registered to this
// site), else ✗ and StartItem's reason.
func (p *drawPage) readiness(kind string, devs []station.Device) string {
	st := p.styles
	if p.ready != nil {
		devs = p.ready.devs
	}
	for _, d := range devs {
		if d.Kind != kind {
			continue
		}
		text, bad := p.portProblem(d)
		switch {
		case bad:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Port, text))
		case !d.Connected:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Port, p.t("lost")))
		case p.ready == nil:
			return st.Dim.Render(fmt.Sprintf("… %s %s %s: %s", kind, d.Model, d.Serial, p.t("device-check")))
		case p.ready.why[kind] != nil:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Serial, p.ready.why[kind].Text(p.lang)))
		}
		return st.Good.Render(fmt.Sprintf("✓ %s %s %s %s: %s", kind, d.Model, d.Serial, d.Port, p.t("ready")))
	}
	if p.ready != nil && p.ready.why[kind] != nil {
		return st.Bad.Render(fmt.Sprintf("✗ %s: %s", kind, p.ready.why[kind].Text(p.lang)))
	}
	return st.Bad.Render(fmt.Sprintf("✗ %s: %s", kind, p.t("not-ready")))
}
