package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
)

func (m *Model) onKey(msg tea.KeyMsg) tea.Cmd {
	switch m.screen {
	case scrStart:
		return m.keyStart(msg)
	case scrSignIn:
		return m.keySignIn(msg)
	case scrPlan:
		return m.keyPlan(msg)
	case scrIdentity:
		return m.keyIdentity(msg)
	case scrDraw:
		return m.keyDraw(msg)
	case scrLive:
		return m.keyLive(msg)
	case scrSheet:
		return m.keySheet(msg)
	case scrResult:
		return m.keyResult(msg)
	case scrSync:
		return m.keySync(msg)
	}
	return nil
}

// keyStart opens today's exam, resumes an interrupted one, or shows the outbox.
func (m *Model) keyStart(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	switch {
	case key.Matches(msg, m.keys.Sync):
		m.goTo(scrSync)
		return m.loadCmd()
	case key.Matches(msg, m.keys.Resume) && len(m.interrupted) > 0:
		attempt := m.interrupted[0].Session.AttemptID
		st := m.d.Station
		return call(func() (*station.Exam, error) { return st.ResumeExam(ctx, attempt) }, func(e *station.Exam, err error) tea.Msg { return resumedMsg{e, err} })
	case key.Matches(msg, m.keys.Enter):
		if len(m.plans) == 0 {
			m.setStatus(fmt.Errorf("%s: 0", m.t("plan")))
			return nil
		}
		ex, err := m.d.Station.NewExam(ctx, m.plans[0].ID)
		if err != nil {
			m.setStatus(err)
			return nil
		}
		m.exam, m.signSel, m.marks = ex, 0, nil
		m.loadNames()
		m.goTo(scrSignIn)
	}
	return nil
}

// keyIdentity confirms the candidate's identity.
func (m *Model) keyIdentity(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	switch {
	case key.Matches(msg, m.keys.Back):
		m.goTo(scrPlan)
	case key.Matches(msg, m.keys.Confirm):
		id := m.cand.IDNumber
		ex := m.exam
		return do(func() error { _, err := ex.VerifyCandidate(ctx, id); return err }, func(err error) tea.Msg { return verifiedMsg{err} })
	}
	return nil
}

// keyDraw draws the items, starts one, or finishes the exam.
func (m *Model) keyDraw(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	drawn := m.exam.Drawn()
	switch {
	case key.Matches(msg, m.keys.Draw) && len(drawn) == 0:
		seed := m.d.Seed
		ex := m.exam
		return do(func() error { _, err := ex.Draw(ctx, seed); return err }, func(err error) tea.Msg { return drawnMsg{err} })
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
			}
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
		return call(func() (*station.Item, error) {
			for _, p := range plays {
				if err := eq.Play(p[0], p[1]); err != nil {
					return nil, err
				}
			}
			return ex.StartItem(ctx, d.Subject, eq.Devices())
		}, func(it *station.Item, err error) tea.Msg { return itemStartMsg{it, err} })
	case key.Matches(msg, m.keys.FinishExam) && m.allDone():
		ex := m.exam
		return call(func() (*station.Saved, error) { return ex.Finish(ctx) }, func(s *station.Saved, err error) tea.Msg { return examSavedMsg{s, err} })
	case key.Matches(msg, m.keys.Scenario) && len(drawn) > 0:
		return m.cycleScenario(drawn[m.subjSel].Standard)
	}
	return nil
}

// keyResult goes back to the start screen.
func (m *Model) keyResult(msg tea.KeyMsg) tea.Cmd {
	if key.Matches(msg, m.keys.Enter) || key.Matches(msg, m.keys.Back) {
		m.exam, m.item, m.saved, m.cand, m.ready = nil, nil, nil, nil, nil
		m.subjSel, m.signSel = 0, 0
		m.goTo(scrStart)
		return m.loadCmd()
	}
	return nil
}

// keySync retries the outbox now.
func (m *Model) keySync(msg tea.KeyMsg) tea.Cmd {
	switch {
	case key.Matches(msg, m.keys.Back):
		m.goTo(scrStart)
	case key.Matches(msg, m.keys.Retry):
		if m.d.Sync != nil {
			m.d.Sync.RetryNow()
		}
		return m.loadCmd()
	}
	return nil
}

