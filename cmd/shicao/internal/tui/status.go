package tui

import (
	"slices"
	"strconv"
	gosync "sync"

	tea "github.com/charmbracelet/bubbletea"

	examsync "shicao/sync"
)

// The station's live status for the centre's console (POST /v1/status):
// what the examiners' screen shows, snapshotted after every message the
// model handles, for a reporter that runs in another goroutine
// (station.StatusReporter) to read at its own pace. The model is never
// read from outside its own goroutine.

// screenNames are the screens' names in a status.
var screenNames = map[screen]string{
	scrStart: "start", scrSignIn: "signin", scrPlan: "plan", scrIdentity: "identity", scrDraw: "draw",
	scrLive: "live", scrSheet: "sheet", scrResult: "result", scrSync: "sync",
}

// StatusSnapshot returns what the model shows now as a status: the
// screen, the open exam's plan and masked candidate, the running item
// and the time into it, and each device's state. The station's own
// facts (outbox, clock, standards) are added by station.FillStatus.
func (m *Model) StatusSnapshot() examsync.StationStatus {
	st := examsync.StationStatus{Screen: screenNames[m.screen]}
	if m.d.Station != nil {
		st.Station = m.d.Station.Name()
	}
	cand := m.cand
	if ex := m.exam; ex != nil {
		st.Plan = ex.Plan().ID
		if c := ex.Candidate(); c != nil {
			cand = c
		}
	} else if sel := m.pages.start.sel; sel < len(m.data.plans) {
		st.Plan = m.data.plans[sel].ID
	}
	if cand != nil {
		st.Candidate = cand.Name + " " + maskID(cand.IDNumber)
	}
	if it := m.item; it != nil && it.Std != nil {
		st.Item = it.Std.ID + " " + it.Std.Title
		st.ElapsedMs = it.Elapsed().Milliseconds()
		st.Standards = []string{it.Std.ID + "@" + strconv.Itoa(it.Std.Version)}
	}
	kinds := make([]string, 0, len(m.dev))
	for k := range m.dev {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)
	st.Devices = make([]examsync.DeviceStatus, 0, len(kinds))
	for _, k := range kinds {
		state := "connected"
		if !m.dev[k].connected {
			state = "lost"
		}
		st.Devices = append(st.Devices, examsync.DeviceStatus{Kind: k, State: state})
	}
	return st
}

// StatusBoard holds the latest status snapshot, safe for any goroutine.
type StatusBoard struct {
	mu gosync.Mutex
	st examsync.StationStatus
}

// Load returns a copy of the latest snapshot.
func (b *StatusBoard) Load() examsync.StationStatus {
	b.mu.Lock()
	defer b.mu.Unlock()
	st := b.st
	st.Devices = slices.Clone(b.st.Devices)
	st.Standards = slices.Clone(b.st.Standards)
	return st
}

func (b *StatusBoard) store(st examsync.StationStatus) {
	b.mu.Lock()
	b.st = st
	b.mu.Unlock()
}

// WithStatus returns m as a program's model that keeps b up to date:
// after every message, the model's StatusSnapshot. Run the program on
// what it returns; the model itself is unchanged.
func WithStatus(m *Model, b *StatusBoard) tea.Model {
	b.store(m.StatusSnapshot())
	return reporting{m, b}
}

// reporting is the model with its status board.
type reporting struct {
	*Model
	board *StatusBoard
}

func (r reporting) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	_, cmd := r.Model.Update(msg)
	r.board.store(r.Model.StatusSnapshot())
	return r, cmd
}
