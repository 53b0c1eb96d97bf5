package tui

import (
	tea "github.com/charmbracelet/bubbletea"

	"errors"
	"fmt"
	"shicao/standards"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/hardware/serialport"
)

// deviceState is what the device panel knows of one device.
type deviceState struct {
	connected bool
	lostAt    time.Time
	scenario  string
	last      ReadingMsg
	lastAt    time.Time // when the last reading arrived (the exam clock)
	readings  int
	// CPR
	depths   []int // the last compressions' depths, for the sparkline
	compAt   []time.Time
	recoil   bool
	position string
	breaths  []int
	cycles   int
	inBreath bool
}

// resetPanel clears what the panel shows of the last item.
func (ds *deviceState) resetPanel() {
	ds.depths, ds.compAt, ds.breaths, ds.cycles, ds.inBreath, ds.readings = nil, nil, nil, 0, false, 0
}

func (m *shared) onReading(r ReadingMsg) {
	ds := m.dev[r.Kind]
	if ds == nil {
		ds = &deviceState{}
		m.dev[r.Kind] = ds
	}
	ds.connected = true
	ds.last = r
	ds.lastAt = m.d.Now()
	ds.readings++
	switch r.Type {
	case "cpr.compression":
		if ds.inBreath {
			ds.inBreath = false
			ds.compAt = nil // the rate is of this run of compressions
		}
		ds.depths = append(ds.depths, intField(r.Fields, "depth_mm"))
		if len(ds.depths) > 60 {
			ds.depths = ds.depths[len(ds.depths)-60:]
		}
		ds.compAt = append(ds.compAt, m.d.Now())
		if len(ds.compAt) > 11 {
			ds.compAt = ds.compAt[len(ds.compAt)-11:]
		}
		ds.recoil, _ = r.Fields["recoil"].(bool)
		ds.position, _ = r.Fields["position"].(string)
	case "cpr.ventilation":
		if !ds.inBreath {
			ds.cycles++
			ds.inBreath = true
		}
		ds.breaths = append(ds.breaths, intField(r.Fields, "volume_ml"))
		if len(ds.breaths) > 10 {
			ds.breaths = ds.breaths[len(ds.breaths)-10:]
		}
	}
}

func (m *shared) onDeviceState(s DeviceStateMsg) {
	ds := m.dev[s.Kind]
	if ds == nil {
		ds = &deviceState{}
		m.dev[s.Kind] = ds
	}
	switch s.State {
	case "lost":
		ds.connected = false
		ds.lostAt = m.d.Now()
		m.status, m.bad = fmt.Sprintf(m.t("device-lost"), s.Kind), true
	case "back", "connected":
		was := !ds.connected
		ds.connected = true
		if was && s.State == "back" {
			m.notice(fmt.Sprintf(m.t("device-back"), s.Kind))
		}
	}
}

// portProblem is the text for a device whose port cannot be used, and
// whether it has one: a port that is not there ("port not found": a wrong
// path, an adapter not plugged in) is told apart from a device that was
// connected and is lost ("disconnected"), since the fixes differ.
func (m *shared) portProblem(d station.Device) (string, bool) {
	if d.PortErr == nil || d.Connected {
		return "", false
	}
	var oe *serialport.OpenError
	switch {
	case errors.As(d.PortErr, &oe) && oe.NotFound():
		return m.t("port-missing"), true
	case errors.Is(d.PortErr, serialport.ErrNotSerial):
		return m.t("port-notserial"), true
	case errors.Is(d.PortErr, serialport.ErrPermission):
		return m.t("port-denied"), true
	}
	return m.t("port-unusable"), true
}

func intField(f map[string]any, k string) int {
	switch v := f[k].(type) {
	case int:
		return v
	case int64:
		return int(v)
	case float64:
		return int(v)
	}
	return 0
}

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

// stale reports whether a connected device has sent nothing for
// station.StaleAfter: its last value is no longer shown.
func (m *shared) stale(ds *deviceState) bool {
	return ds.readings > 0 && m.d.Now().Sub(ds.lastAt) >= station.StaleAfter
}

// genericPanel shows a device's last reading (-- once it is stale).
func (m *shared) genericPanel(kind string, ds *deviceState) []string {
	if ds.readings == 0 {
		return []string{m.styles.Dim.Render("—")}
	}
	if !ds.connected || m.stale(ds) {
		return []string{fmt.Sprintf("%s --", ds.last.Type)}
	}
	var parts []string
	for _, k := range sortedFieldKeys(ds.last.Fields) {
		parts = append(parts, fmt.Sprintf("%s=%v", k, ds.last.Fields[k]))
	}
	return []string{fmt.Sprintf("%s %s", ds.last.Type, strings.Join(parts, " "))}
}

func sortedFieldKeys(f map[string]any) []string {
	keys := make([]string, 0, len(f))
	for k := range f {
		keys = append(keys, k)
	}
	for i := 1; i < len(keys); i++ {
		for j := i; j > 0 && keys[j] < keys[j-1]; j-- {
			keys[j], keys[j-1] = keys[j-1], keys[j]
		}
	}
	return keys
}

// cycleScenario moves the item's first simulated device to its next
// scenario (the demo control key).
func (m *shared) cycleScenario(std *standards.Standard) tea.Cmd {
	if len(std.Devices) == 0 {
		m.hint("hint-no-device")
		return nil
	}
	kind := std.Devices[0]
	list := m.d.Equipment.Scenarios(kind)
	if len(list) == 0 {
		m.hint("hint-no-scenario", kind)
		return nil
	}
	ds := m.dev[kind]
	if ds == nil {
		ds = &deviceState{}
		m.dev[kind] = ds
	}
	next := list[0]
	for i, s := range list {
		if s == ds.scenario {
			next = list[(i+1)%len(list)]
		}
	}
	ds.scenario = next
	text := fmt.Sprintf("%s %s: %s", m.t("scenario"), kind, next)
	eq := m.d.Equipment
	return m.run(do(func() error { return eq.Play(kind, next) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
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
