package tui

import (
	"errors"
	"fmt"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
)

// shared is what every page reads and the root routes through, as
// soft-serve's pages share common.Common: the deps, the language, styles
// and keys, the window, the status line with its question, the exam being
// taken, what the store said last and the devices' panels. Each page
// embeds it and keeps its own cursor, fields and modes.
type shared struct {
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
	ask *asking
	// reason is the written reason an act needs (a number by hand, a
	// void), typed on the page that asks for it.
	reason reasonEntry

	data loadedMsg // the store's last answer (load)

	// The exam: its candidate chosen on the plan, the item on the live
	// screen or the sheet, its sheet, the examiner marking (0-based).
	exam   *station.Exam
	cand   *store.Candidate
	item   *station.Item
	sheet  *scoring.Sheet
	active int
	// cardScen is the demo's simulated card scenario (sim.Scenarios):
	// present when a candidate is chosen, F2 on the identity screen goes on.
	cardScen int

	dev  map[string]*deviceState
	work *worker // runs the workflow calls in key order
	// waiting counts the calls (wait) whose answers the next keys
	// depend on; held are the keys typed meanwhile, replayed in order
	// once they are answered.
	waiting int
	held    []tea.KeyMsg
}

func (m *shared) t(key string) string { return tr(m.lang, key) }

func (m *shared) setStatus(err error) {
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

func (m *shared) notice(s string) { m.status, m.bad = s, false }

// hint says in one line why a key the screen lists did nothing now.
func (m *shared) hint(key string, args ...any) {
	m.status, m.bad = fmt.Sprintf(m.t(key), args...), true
}

func (m *shared) askFirst(text string, j job) {
	m.ask = &asking{text: text, job: j}
	m.setStatus(nil)
}

// goTo shows another screen: the status line belongs to the screen and
// the moment that made it, so it goes too.
func (m *shared) goTo(s screen) {
	m.screen = s
	m.ask = nil
	m.reason.end()
	m.setStatus(nil)
}

// toSheet shows the item's sheet.
func (m *shared) toSheet() {
	if m.item != nil {
		m.sheet, _ = m.item.Sheet()
	}
	m.goTo(scrSheet)
}

// run queues j now (Update runs in key order) and returns the command
// that waits for its answer.
func (m *shared) run(j job) tea.Cmd {
	done := make(chan tea.Msg, 1)
	m.work.jobs <- func() { done <- j() }
	return func() tea.Msg { return <-done }
}

// wait is run for a call that leads to another screen (an exam opened):
// the keys typed before its answer is handled are held and then replayed
// in order, so a key acts on the screen its predecessor led to, as it
// did when the store was read in Update.
func (m *shared) wait(j job) tea.Cmd {
	m.waiting++
	c := m.run(j)
	return func() tea.Msg { return awaited{c()} }
}

// awaited is the answer of a call run with wait.
type awaited struct{ msg tea.Msg }

func (m *shared) loadCmd() tea.Cmd {
	d := m.d
	return func() tea.Msg { return load(d) }
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

// area is a page's room: the window's width and the lines the frame
// leaves it (SetSize, as soft-serve's components take theirs).
type area struct{ width, height int }

// SetSize gives the page its room.
func (a *area) SetSize(w, h int) { a.width, a.height = w, h }
