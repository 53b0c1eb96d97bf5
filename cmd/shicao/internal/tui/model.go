package tui

import (
	"fmt"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

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

// page is one screen (soft-serve's Component): its bindings, which drive
// both its dispatch and its help bar, its view in the room the frame
// leaves it, and the keys typed into its focused field.
type page interface {
	// Bindings is what the page handles now, in its current mode.
	Bindings() []binding
	// Typing reports whether a text field has focus: keys no binding
	// takes are typed into it (Update), not refused.
	Typing() bool
	Update(msg tea.Msg) tea.Cmd
	View() string
	SetSize(w, h int)
}

// pages are the screens, each its own sub-model and file.
type pages struct {
	start    *startPage
	signIn   *signInPage
	plan     *planPage
	identity *identityPage
	draw     *drawPage
	live     *livePage
	sheet    *sheetPage
	result   *resultPage
	outbox   *outboxPage
}

// Model is the root model: it routes keys to the current page's bindings
// and the workflow's answers to the page that asked, and draws the frame.
// What the pages share is in shared.
type Model struct {
	*shared
	pages    pages
	showHelp bool // the full key list (?)

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
	s := &shared{d: d, lang: lang, styles: DefaultStyles(), keys: NewKeyMap(lang), w: 80, h: 24,
		dev: map[string]*deviceState{}, work: newWorker(), reason: newReasonEntry()}
	m := &Model{shared: s, pages: pages{
		start: &startPage{shared: s}, signIn: newSignInPage(s), plan: newPlanPage(s),
		identity: &identityPage{shared: s}, draw: newDrawPage(s), live: &livePage{shared: s},
		sheet: newSheetPage(s), result: &resultPage{shared: s}, outbox: newOutboxPage(s),
	}}
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

func (m *Model) apply(l loadedMsg) {
	m.data = l
	m.pages.start.sel = min(m.pages.start.sel, max(0, len(l.plans)-1))
}

// page is the current screen's page.
func (m *Model) page() page {
	p := m.pages
	return [...]page{scrStart: p.start, scrSignIn: p.signIn, scrPlan: p.plan, scrIdentity: p.identity,
		scrDraw: p.draw, scrLive: p.live, scrSheet: p.sheet, scrResult: p.result, scrSync: p.outbox}[m.screen]
}

func tick() tea.Cmd {
	return tea.Tick(200*time.Millisecond, func(t time.Time) tea.Msg { return tickMsg(t) })
}

// Init starts the clock.
func (m *Model) Init() tea.Cmd { return tick() }

// Update routes a message: a key to the page's bindings, a workflow
// answer to the page that asked, a reading to the device panels.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	if m.drill != nil {
		if ws, ok := msg.(tea.WindowSizeMsg); ok {
			m.w, m.h = ws.Width, ws.Height
			return m, nil
		}
		return m, m.drill.update(msg)
	}
	was := m.screen
	cmd := m.route(msg)
	if m.screen != was {
		m.showHelp = false
	}
	return m, cmd
}

func (m *Model) route(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.w, m.h = msg.Width, msg.Height
		return nil
	case tickMsg:
		return m.onTick()
	case ReadingMsg:
		m.onReading(msg)
		return nil
	case DeviceStateMsg:
		m.onDeviceState(msg)
		return nil
	case loadedMsg:
		m.apply(msg)
		return nil
	case readyMsg:
		m.pages.draw.ready = &msg
		return nil
	case cardReadMsg:
		m.pages.identity.onCardRead(msg)
		return nil
	case tea.KeyMsg:
		if m.waiting > 0 && !key.Matches(msg, m.keys.Quit) {
			m.held = append(m.held, msg)
			return nil
		}
		return m.key(msg)
	case awaited:
		m.waiting--
		return tea.Batch(m.route(msg.msg), m.replay())
	}
	if err := errOf(msg); err != nil {
		m.setStatus(err)
		return nil
	}
	return m.onAnswer(msg)
}

