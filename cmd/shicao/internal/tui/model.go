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
	// DemoHint and DemoDir are shown on every screen of the demo: its
	// examiners' PINs and the data directory it keeps.
	DemoHint string
	DemoDir  string
	// Card reads the candidate's ID card on the station's reader (nil: no
	// reader; the examiners check the card by eye, or take the number by
	// hand with a reason).
	Card station.CardRead
	// CardScenario, in the demo, sets what the simulated reader holds
	// (sim.Scenarios(hardware.KindIDCard)): F2 on the identity screen
	// cycles through them. nil for a real reader.
	CardScenario func(name string) error
	// Seed, if set, is the draw's seed (tests; a real draw is random).
	Seed string
	// Drill opens the calibration drill screen instead of the exam's
	// (screen_drill.go, shicao station drill mark).
	Drill bool
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
	// ask is an irreversible act waiting for y (or n): ending an item, a
	// refusal to sign, a veto.
	ask      *asking
	showHelp bool // the full key list (?)

	standards   []store.InstalledStandard
	interrupted []station.Interrupted
	plans       []store.Plan
	planSel     int // the start screen's chosen plan (↑↓ when there are several)
	exam        *station.Exam

	// sign-in
	names    map[string]string // the examiners' names, read as the exam opens
	signSel  int
	pinInput textinput.Model
	pinFor   string

	// plan
	search    textinput.Model
	searching bool
	candSel   int
	cand      *store.Candidate
	card      *cardState // the ID card read on the identity screen
	cardScen  int        // the simulated card's scenario (demo)

	// reasonFor is the act whose written reason is being typed ("manual",
	// "void"), "" when none.
	reasonFor string
	reason    textinput.Model

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

	// ready is each drawn device kind's readiness, checked in a command
	// the way StartItem will check it (registration included).
	ready     *readyMsg
	checkedAt time.Time

	work      *worker // runs the workflow calls in key order
	dev       map[string]*deviceState
	queue     []outboxEntry
	refreshed time.Time

	drill *drillModel // the calibration drill screen, when Deps.Drill
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
	m := &Model{d: d, lang: lang, styles: DefaultStyles(), keys: NewKeyMap(lang), w: 80, h: 24, dev: map[string]*deviceState{}, work: newWorker()}
	m.pinInput = textinput.New()
	m.pinInput.EchoMode = textinput.EchoPassword
	m.pinInput.EchoCharacter = '•'
	m.pinInput.CharLimit = 12
	m.search = textinput.New()
	m.search.CharLimit = 18
	for i := range m.resolveInputs {
		m.resolveInputs[i] = textinput.New()
	}
	m.reason = textinput.New()
	m.reason.CharLimit = 200
	m.resolveInputs[0].CharLimit = 5
	m.resolveInputs[1].CharLimit = 200
	if d.Drill {
		m.drill = newDrillModel(m)
		m.drill.update(m.drill.load()())
		return m
	}
	m.refresh()
	return m
}

// refresh reloads what the start screen shows at once (at start-up).
func (m *Model) refresh() {
	m.apply(load(m.d))
	m.initDevices()
}

func (m *Model) initDevices() {
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

// hint says in one line why a key the screen lists did nothing now.
func (m *Model) hint(key string, args ...any) {
	m.status, m.bad = fmt.Sprintf(m.t(key), args...), true
}

// Update handles a message.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		return m, nil
	}
	if m.drill != nil {
		return m, m.drill.update(msg)
	}
	switch msg := msg.(type) {
	case tickMsg:
		return m, m.onTick()
	case ReadingMsg:
		m.onReading(msg)
		return m, nil
	case DeviceStateMsg:
		m.onDeviceState(msg)
		return m, nil
	case resumedMsg, signedInMsg, continuedMsg, verifiedMsg, voidedMsg, drawnMsg, itemStartMsg, itemTickMsg,
		markedMsg, sheetChangedMsg, itemEndedMsg, signedOffMsg, examSavedMsg, slipMsg, noticeMsg:
		return m, m.onAnswer(msg)
	case loadedMsg:
		m.apply(msg)
		return m, nil
	case readyMsg:
		m.ready = &msg
		return m, nil
	case cardReadMsg:
		m.onCardRead(msg)
		return m, nil
	case tea.KeyMsg:
		return m, m.key(msg)
	}
	return m, nil
}

// asking is an act that cannot be taken back, held until the examiner
// answers y: one stray key never ends a candidate's item.
type asking struct {
	text string
	job  job
	// next, if set, is asked after y instead of running job: an act
	// each examiner confirms in turn.
	next *asking
}

func (m *Model) askFirst(text string, j job) {
	m.ask = &asking{text: text, job: j}
	m.setStatus(nil)
}

func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Quit) {
		return tea.Quit
	}
	if a := m.ask; a != nil {
		switch {
		case key.Matches(msg, m.keys.Yes):
			m.ask = a.next
			if a.next != nil {
				return nil
			}
			return m.run(a.job)
		case key.Matches(msg, m.keys.No):
			m.ask = nil
			m.notice(m.t("cancelled"))
		default:
			m.status, m.bad = m.t("yes-no"), true
		}
		return nil
	}
	// Text entry takes every key but its own (enter, esc, tab).
	if m.pinFor != "" || m.searching || m.resolving || m.reasonFor != "" {
		return m.onKey(msg)
	}
	switch {
	case key.Matches(msg, m.keys.Lang):
		m.setLang(map[string]string{"zh": "en", "en": "zh"}[m.lang])
		return nil
	case key.Matches(msg, m.keys.Help):
		m.showHelp = !m.showHelp
		return nil
	}
	if !m.handles(msg.String()) {
		m.status, m.bad = fmt.Sprintf(m.t("no-key"), msg.String()), true
		return nil
	}
	return m.onKey(msg)
}

