package tui

// The draw screen: the items drawn, their state and their devices' readiness.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/charmbracelet/bubbles/list"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
)

// drawPage draws the candidate's items, shows each one's state and its
// devices' readiness, starts an item, and finishes the exam.
type drawPage struct {
	*shared
	area
	sel int
	// ready is each drawn device kind's readiness, checked in a command
	// the way StartItem will check it (registration included).
	ready     *readyMsg
	checkedAt time.Time
	list      list.Model
}

// drawnItem is a drawn item as an item of the list.
type drawnItem struct{ station.Drawn }

func (d drawnItem) FilterValue() string { return d.Subject + " " + d.Standard.Title }

func newDrawPage(s *shared) *drawPage {
	p := &drawPage{shared: s}
	p.list = newRows(p.delegate(0))
	return p
}

func (p *drawPage) Typing() bool           { return false }
func (p *drawPage) Update(tea.Msg) tea.Cmd { return nil }

// Bindings are d before the draw; then the cursor, enter, the demo's
// scenario and F10.
func (p *drawPage) Bindings() []binding {
	k := p.keys
	drawn := p.exam.Drawn()
	if len(drawn) == 0 {
		return []binding{on(k.Draw, func() tea.Cmd {
			seed, ex := p.d.Seed, p.exam
			return p.run(do(func() error { _, err := ex.Draw(context.Background(), seed); return err }, func(err error) tea.Msg { return drawnMsg{err} }))
		})}
	}
	bs := []binding{
		on(k.Up, func() tea.Cmd { p.sel = max(p.sel-1, 0); return nil }),
		on(k.Down, func() tea.Cmd { p.sel = min(p.sel+1, max(len(drawn)-1, 0)); return nil }),
		on(k.Enter, func() tea.Cmd { return p.start(drawn[p.sel]) }),
	}
	if p.referenceDue() != nil {
		bs = append(bs, on(k.Reference, p.startReference))
	}
	return append(bs,
		on(k.Scenario, func() tea.Cmd { return p.cycleScenario(drawn[p.sel].Standard) }),
		on(k.FinishExam, p.finish),
	)
}

// referenceDue returns the first reference check the drawn items ask
// for that has not passed, while the candidate's first item is still to
// start (the gate runs before it); nil otherwise.
func (p *drawPage) referenceDue() *station.ReferenceState {
	if p.exam == nil || p.exam.Resuming() != nil {
		return nil
	}
	for _, d := range p.exam.Drawn() {
		if p.exam.Item(d.Subject) != nil {
			return nil
		}
	}
	for _, r := range p.exam.References() {
		if !r.Passed {
			return &r
		}
	}
	return nil
}

// startReference runs the due reference check: the examiner holds the
// device at its reference (the instructions are shown), the check is
// armed and the device's next reading decides. A simulated manikin is
// held at its gauge by its gauge scenario.
func (p *drawPage) startReference() tea.Cmd {
	r := p.referenceDue()
	if r == nil {
		return nil
	}
	kind := r.Device
	p.notice(fmt.Sprintf(p.t("reference-wait"), kind, r.Instructions))
	ex, eq := p.exam, p.d.Equipment
	gauge := slices.Contains(eq.Scenarios(kind), "gauge")
	timeout := fmt.Sprintf(p.t("reference-timeout"), kind)
	return p.run(do(func() error {
		if gauge {
			if err := eq.Play(kind, "gauge"); err != nil {
				return err
			}
		}
		if _, err := ex.StartReference(kind); err != nil {
			return err
		}
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := ex.AwaitReference(ctx); errors.Is(err, context.DeadlineExceeded) {
			return errors.New(timeout)
		} else if err != nil {
			return err
		}
		return nil
	}, func(err error) tea.Msg { return referenceMsg{kind, err} }))
}

