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
