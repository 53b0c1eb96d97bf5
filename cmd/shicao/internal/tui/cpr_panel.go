package tui

// The CPR manikin's live panel, and its coaching in training mode.

import (
	"fmt"
	"strings"
)

// sparkline draws values between lo and hi with block characters.
func sparkline(vals []int, lo, hi int) string {
	blocks := []rune("▁▂▃▄▅▆▇█")
	var b strings.Builder
	for _, v := range vals {
		i := (v - lo) * (len(blocks) - 1) / max(hi-lo, 1)
		b.WriteRune(blocks[min(max(i, 0), len(blocks)-1)])
	}
	return b.String()
}

// cprPanel is the CPR manikin's live panel: the last depth against the
// 50–60 mm band, the rate, recoil, position, breaths, cycles, a sparkline;
// in training mode, the coaching line above the sparkline (coachLine).
func (m *shared) cprPanel(ds *deviceState, width int, training bool) []string {
	st := m.styles
	var lines []string
	last := 0
	stale := m.stale(ds)
	if n := len(ds.depths); n > 0 && ds.connected && !stale {
		// A lost manikin's last depth is not a reading, nor is one older
		// than station.StaleAfter: it shows --.
		last = ds.depths[n-1]
	}
	depth := fmt.Sprintf("%3d mm", last)
	if last == 0 {
		depth = " -- mm"
	}
	band := "✓ 50–60"
	bandStyle := st.Good
	switch {
	case last == 0:
		band, bandStyle = "—", st.Dim
	case last < 50:
		band, bandStyle = "✗ <50 "+m.t("shallow"), st.Bad
	case last > 60:
		band, bandStyle = "✗ >60 "+m.t("deep"), st.Warn
	}
	// A bar 0..80 mm with the band marked.
	barW := min(40, max(width-28, 10))
	bar := []rune(strings.Repeat("·", barW))
	for mm := 50; mm <= 60; mm++ {
		bar[mm*(barW-1)/80] = '='
	}
	if last > 0 {
		bar[min(last, 80)*(barW-1)/80] = '█'
	}
	lines = append(lines, fmt.Sprintf("%s %s %s %s", m.t("depth"), depth, string(bar), bandStyle.Render(band)))
	rate := "—"
	if r, ok := cprRate(ds); ok && !stale {
		rate = fmt.Sprintf("%.0f/min", r)
	}
	recoil := st.Good.Render("✓")
	if !ds.recoil && len(ds.depths) > 0 {
		recoil = st.Bad.Render("✗")
	}
	pos := "—"
	switch ds.position {
	case "":
	case "ok":
		pos = st.Good.Render("✓ " + m.t("pos-ok"))
	default:
		pos = st.Bad.Render("✗ " + m.positionText(ds.position))
	}
	lines = append(lines, fmt.Sprintf("%s %s  %s %s  %s %s  %s %d", m.t("rate"), rate, m.t("recoil"), recoil, m.t("position"), pos, m.t("cycles"), ds.cycles))
	var bs []string
	for _, v := range ds.breaths {
		mark := "✓"
		if v < 500 || v > 1000 {
			mark = "✗"
		}
		bs = append(bs, fmt.Sprintf("%d%s", v, mark))
	}
	lines = append(lines, fmt.Sprintf("%s ml: %s", m.t("breaths"), strings.Join(bs, " ")))
	if training {
		lines = append(lines, m.coachLine(ds, last, stale))
	}
	n := min(len(ds.depths), max(width-12, 10))
	lines = append(lines, fmt.Sprintf("%s %s", m.t("depth"), sparkline(ds.depths[len(ds.depths)-n:], 30, 70)))
	return lines
}

// cprRate is the rate of the current run of compressions, per minute.
func cprRate(ds *deviceState) (float64, bool) {
	n := len(ds.compAt)
	if n < 2 {
		return 0, false
	}
	span := ds.compAt[n-1].Sub(ds.compAt[0])
	if span <= 0 {
		return 0, false
	}
	return float64(n-1) * 60 / span.Seconds(), true
}

// positionText is a hand position the manikin reports, in words.
func (m *shared) positionText(pos string) string {
	switch pos {
	case "ok", "left", "right", "high", "low":
		return m.t("pos-" + pos)
	}
	return pos
}

// coachLine is training mode's coaching (培训模式): what to correct in the
// compressions and breaths being given now, against the bands the panel
// shows (depth 50–60 mm, rate 100–120/min, full recoil, the hands' place,
// breaths 500–1000 ml), or that they are good. An exam never shows it.
func (m *shared) coachLine(ds *deviceState, last int, stale bool) string {
	st := m.styles
	if last == 0 || stale {
		return st.Dim.Render(m.t("coach") + " —")
	}
	var tips []string
	switch {
	case last < 50:
		tips = append(tips, m.t("coach-shallow"))
	case last > 60:
		tips = append(tips, m.t("coach-deep"))
	}
	if r, ok := cprRate(ds); ok && !ds.inBreath {
		switch {
		case r > 120:
			tips = append(tips, m.t("coach-fast"))
		case r < 100:
			tips = append(tips, m.t("coach-slow"))
		}
	}
	if !ds.recoil {
		tips = append(tips, m.t("coach-recoil"))
	}
	if ds.position != "" && ds.position != "ok" {
		tips = append(tips, fmt.Sprintf(m.t("coach-position"), m.positionText(ds.position)))
	}
	if n := len(ds.breaths); n > 0 && ds.inBreath {
		switch v := ds.breaths[n-1]; {
		case v < 500:
			tips = append(tips, m.t("coach-breath-small"))
		case v > 1000:
			tips = append(tips, m.t("coach-breath-big"))
		}
	}
	if len(tips) == 0 {
		return st.Good.Render(m.t("coach") + " ✓ " + m.t("coach-good"))
	}
	return st.Warn.Render(m.t("coach") + " ✗ " + strings.Join(tips, " · "))
}