// start starts a drawn item, or goes back to its sheet if it is not done.
func (p *drawPage) start(d station.Drawn) tea.Cmd {
	if it := p.exam.Item(d.Subject); it != nil {
		if !it.Done() {
			p.item = it
			p.toSheet()
			return nil
		}
		p.hint("hint-item-done", d.Subject, d.Standard.Title)
		return nil
	}
	// Simulated equipment starts its scenario afresh for the item; real
	// equipment just goes on.
	var plays [][2]string
	for _, kind := range d.Standard.Devices {
		if list := p.d.Equipment.Scenarios(kind); len(list) > 0 {
			sc := list[0]
			if ds := p.dev[kind]; ds != nil && ds.scenario != "" {
				sc = ds.scenario
			}
			plays = append(plays, [2]string{kind, sc})
		}
	}
	for kind := range p.dev {
		p.dev[kind].resetPanel()
	}
	ex, eq := p.exam, p.d.Equipment
	return p.run(call(func() (*station.Item, error) {
		for _, pl := range plays {
			if err := eq.Play(pl[0], pl[1]); err != nil {
				return nil, err
			}
		}
		return ex.StartItem(context.Background(), d.Subject, eq.Devices())
	}, func(it *station.Item, err error) tea.Msg { return itemStartMsg{it, err} }))
}

// finish is F10: the exam is signed and saved once every item is done;
// before that it says how many are left, so the key never looks dead to
// an examiner at the end of a long day.
func (p *drawPage) finish() tea.Cmd {
	if !p.allDone() {
		p.status, p.bad = fmt.Sprintf(p.t("finish-undone"), p.undone()), true
		return nil
	}
	ex := p.exam
	return p.run(call(func() (*station.Saved, error) { return ex.Finish(context.Background()) }, func(s *station.Saved, err error) tea.Msg { return examSavedMsg{s, err} }))
}

// onItemDone: back from a finished item, the cursor on the next one.
func (p *drawPage) onItemDone() tea.Cmd {
	p.nextSubject()
	if p.allDone() {
		p.notice(p.t("all-done"))
	}
	return p.checkDevices()
}

// readyMsg is the readiness of the drawn items' devices: per kind, the
// device that would be used and the refusal, if the item could not start.
type readyMsg struct {
	devs []station.Device
	why  map[string]*station.Refusal
	// gate is the readiness gate's refusal before the candidate's first
	// item (a reference check not passed, the clock's offset unknown, a
	// field the device cannot measure), nil when it passes or an item
	// has started.
	gate *station.Refusal
}

// checkDevices checks the drawn items' devices off the update loop (the
// registry is in the store).
func (p *drawPage) checkDevices() tea.Cmd {
	ex, eq := p.exam, p.d.Equipment
	if ex == nil || len(ex.Drawn()) == 0 {
		return nil
	}
	p.checkedAt = p.d.Now()
	first := ex.Resuming() == nil
	for _, d := range ex.Drawn() {
		if ex.Item(d.Subject) != nil {
			first = false
		}
	}
	return func() tea.Msg {
		devs := eq.Devices()
		r := readyMsg{devs: devs, why: map[string]*station.Refusal{}}
		for _, d := range ex.Drawn() {
			for _, kind := range d.Standard.Devices {
				if why := ex.CheckDevice(context.Background(), kind, devs); why != nil {
					r.why[kind] = why
				}
			}
		}
		if first {
			// The gate StartItem runs before the first item: its refusal
			// is shown now, not when enter is pressed.
			var why *station.Refusal
			if _, err := ex.Ready(context.Background(), devs); errors.As(err, &why) && !sameRefusal(why, r.why) {
				r.gate = why
			}
		}
		return r
	}
}

// sameRefusal reports whether why is one of the devices' refusals
// already shown on their lines.
func sameRefusal(why *station.Refusal, shown map[string]*station.Refusal) bool {
	for _, r := range shown {
		if r.Code == why.Code && r.EN == why.EN {
			return true
		}
	}
	return false
}

// nextSubject moves the draw cursor to the next subject not done.
func (p *drawPage) nextSubject() {
	drawn := p.exam.Drawn()
	for i := 1; i <= len(drawn); i++ {
		j := (p.sel + i) % len(drawn)
		if it := p.exam.Item(drawn[j].Subject); it == nil || !it.Done() {
			p.sel = j
			return
		}
	}
}

func (p *drawPage) allDone() bool {
	return p.exam != nil && len(p.exam.Drawn()) > 0 && p.undone() == 0
}

// undone counts the drawn items not yet finished.
func (p *drawPage) undone() int {
	n := 0
	for _, d := range p.exam.Drawn() {
		if it := p.exam.Item(d.Subject); it == nil || !it.Done() {
			n++
		}
	}
	return n
}