func (m *Model) keySignIn(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	ids := m.signInList()
	if m.pinFor != "" {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.pinFor = ""
			m.pinInput.Reset()
			m.pinInput.Blur()
			return nil
		case key.Matches(msg, m.keys.Enter):
			id, pin := m.pinFor, m.pinInput.Value()
			m.pinInput.Reset()
			ex := m.exam
			return call(func() (*station.SignedIn, error) { return ex.SignIn(ctx, id, pin) }, func(x *station.SignedIn, err error) tea.Msg { return signedInMsg{x, err} })
		}
		var cmd tea.Cmd
		m.pinInput, cmd = m.pinInput.Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Back):
		m.exam = nil
		m.goTo(scrStart)
	case key.Matches(msg, m.keys.Up):
		m.signSel = max(m.signSel-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.signSel = min(m.signSel+1, max(len(ids)-1, 0))
	case key.Matches(msg, m.keys.Enter) && len(ids) > 0:
		m.pinFor = ids[m.signSel]
		m.pinInput.Focus()
		m.setStatus(nil)
	}
	return nil
}

// signInList is who may sign in: the plan's examiners, or on resume the
// examiners the interrupted log names.
func (m *Model) signInList() []string {
	if m.exam == nil {
		return nil
	}
	if e := m.exam.ExpectedExaminers(); m.exam.Resuming() != nil && len(e) > 0 {
		return e
	}
	return m.exam.Plan().Examiners
}

func (m *Model) keyPlan(msg tea.KeyMsg) tea.Cmd {
	list := m.filtered()
	if m.searching {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.searching = false
			m.search.Reset()
			m.search.Blur()
			return nil
		case key.Matches(msg, m.keys.Enter):
			// One enter selects: the first match goes to the identity
			// check; no match stays, saying so.
			m.searching = false
			m.search.Blur()
			m.candSel = 0
			if len(list) > 0 {
				c := list[0]
				m.cand = &c
				m.goTo(scrIdentity)
			}
			return nil
		}
		var cmd tea.Cmd
		m.search, cmd = m.search.Update(msg)
		m.candSel = 0
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Search):
		m.searching = true
		m.search.Focus()
	case key.Matches(msg, m.keys.Up):
		m.candSel = max(m.candSel-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.candSel = min(m.candSel+1, max(len(list)-1, 0))
	case key.Matches(msg, m.keys.Enter) && len(list) > 0:
		c := list[m.candSel]
		m.cand = &c
		m.goTo(scrIdentity)
	case key.Matches(msg, m.keys.Back):
		m.search.Reset()
	}
	return nil
}

// filtered is the plan's candidates matching the search.
func (m *Model) filtered() []store.Candidate {
	if m.exam == nil {
		return nil
	}
	q := strings.TrimSpace(strings.ToUpper(m.search.Value()))
	var out []store.Candidate
	for _, c := range m.exam.Plan().Candidates {
		if q == "" || strings.Contains(strings.ToUpper(c.IDNumber), q) || strings.Contains(c.Name, q) {
			out = append(out, c)
		}
	}
	return out
}

func (m *Model) keyLive(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	it := m.item
	if it == nil {
		return nil
	}
	exs := m.exam.Examiners()
	if len(exs) == 0 {
		return nil
	}
	examiner := exs[min(m.active, len(exs)-1)].Examiner.ID
	s := msg.String()
	switch {
	case key.Matches(msg, m.keys.Up):
		m.itemSel = max(m.itemSel-1, 0)
	case key.Matches(msg, m.keys.Down):
		m.itemSel = min(m.itemSel+1, len(it.Std.Items)-1)
	case key.Matches(msg, m.keys.Tab):
		m.active = (m.active + 1) % len(exs)
	case key.Matches(msg, m.keys.Veto):
		m.vetoing = !m.vetoing
	case m.vetoing && key.Matches(msg, m.keys.Back):
		m.vetoing = false
	case len(s) == 1 && s[0] >= '1' && s[0] <= '9':
		n := int(s[0] - '1')
		if m.vetoing {
			vs := markableVetoes(it.Std)
			if n < len(vs) {
				v := vs[n]
				m.vetoing = false
				m.askFirst(fmt.Sprintf(m.t("sure-veto"), it.Std.VetoByID(v).Text), do(func() error { return it.Veto(ctx, examiner, v) }, func(err error) tea.Msg { return itemEndedMsg{err} }))
				return nil
			}
			return nil
		}
		sit := it.Std.Items[m.itemSel]
		if n < len(sit.Marks) {
			mk := sit.Marks[n].ID
			return call(func() (int64, error) { return it.Mark(ctx, examiner, sit.ID, mk) }, func(seq int64, err error) tea.Msg { return markedMsg{seq, err} })
		}
	case key.Matches(msg, m.keys.Undo):
		if m.active < len(m.marks) && len(m.marks[m.active]) > 0 {
			last := m.marks[m.active][len(m.marks[m.active])-1]
			m.marks[m.active] = m.marks[m.active][:len(m.marks[m.active])-1]
			return do(func() error { return it.Undo(ctx, examiner, last) }, func(err error) tea.Msg { return sheetChangedMsg{err} })
		}
	case key.Matches(msg, m.keys.Timer):
		if m.timerAt.IsZero() {
			m.timerAt = m.d.Now()
			return nil
		}
		d := m.d.Now().Sub(m.timerAt)
		m.timerAt = time.Time{}
		return do(func() error { return it.Timer(ctx, "pulse", d) }, func(err error) tea.Msg { return sheetChangedMsg{err} })
	case key.Matches(msg, m.keys.Finish):
		m.askFirst(m.t("sure-finish"), do(func() error { return it.Finish(ctx, "finished") }, func(err error) tea.Msg { return itemEndedMsg{err} }))
	case key.Matches(msg, m.keys.Scenario):
		return m.cycleScenario(it.Std)
	case key.Matches(msg, m.keys.Power) && hasDevice(it.Std.Devices, "board"):
		m.powered = !m.powered
		on := m.powered
		text := m.t(map[bool]string{true: "power-on", false: "power-off"}[on])
		eq := m.d.Equipment
		return do(func() error { return eq.Power("board", on) }, func(err error) tea.Msg { return noticeMsg{text, err} })
	case key.Matches(msg, m.keys.Unplug):
		if len(it.Std.Devices) > 0 {
			kind := it.Std.Devices[0]
			text := fmt.Sprintf(m.t("unplugged"), kind)
			eq := m.d.Equipment
			return do(func() error { return eq.Unplug(kind) }, func(err error) tea.Msg { return noticeMsg{text, err} })
		}
	}
	return nil
}

