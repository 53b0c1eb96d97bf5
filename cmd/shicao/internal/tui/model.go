package tui

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
)

// Equipment is what the TUI needs of the station's devices: their state
// for the start and readiness screens, and (in the demo) control of the
// simulators. Readings themselves arrive as ReadingMsg and DeviceStateMsg.
type Equipment interface {
	Devices() []station.Device
	// Scenarios lists a simulated device's scenarios (nil for real ones).
	Scenarios(kind string) []string
	// Play restarts a simulated device on a scenario.
	Play(kind, scenario string) error
	// Unplug pulls a simulated device out, or plugs it back.
	Unplug(kind string) error
	// Power grants or withdraws a device's examiner-gated power.
	Power(kind string, on bool) error
}

// SyncStatus is the centre link as the start and outbox screens show it.
type SyncStatus interface {
	Online() bool
	LastSync() time.Time
	RetryNow()
}

// Deps is what the TUI drives.
type Deps struct {
	Station   *station.Station
	Equipment Equipment
	Sync      SyncStatus // optional
	// The station tells the equipment wiring which item readings belong
	// to (station.Config.Live); readings are recorded by the wiring, not
	// by the TUI.
	//
	// Now is the exam clock (the rate of compressions, the examiners'
	// timer); the title shows the station's wall clock.
	Now  func() time.Time
	Lang string
	// DemoHint is shown on the sign-in screen of the demo (its PINs).
	DemoHint string
	// Seed, if set, is the draw's seed (tests; a real draw is random).
	Seed string
}

// ReadingMsg is a device reading, for the device panel.
type ReadingMsg struct {
	Kind   string
	Type   string
	Fields map[string]any
}

// DeviceStateMsg is a device connecting, being lost or coming back.
type DeviceStateMsg struct {
	Kind  string
	State string // connected | lost | back
}

type screen int

const (
	scrStart screen = iota
	scrSignIn
	scrPlan
	scrIdentity
	scrDraw
	scrLive
	scrSheet
	scrResult
	scrSync
)

type tickMsg time.Time

// opMsg is the answer of a workflow call run in a tea.Cmd.
type opMsg struct {
	op  string
	err error
	v   any
}

// Model is the root model.
type Model struct {
	d      Deps
	lang   string
	styles Styles
	keys   KeyMap
	w, h   int
	screen screen
	status string // the last refusal or notice, shown in the status line
	bad    bool

	standards   []store.InstalledStandard
	interrupted []station.Interrupted
	plans       []store.Plan
	planSel     int // the start screen's chosen plan (↑↓ when there are several)
	exam        *station.Exam

	// sign-in
	signSel  int
	pinInput textinput.Model
	pinFor   string

	// plan
	search    textinput.Model
	searching bool
	candSel   int
	cand      *store.Candidate

	// draw and items
	subjSel int
	item    *station.Item
	sheet   *scoring.Sheet
	itemSel int
	active  int // the marking examiner (0-based)
	vetoing bool
	marks   [][]int64 // per examiner, the seqs of their marks, for undo
	timerAt time.Time // the carotid-check timer, while running
	powered bool      // the examiners granted the board's power
	saved   *station.Saved
	slip    *station.SlipOutcome // the result's slip, once a print was tried

	// resolve form (chief examiner)
	resolving     bool
	resolveInputs [2]textinput.Model
	resolveFocus  int

	dev       map[string]*deviceState
	queue     []store.OutboxRow
	refreshed time.Time
}

// New returns the root model.
func New(d Deps) *Model {
	if d.Now == nil {
		d.Now = time.Now
	}
	lang := d.Lang
	if lang != "en" {
		lang = "zh"
	}
	m := &Model{d: d, lang: lang, styles: DefaultStyles(), keys: DefaultKeyMap(), w: 80, h: 24, dev: map[string]*deviceState{}}
	m.pinInput = textinput.New()
	m.pinInput.EchoMode = textinput.EchoPassword
	m.pinInput.EchoCharacter = '•'
	m.pinInput.CharLimit = 12
	m.search = textinput.New()
	m.search.CharLimit = 18
	for i := range m.resolveInputs {
		m.resolveInputs[i] = textinput.New()
	}
	m.resolveInputs[0].CharLimit = 5
	m.resolveInputs[1].CharLimit = 200
	m.refresh()
	return m
}

// refresh reloads what the start screen shows (cheap: a few rows).
func (m *Model) refresh() {
	ctx := context.Background()
	st := m.d.Station.Store()
	m.standards, _ = st.Standards(ctx)
	m.interrupted, _ = m.d.Station.Interrupted(ctx)
	all, _ := st.Plans(ctx, m.d.Station.Today().String())
	m.plans = m.plans[:0]
	for _, p := range all {
		if p.Site == m.d.Station.Site() {
			m.plans = append(m.plans, p)
		}
	}
	m.planSel = min(m.planSel, max(0, len(m.plans)-1))
	m.queue, _ = st.Outbox(ctx, "")
	for _, d := range m.d.Equipment.Devices() {
		if m.dev[d.Kind] == nil {
			m.dev[d.Kind] = &deviceState{connected: d.Connected}
		}
	}
}