// replay dispatches the keys held while a call was awaited, until one of
// them waits again.
func (m *Model) replay() tea.Cmd {
	var cmds []tea.Cmd
	for m.waiting == 0 && len(m.held) > 0 {
		k := m.held[0]
		m.held = m.held[1:]
		cmds = append(cmds, m.key(k))
	}
	return tea.Batch(cmds...)
}

// bindings is what the screen handles now: a question's y and n; a page
// with a field being typed in, its own keys and quit; else the page's
// keys and the frame's (help, language, quit).
func (m *Model) bindings() []binding {
	k := m.keys
	quit := on(k.Quit, func() tea.Cmd { return tea.Quit })
	if a := m.ask; a != nil {
		return []binding{on(k.Yes, func() tea.Cmd {
			m.ask = a.next
			if a.next != nil {
				return nil
			}
			return m.run(a.job)
		}), on(k.No, func() tea.Cmd {
			m.ask = nil
			m.notice(m.t("cancelled"))
			return nil
		})}
	}
	p := m.page()
	bs := p.Bindings()
	if p.Typing() {
		return append(bs, quit)
	}
	return append(bs,
		on(k.Help, func() tea.Cmd { m.showHelp = !m.showHelp; return nil }),
		on(k.Lang, func() tea.Cmd { m.setLang(map[string]string{"zh": "en", "en": "zh"}[m.lang]); return nil }),
		quit)
}

// key dispatches a key by the screen's bindings; a field being typed in
// takes the rest; any other key gets a one-line hint, never silence.
func (m *Model) key(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Quit) {
		return tea.Quit
	}
	if msg.Type == tea.KeyRunes && len(msg.Runes) > 1 && !msg.Paste && (m.ask != nil || !m.page().Typing()) {
		return m.keyEach(msg.Runes)
	}
	for _, b := range m.bindings() {
		if key.Matches(msg, b.Binding) {
			return b.do(msg)
		}
	}
	switch {
	case m.ask != nil:
		m.status, m.bad = m.t("yes-no"), true
	case m.page().Typing():
		return m.page().Update(msg)
	default:
		m.status, m.bad = fmt.Sprintf(m.t("no-key"), msg.String()), true
	}
	return nil
}

// keyEach dispatches runes that arrived as one message, one key each:
// Bubble Tea v1 reads keys typed faster than it reads the terminal (f y
// in the tmux walk) as one message of several runes, which no binding
// matches. A field being typed in takes them whole (key), and a paste is
// never keys. If a key waits on a call, the rest are held before any key
// held already.
func (m *Model) keyEach(runes []rune) tea.Cmd {
	var cmds []tea.Cmd
	for i, r := range runes {
		if m.waiting > 0 {
			m.held = append([]tea.KeyMsg{{Type: tea.KeyRunes, Runes: runes[i:]}}, m.held...)
			break
		}
		cmds = append(cmds, m.key(tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune{r}}))
	}
	return tea.Batch(cmds...)
}

func (m *Model) setLang(lang string) {
	m.lang = lang
	m.keys = NewKeyMap(lang)
}

func (m *Model) onTick() tea.Cmd {
	if m.screen == scrDraw {
		if t := m.d.Now(); t.Sub(m.pages.draw.checkedAt) > time.Second || t.Before(m.pages.draw.checkedAt) {
			return tea.Batch(tick(), m.pages.draw.checkDevices())
		}
	}
	if m.screen == scrStart || m.screen == scrSync || m.screen == scrResult {
		// The outbox and link change in the background (sync rounds).
		if t := m.d.Now(); t.Sub(m.pages.outbox.refreshed) > time.Second || t.Before(m.pages.outbox.refreshed) {
			m.pages.outbox.refreshed = t
			return tea.Batch(tick(), m.loadCmd())
		}
	}
	if m.item != nil && m.screen == scrLive {
		return tea.Batch(tick(), m.pages.live.tickCmd())
	}
	return tick()
}

// View renders the current screen in its frame.
func (m *Model) View() string {
	if m.drill != nil {
		return m.drill.view()
	}
	p := m.page()
	help := helpLines(m.keysFor(), m.w, m.styles.Help)
	room := m.bodyRoom(help)
	p.SetSize(m.w, room)
	return m.frame(p.View(), help, room)
}