func markableVetoes(std *standards.Standard) []string {
	var out []string
	for _, v := range std.Veto {
		if v.Mark {
			out = append(out, v.ID)
		}
	}
	return out
}

// cycleScenario moves the item's first simulated device to its next
// scenario (the demo control key).
func (m *Model) cycleScenario(std *standards.Standard) tea.Cmd {
	if len(std.Devices) == 0 {
		return nil
	}
	kind := std.Devices[0]
	list := m.d.Equipment.Scenarios(kind)
	if len(list) == 0 {
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
	return do(func() error { return eq.Play(kind, next) }, func(err error) tea.Msg { return noticeMsg{text, err} })
}

func (m *Model) keySheet(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	it := m.item
	if it == nil {
		return nil
	}
	exs := m.exam.Examiners()
	if m.resolving {
		switch {
		case key.Matches(msg, m.keys.Back):
			m.resolving = false
			return nil
		case key.Matches(msg, m.keys.Tab):
			m.resolveInputs[m.resolveFocus].Blur()
			m.resolveFocus = (m.resolveFocus + 1) % 2
			m.resolveInputs[m.resolveFocus].Focus()
			return nil
		case key.Matches(msg, m.keys.Enter):
			if m.sheet == nil || len(m.sheet.Review) == 0 {
				return nil
			}
			p, err := standards.ParsePoints(strings.TrimSpace(m.resolveInputs[0].Value()))
			if err != nil {
				m.setStatus(err)
				return nil
			}
			item, reason, chief := m.sheet.Review[0], m.resolveInputs[1].Value(), exs[0].Examiner.ID
			return do(func() error { return it.Resolve(ctx, chief, item, p, reason) }, signedOff)
		}
		var cmd tea.Cmd
		m.resolveInputs[m.resolveFocus], cmd = m.resolveInputs[m.resolveFocus].Update(msg)
		return cmd
	}
	switch {
	case key.Matches(msg, m.keys.Accept):
		return do(func() error { return it.Acknowledge(ctx, true) }, signedOff)
	case key.Matches(msg, m.keys.Refuse):
		m.askFirst(m.t("sure-refuse"), do(func() error { return it.Acknowledge(ctx, false) }, signedOff))
	case key.Matches(msg, m.keys.Examiner1) && len(exs) > 0:
		id := exs[0].Examiner.ID
		return do(func() error { return it.Confirm(ctx, id) }, signedOff)
	case key.Matches(msg, m.keys.Examiner2) && len(exs) > 1:
		id := exs[1].Examiner.ID
		return do(func() error { return it.Confirm(ctx, id) }, signedOff)
	case key.Matches(msg, m.keys.Resolve):
		m.resolving = true
		m.resolveFocus = 0
		for i := range m.resolveInputs {
			m.resolveInputs[i].Reset()
		}
		m.resolveInputs[0].Focus()
	case key.Matches(msg, m.keys.Back):
		m.item = nil
		m.goTo(scrDraw)
	}
	return nil
}

func signedOff(err error) tea.Msg { return signedOffMsg{err} }
