package tui

// The draw screen: the items drawn, their state and their devices' readiness.

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"shicao/cmd/shicao/internal/station"
)

// keyDraw draws the items, starts one, or finishes the exam.
func (m *Model) keyDraw(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	drawn := m.exam.Drawn()
	switch {
	case key.Matches(msg, m.keys.Draw) && len(drawn) == 0:
		seed := m.d.Seed
		ex := m.exam
		return m.run(do(func() error { _, err := ex.Draw(ctx, seed); return err }, func(err error) tea.Msg { return drawnMsg{err} }))
	case key.Matches(msg, m.keys.Up):
		m.subjSel = max(m.subjSel-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.subjSel = min(m.subjSel+1, max(len(drawn)-1, 0))
	case key.Matches(msg, m.keys.Enter) && len(drawn) > 0:
		d := drawn[m.subjSel]
		if it := m.exam.Item(d.Subject); it != nil {
			if !it.Done() {
				m.item = it
				m.toSheet()
				return nil
			}
			m.hint("hint-item-done", d.Subject, d.Standard.Title)
			return nil
		}
		// Simulated equipment starts its scenario afresh for the
		// item; real equipment just goes on.
		var plays [][2]string
		for _, kind := range d.Standard.Devices {
			if list := m.d.Equipment.Scenarios(kind); len(list) > 0 {
				sc := list[0]
				if ds := m.dev[kind]; ds != nil && ds.scenario != "" {
					sc = ds.scenario
				}
				plays = append(plays, [2]string{kind, sc})
			}
		}
		for kind := range m.dev {
			m.dev[kind].resetPanel()
		}
		ex, eq := m.exam, m.d.Equipment
		return m.run(call(func() (*station.Item, error) {
			for _, p := range plays {
				if err := eq.Play(p[0], p[1]); err != nil {
					return nil, err
				}
			}
			return ex.StartItem(ctx, d.Subject, eq.Devices())
		}, func(it *station.Item, err error) tea.Msg { return itemStartMsg{it, err} }))
	case key.Matches(msg, m.keys.FinishExam) && m.allDone():
		ex := m.exam
		return m.run(call(func() (*station.Saved, error) { return ex.Finish(ctx) }, func(s *station.Saved, err error) tea.Msg { return examSavedMsg{s, err} }))
	case key.Matches(msg, m.keys.FinishExam) && len(drawn) > 0:
		// Not every item is done: say how many are left, so the key never
		// looks dead to an examiner at the end of a long day.
		m.status, m.bad = fmt.Sprintf(m.t("finish-undone"), m.undone()), true
		return nil
	case key.Matches(msg, m.keys.Scenario) && len(drawn) > 0:
		return m.cycleScenario(drawn[m.subjSel].Standard)
	case key.Matches(msg, m.keys.Reference):
		return m.startReference()
	}
	return nil
}

// referenceDue returns the first reference check the drawn items ask
// for that has not passed, while the candidate's first item is still to
// start (the gate runs before it); nil otherwise.
func (m *Model) referenceDue() *station.ReferenceState {
	if m.exam == nil || m.exam.Resuming() != nil {
		return nil
	}
	for _, d := range m.exam.Drawn() {
		if m.exam.Item(d.Subject) != nil {
			return nil
		}
	}
	for _, r := range m.exam.References() {
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
func (m *Model) startReference() tea.Cmd {
	r := m.referenceDue()
	if r == nil {
		return nil
	}
	kind := r.Device
	m.notice(fmt.Sprintf(m.t("reference-wait"), kind, r.Instructions))
	ex, eq := m.exam, m.d.Equipment
	gauge := slices.Contains(eq.Scenarios(kind), "gauge")
	timeout := fmt.Sprintf(m.t("reference-timeout"), kind)
	return m.run(do(func() error {
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

func (m *Model) viewDraw() string {
	st := m.styles
	var b strings.Builder
	c := m.exam.Candidate()
	fmt.Fprintf(&b, "%s %s %s · %s\n\n", st.Header.Render(m.t("draw")), c.Name, maskID(c.IDNumber), m.exam.Blueprint().Title)
	drawn := m.exam.Drawn()
	if len(drawn) == 0 {
		fmt.Fprintf(&b, "%s\n", m.t("press-draw"))
		return b.String()
	}
	devs := m.d.Equipment.Devices()
	titleW := 0
	for _, d := range drawn {
		titleW = max(titleW, lipgloss.Width(d.Standard.Title))
	}
	for i, d := range drawn {
		state := st.Dim.Render("· " + m.t("waiting"))
		if it := m.exam.Item(d.Subject); it != nil {
			if it.Done() {
				s, _ := it.Sheet()
				state = st.Good.Render(fmt.Sprintf("✓ %s %s", m.t("done"), s.Score))
			} else {
				state = st.Warn.Render("▶ " + m.t("in-exam"))
			}
		}
		line := fmt.Sprintf("  %s %s v%d %s  %s", d.Subject, pad(d.Standard.ID, 11), d.Standard.Version, pad(d.Standard.Title, titleW), state)
		if i == m.subjSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		b.WriteString(line + "\n")
		if len(d.Standard.Devices) == 0 {
			fmt.Fprintf(&b, "      %s\n", st.Dim.Render(m.t("no-devices")))
		}
		for _, kind := range d.Standard.Devices {
			fmt.Fprintf(&b, "      %s\n", m.readiness(kind, devs))
		}
	}
	if m.ready != nil && m.ready.gate != nil {
		b.WriteString(st.Bad.Width(max(m.w-1, 20)).Render(fmt.Sprintf("✗ %s: %s", m.t("gate"), m.ready.gate.Text(m.lang))) + "\n")
	}
	return b.String()
}

// readiness is one device's line on the draw screen: ✓ only when the item
// could start with it now (connected, self-tested, registered to this
// site), else ✗ and StartItem's reason.
func (m *Model) readiness(kind string, devs []station.Device) string {
	st := m.styles
	if m.ready != nil {
		devs = m.ready.devs
	}
	for _, d := range devs {
		if d.Kind != kind {
			continue
		}
		text, bad := m.portProblem(d)
		switch {
		case bad:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Port, text))
		case !d.Connected:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Port, m.t("lost")))
		case m.ready == nil:
			return st.Dim.Render(fmt.Sprintf("… %s %s %s: %s", kind, d.Model, d.Serial, m.t("device-check")))
		case m.ready.why[kind] != nil:
			return st.Bad.Render(fmt.Sprintf("✗ %s %s: %s", kind, d.Serial, m.ready.why[kind].Text(m.lang)))
		}
		return st.Good.Render(fmt.Sprintf("✓ %s %s %s %s: %s", kind, d.Model, d.Serial, d.Port, m.t("ready")))
	}
	if m.ready != nil && m.ready.why[kind] != nil {
		return st.Bad.Render(fmt.Sprintf("✗ %s: %s", kind, m.ready.why[kind].Text(m.lang)))
	}
	return st.Bad.Render(fmt.Sprintf("✗ %s: %s", kind, m.t("not-ready")))
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
func (m *Model) checkDevices() tea.Cmd {
	ex, eq := m.exam, m.d.Equipment
	if ex == nil || len(ex.Drawn()) == 0 {
		return nil
	}
	m.checkedAt = m.d.Now()
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
func (m *Model) nextSubject() {
	drawn := m.exam.Drawn()
	for i := 1; i <= len(drawn); i++ {
		j := (m.subjSel + i) % len(drawn)
		if it := m.exam.Item(drawn[j].Subject); it == nil || !it.Done() {
			m.subjSel = j
			return
		}
	}
}

func (m *Model) allDone() bool {
	return m.exam != nil && len(m.exam.Drawn()) > 0 && m.undone() == 0
}

// undone counts the drawn items not yet finished.
func (m *Model) undone() int {
	n := 0
	for _, d := range m.exam.Drawn() {
		if it := m.exam.Item(d.Subject); it == nil || !it.Done() {
			n++
		}
	}
	return n
}