func tick() tea.Cmd {
	return tea.Tick(200*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Init starts the clock.
func (m *Model) Init() tea.Cmd { return tick() }

func (m *Model) setStatus(err error) {
	if err == nil {
		m.status, m.bad = "", false
		return
	}
	var r *station.Refusal
	if errors.As(err, &r) {
		m.status = r.Text(m.lang)
	} else {
		m.status = err.Error()
	}
	m.bad = true
}

func (m *Model) notice(s string) { m.status, m.bad = s, false }

// op runs a workflow call off the update loop.
func op(name string, f func() (any, error)) tea.Cmd {
	return func() tea.Msg {
		v, err := f()
		return opMsg{op: name, err: err, v: v}
	}
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		return m, nil
	case tickMsg:
		return m, m.onTick()
	case ReadingMsg:
		m.onReading(msg)
		return m, nil
	case DeviceStateMsg:
		m.onDeviceState(msg)
		return m, nil
	case opMsg:
		return m, m.onOp(msg)
	case tea.KeyMsg:
		if key.Matches(msg, m.keys.Quit) {
			return m, tea.Quit
		}
		if key.Matches(msg, m.keys.Lang) {
			if m.lang == "zh" {
				m.lang = "en"
			} else {
				m.lang = "zh"
			}
			return m, nil
		}
		return m, m.onKey(msg)
	}
	return m, nil
}

func (m *Model) onTick() tea.Cmd {
	if m.screen == scrStart || m.screen == scrSync || m.screen == scrResult {
		// The outbox and link change in the background (sync rounds).
		if t := m.d.Now(); t.Sub(m.refreshed) > time.Second {
			m.refreshed = t
			m.refresh()
		}
	}
	if m.item != nil && m.screen == scrLive {
		it := m.item
		return tea.Batch(tick(), op("tick", func() (any, error) {
			ended, err := it.Tick(context.Background())
			if err != nil {
				return nil, err
			}
			s, err := it.Sheet()
			return tickResult{ended, s}, err
		}))
	}
	return tick()
}

type tickResult struct {
	ended bool
	sheet *scoring.Sheet
}

func (m *Model) onOp(msg opMsg) tea.Cmd {
	if msg.err != nil {
		m.setStatus(msg.err)
		if msg.op == "tick" {
			return nil
		}
		return nil
	}
	switch msg.op {
	case "tick":
		r := msg.v.(tickResult)
		m.sheet = r.sheet
		if r.ended && m.screen == scrLive {
			m.toSheet()
		}
	case "signin":
		x := msg.v.(*station.SignedIn)
		m.notice(fmt.Sprintf("%s %s %s (%s %s)", m.t("signed-in"), x.Examiner.Name, maskID(x.Examiner.ID), x.Certificate.Category, x.Certificate.Number))
		m.pinFor = ""
		m.pinInput.Reset()
		m.pinInput.Blur()
		m.marks = append(m.marks, nil)
		if need := m.exam.RequiredExaminers(context.Background()); len(m.exam.Examiners()) >= need {
			if m.exam.Resuming() != nil {
				return op("continue", func() (any, error) { return m.exam.Continue(context.Background()) })
			}
			m.screen = scrPlan
		}
	case "continue":
		m.item = msg.v.(*station.Item)
		m.screen = scrLive
		m.notice(m.t("interrupted"))
	case "verify":
		m.screen = scrDraw
		m.setStatus(nil)
	case "draw":
		m.setStatus(nil)
	case "start":
		m.item = msg.v.(*station.Item)
		m.sheet, _ = m.item.Sheet()
		m.itemSel, m.active, m.vetoing = 0, 0, false
		m.screen = scrLive
	case "mark", "undo", "timer", "phase", "veto", "finish", "confirm", "ack", "resolve":
		// Commands run concurrently: the answer of an earlier key can
		// arrive after the item was completed and put away.
		if m.item == nil {
			return nil
		}
	}
	switch msg.op {
	case "mark":
		seq := msg.v.(int64)
		for len(m.marks) <= m.active {
			m.marks = append(m.marks, nil)
		}
		m.marks[m.active] = append(m.marks[m.active], seq)
		m.sheet, _ = m.item.Sheet()
	case "undo", "timer", "phase":
		m.sheet, _ = m.item.Sheet()
	case "veto", "finish":
		m.toSheet()
	case "confirm", "ack", "resolve":
		m.sheet, _ = m.item.Sheet()
		m.resolving = false
		if m.item.Done() {
			m.item = nil
			m.screen = scrDraw
			if m.allDone() {
				m.notice(m.t("done") + " — F10")
			}
		}
	case "finish-exam":
		m.saved = msg.v.(*station.Saved)
		m.refresh()
		m.screen = scrResult
		if m.d.Station.HasPrinter() {
			return m.printSlip()
		}
	case "slip":
		m.slip = msg.v.(*station.SlipOutcome)
		if m.slip.Printed {
			m.notice(m.t("slip-printed"))
		} else {
			m.setStatus(m.slip.Reason)
		}
	case "resume":
		m.exam = msg.v.(*station.Exam)
		m.signSel = 0
		m.screen = scrSignIn
	case "scenario", "unplug", "power":
		m.notice(msg.v.(string))
	}
	return nil
}

func (m *Model) toSheet() {
	if m.item != nil {
		m.sheet, _ = m.item.Sheet()
	}
	m.screen = scrSheet
}

func (m *Model) allDone() bool {
	if m.exam == nil || len(m.exam.Drawn()) == 0 {
		return false
	}
	for _, d := range m.exam.Drawn() {
		it := m.exam.Item(d.Subject)
		if it == nil || !it.Done() {
			return false
		}
	}
	return true
}

// View renders the current screen.
func (m *Model) View() string {
	var body string
	switch m.screen {
	case scrStart:
		body = m.viewStart()
	case scrSignIn:
		body = m.viewSignIn()
	case scrPlan:
		body = m.viewPlan()
	case scrIdentity:
		body = m.viewIdentity()
	case scrDraw:
		body = m.viewDraw()
	case scrLive:
		body = m.viewLive()
	case scrSheet:
		body = m.viewSheet()
	case scrResult:
		body = m.viewResult()
	case scrSync:
		body = m.viewSync()
	}
	return m.frame(body)
}