func (m *Model) setLang(lang string) {
	m.lang = lang
	m.keys = NewKeyMap(lang)
}

// goTo shows another screen: the status line belongs to the screen and
// the moment that made it, so it goes too.
func (m *Model) goTo(s screen) {
	m.screen = s
	m.ask = nil
	m.endReason()
	m.showHelp = false
	m.setStatus(nil)
}

func (m *Model) onTick() tea.Cmd {
	if m.screen == scrDraw {
		if t := m.d.Now(); t.Sub(m.checkedAt) > time.Second || t.Before(m.checkedAt) {
			return tea.Batch(tick(), m.checkDevices())
		}
	}
	if m.screen == scrStart || m.screen == scrSync || m.screen == scrResult {
		// The outbox and link change in the background (sync rounds).
		if t := m.d.Now(); t.Sub(m.refreshed) > time.Second || t.Before(m.refreshed) {
			m.refreshed = t
			return tea.Batch(tick(), m.loadCmd())
		}
	}
	if m.item != nil && m.screen == scrLive {
		it := m.item
		return tea.Batch(tick(), func() tea.Msg {
			ended, err := it.Tick(context.Background())
			if err != nil {
				return itemTickMsg{err: err}
			}
			s, err := it.Sheet()
			return itemTickMsg{ended: ended, sheet: s, err: err}
		})
	}
	return tick()
}

// onAnswer handles a workflow call's typed answer.
func (m *Model) onAnswer(msg tea.Msg) tea.Cmd {
	if err := errOf(msg); err != nil {
		m.setStatus(err)
		return nil
	}
	switch msg := msg.(type) {
	case itemTickMsg:
		m.sheet = msg.sheet
		if msg.ended && m.screen == scrLive {
			m.toSheet()
		}
	case signedInMsg:
		return m.onSignedIn(msg)
	case voidedMsg:
		// The attempt is closed without a result: the candidate is
		// examined again later under the plan.
		m.exam, m.item = nil, nil
		m.goTo(scrStart)
		m.notice(m.t("voided"))
		return m.loadCmd()
	case continuedMsg:
		m.item = msg.it
		m.goTo(scrLive)
		m.notice(m.t("resumed"))
	case verifiedMsg:
		m.ready, m.card = nil, nil
		m.goTo(scrDraw)
	case drawnMsg:
		m.setStatus(nil)
		return m.checkDevices()
	case itemStartMsg:
		m.item = msg.it
		m.sheet, _ = m.item.Sheet()
		m.itemSel, m.active, m.vetoing = 0, 0, false
		m.goTo(scrLive)
	case markedMsg, sheetChangedMsg, itemEndedMsg, signedOffMsg:
		// Commands run concurrently: the answer of an earlier key can
		// arrive after the item was completed and put away.
		if m.item == nil {
			return nil
		}
		return m.onItemAnswer(msg)
	case examSavedMsg:
		m.saved, m.slip = msg.saved, nil
		m.goTo(scrResult)
		if m.d.Station.HasPrinter() {
			return tea.Batch(m.loadCmd(), m.printSlip())
		}
		return m.loadCmd()
	case slipMsg:
		m.onSlip(msg)
	case resumedMsg:
		m.exam = msg.exam
		m.loadNames()
		m.signSel = 0
		m.goTo(scrSignIn)
	case noticeMsg:
		m.notice(msg.text)
	}
	return nil
}

// onSignedIn: an examiner signed in; once enough have, the plan (or the
// interrupted item, when resuming).
func (m *Model) onSignedIn(msg signedInMsg) tea.Cmd {
	x := msg.x
	m.notice(fmt.Sprintf("%s %s %s (%s %s)", m.t("signed-in"), x.Examiner.Name, maskID(x.Examiner.ID), x.Certificate.Category, maskIDs(x.Certificate.Number)))
	m.pinFor = ""
	m.pinInput.Reset()
	m.pinInput.Blur()
	m.marks = append(m.marks, nil)
	m.nextToSignIn()
	if need := m.exam.RequiredExaminers(context.Background()); len(m.exam.Examiners()) >= need {
		if ex := m.exam; ex.Resuming() != nil {
			return m.run(call(func() (*station.Item, error) { return ex.Continue(context.Background()) },
				func(it *station.Item, err error) tea.Msg { return continuedMsg{it, err} }))
		}
		m.goTo(scrPlan)
	}
	return nil
}

// onSlip: a slip printed, or queued with its reason.
func (m *Model) onSlip(msg slipMsg) {
	// A print answered after the examiners left the result is in the
	// slip queue; the start screen does not speak of it.
	if m.screen != scrResult || m.saved == nil || m.saved.ID != msg.resultID {
		return
	}
	m.slip = msg.out
	if m.slip.Printed {
		m.notice(m.t("slip-printed"))
	} else {
		m.setStatus(m.slip.Reason)
	}
}

func (m *Model) onItemAnswer(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case markedMsg:
		for len(m.marks) <= m.active {
			m.marks = append(m.marks, nil)
		}
		m.marks[m.active] = append(m.marks[m.active], msg.seq)
		m.sheet, _ = m.item.Sheet()
	case sheetChangedMsg:
		m.sheet, _ = m.item.Sheet()
	case itemEndedMsg:
		m.toSheet()
	case signedOffMsg:
		m.sheet, _ = m.item.Sheet()
		m.resolving = false
		if m.item.Done() {
			m.item = nil
			m.goTo(scrDraw)
			m.nextSubject()
			if m.allDone() {
				m.notice(m.t("all-done"))
			}
			return m.checkDevices()
		}
	}
	return nil
}

// View renders the current screen.
func (m *Model) View() string {
	if m.drill != nil {
		return m.drill.view()
	}
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
