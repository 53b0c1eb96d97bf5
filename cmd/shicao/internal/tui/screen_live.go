package tui

// The live item screen: marks, vetoes, the timer, the device panels.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/scoring"
	"shicao/standards"
)

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
	case key.Matches(msg, m.keys.Veto) && !m.vetoing && len(markableVetoes(it.Std)) == 0:
		m.hint("hint-no-veto")
	case key.Matches(msg, m.keys.Veto):
		m.vetoing = !m.vetoing
	case m.vetoing && key.Matches(msg, m.keys.Back):
		m.vetoing = false
	case len(s) == 1 && s[0] >= '1' && s[0] <= '9':
		return m.numberKey(ctx, examiner, int(s[0]-'1'))
	case key.Matches(msg, m.keys.Undo):
		if m.active < len(m.marks) && len(m.marks[m.active]) > 0 {
			last := m.marks[m.active][len(m.marks[m.active])-1]
			m.marks[m.active] = m.marks[m.active][:len(m.marks[m.active])-1]
			return m.run(do(func() error { return it.Undo(ctx, examiner, last) }, func(err error) tea.Msg { return sheetChangedMsg{err} }))
		}
		m.hint("hint-no-undo")
	case key.Matches(msg, m.keys.Timer):
		if m.timerAt.IsZero() {
			m.timerAt = m.d.Now()
			return nil
		}
		d := m.d.Now().Sub(m.timerAt)
		m.timerAt = time.Time{}
		return m.run(do(func() error { return it.Timer(ctx, "pulse", d) }, func(err error) tea.Msg { return sheetChangedMsg{err} }))
	case key.Matches(msg, m.keys.Finish):
		m.askFirst(m.t("sure-finish"), do(func() error { return it.Finish(ctx, "finished") }, func(err error) tea.Msg { return itemEndedMsg{err} }))
	case key.Matches(msg, m.keys.Scenario):
		return m.cycleScenario(it.Std)
	case key.Matches(msg, m.keys.Power) && hasDevice(it.Std.Devices, "board"):
		m.powered = !m.powered
		on := m.powered
		text := m.t(map[bool]string{true: "power-on", false: "power-off"}[on])
		eq := m.d.Equipment
		return m.run(do(func() error { return eq.Power("board", on) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
	case key.Matches(msg, m.keys.Unplug):
		if len(it.Std.Devices) > 0 {
			kind := it.Std.Devices[0]
			text := fmt.Sprintf(m.t("unplugged"), kind)
			eq := m.d.Equipment
			return m.run(do(func() error { return eq.Unplug(kind) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
		}
		m.hint("hint-no-device")
	}
	return nil
}

// numberKey is 1–9 on the live screen: the numbered veto while choosing
// one (asking first), else the selected item's numbered mark.
func (m *Model) numberKey(ctx context.Context, examiner string, n int) tea.Cmd {
	it := m.item
	if m.vetoing {
		vs := markableVetoes(it.Std)
		if n < len(vs) {
			v := vs[n]
			m.vetoing = false
			m.askFirst(fmt.Sprintf(m.t("sure-veto"), it.Std.VetoByID(v).Text), do(func() error { return it.Veto(ctx, examiner, v) }, func(err error) tea.Msg { return itemEndedMsg{err} }))
			return nil
		}
		m.hint("hint-veto-range", len(vs))
		return nil
	}
	sit := it.Std.Items[m.itemSel]
	if n < len(sit.Marks) {
		mk := sit.Marks[n].ID
		return m.run(call(func() (int64, error) { return it.Mark(ctx, examiner, sit.ID, mk) }, func(seq int64, err error) tea.Msg { return markedMsg{seq, err} }))
	}
	if len(sit.Marks) == 0 {
		m.hint("hint-no-marks", sit.Title)
	} else {
		m.hint("hint-mark-range", sit.Title, len(sit.Marks))
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

func (m *Model) viewLive() string {
	it := m.item
	var b strings.Builder
	limitMs, _ := it.Limits()
	el := it.Elapsed()
	limit := time.Duration(limitMs) * time.Millisecond
	fmt.Fprintf(&b, "%s %s %s · %s\n", m.styles.Header.Render(it.Subject), it.Std.ID, it.Std.Title, m.liveTimeLine(el, limit))
	fmt.Fprintf(&b, "%s %s\n", m.t("score"), m.styles.Value.Render(m.liveScore(el, limit)))
	leftW := m.w
	if m.w >= 100 {
		leftW = m.w / 2
	}
	left, selFrom, selTo := m.liveItems()
	right := m.liveDevices(leftW)
	// Everything fits the window: the selected item and its numbered
	// marks stay in view, the rest of the list scrolls (at 80x24 the
	// panel's sparkline goes first).
	room := m.bodyRoom() - 2 // the title and score lines
	if m.w < 100 {
		if len(left)+len(right) > room && len(it.Std.Devices) > 0 && it.Std.Devices[len(it.Std.Devices)-1] == "cpr" {
			right = right[:len(right)-1]
		}
		left = m.window(left, selFrom, selTo, max(room-len(right), 1))
		b.WriteString(strings.Join(right, "\n") + "\n")
		b.WriteString(strings.Join(left, "\n") + "\n")
		return b.String()
	}
	left = m.window(left, selFrom, selTo, room)
	for i := 0; i < max(len(left), len(right)); i++ {
		l, r := "", ""
		if i < len(left) {
			l = left[i]
		}
		if i < len(right) {
			r = right[i]
		}
		b.WriteString(pad(clipLine(l, leftW-1), leftW) + r + "\n")
	}
	return b.String()
}

// liveTimeLine is the item's time against its limit, or its overtime.
func (m *Model) liveTimeLine(el, limit time.Duration) string {
	if el > limit {
		return m.styles.Bad.Render(fmt.Sprintf("⚠ %s +%s  %s %s", m.t("overtime"), clock(el-limit), m.t("time"), clock(el)))
	}
	return fmt.Sprintf("%s %s / %s %s", m.t("time"), clock(el), m.t("limit"), clock(limit))
}

// liveScore is the item's live score, a veto that is final, or one that
// can still be avoided.
func (m *Model) liveScore(el, limit time.Duration) string {
	st := m.styles
	switch {
	case m.sheet == nil:
		return "—"
	case m.sheet.Veto != nil && m.vetoPending(m.sheet, el, limit):
		// A rule's veto (five cycles not reached) can still be
		// avoided while the item runs: it is decided at the end.
		return st.Warn.Render(fmt.Sprintf("%s %s: %s", m.t("pending-veto"), m.t("veto"), m.sheet.Veto.Text)) + " " + st.Dim.Render("("+m.t("pending-veto-why")+")")
	case m.sheet.Veto != nil:
		return m.sheet.Score.String() + " " + st.Bad.Render("✗ "+m.t("veto")+" "+m.sheet.Veto.Text)
	}
	return m.sheet.Score.String()
}

// liveItems lists the items with their live points; the selected one
// lists its marks by number (or the vetoes, while choosing one).
// selFrom and selTo bound the lines that must stay in view.
func (m *Model) liveItems() (left []string, selFrom, selTo int) {
	st := m.styles
	it := m.item
	for i, sit := range it.Std.Items {
		if i == m.itemSel {
			selFrom = len(left)
		}
		sc := "—"
		var deds []scoring.Deduction
		if m.sheet != nil && i < len(m.sheet.Items) {
			sc = m.sheet.Items[i].Score.String()
			deds = m.sheet.Items[i].Deductions
		}
		line := fmt.Sprintf(" %s %s/%s", pad(sit.Title, 22), pad(sc, 4), sit.Points)
		if i == m.itemSel {
			line = st.Selected.Render("▶" + line[1:])
		}
		left = append(left, line)
		for _, d := range deds {
			left = append(left, m.deductionLine(d, "    "))
		}
		if m.sheet != nil && i < len(m.sheet.Items) {
			if own := m.ownMarks(m.sheet.Items[i]); own != "" {
				left = append(left, "    "+own)
			}
		}
		if i == m.itemSel && !m.vetoing {
			for j, mk := range sit.Marks[:min(len(sit.Marks), 9)] {
				left = append(left, st.Dim.Render(fmt.Sprintf("    [%d] %s -%s", j+1, mk.Text, mk.Deduct)))
			}
		}
		if i == m.itemSel {
			selTo = len(left)
		}
	}
	if m.vetoing {
		selFrom = len(left)
		left = append(left, st.Warn.Render(" "+m.t("veto")+":"))
		for j, v := range markableVetoes(it.Std) {
			left = append(left, st.Warn.Render(fmt.Sprintf("    [%d] %s", j+1, it.Std.VetoByID(v).Text)))
		}
		selTo = len(left)
	}
	return left, selFrom, selTo
}

// liveDevices is each device's state line and its panel.
func (m *Model) liveDevices(leftW int) []string {
	st := m.styles
	var right []string
	for _, kind := range m.item.Std.Devices {
		ds := m.dev[kind]
		if ds == nil {
			ds = &deviceState{}
		}
		state := st.Good.Render("● " + m.t("connected"))
		if !ds.connected {
			state = st.Bad.Render("✗ " + m.t("lost"))
		}
		sc := ""
		if ds.scenario != "" {
			sc = " " + st.Dim.Render("["+ds.scenario+"]")
		}
		right = append(right, fmt.Sprintf("%s %s%s", st.Header.Render(kind), state, sc))
		if kind == "cpr" {
			right = append(right, m.cprPanel(ds, leftW)...)
		} else {
			right = append(right, m.genericPanel(kind, ds)...)
		}
	}
	return right
}

// vetoPending reports whether the sheet's veto may still be lifted: a
// rule's veto (a count not reached yet, e.g. CPR's five cycles) while the
// item runs within its limit. An examiner's veto, and any veto once the
// item has ended or its time is up, is final.
func (m *Model) vetoPending(s *scoring.Sheet, el, limit time.Duration) bool {
	return s.Veto != nil && s.Veto.By == "rule" && !s.Finished && el < limit
}

// deductionLine is one deduction with its evidence (event seq @ time); a
// deduction from the examiners' marks is their mean, and says so.
func (m *Model) deductionLine(d scoring.Deduction, indent string) string {
	st := m.styles
	mean := ""
	if d.By == "examiners" && m.exam != nil && len(m.exam.Examiners()) > 1 {
		mean = " (" + m.t("mean") + ")"
	}
	return st.Bad.Render(fmt.Sprintf("%s-%s %s ×%d%s", indent, d.Points, d.Text, d.Count, mean)) + " " + st.Dim.Render(evidenceText(d.Evidence, d.Times))
}

// ownMarks is each examiner's own deduction on an item, by name, and the
// mean that is scored (or the chief examiner's decision); empty when no
// examiner marked the item.
func (m *Model) ownMarks(it scoring.ItemScore) string {
	any := false
	for _, x := range it.Examiners {
		if x.Deduct != 0 {
			any = true
		}
	}
	if !any || len(it.Examiners) < 2 {
		return ""
	}
	var parts []string
	for i, x := range it.Examiners {
		parts = append(parts, fmt.Sprintf("%s %d %s -%s", m.t("examiner"), i+1, m.examinerName(x.Examiner), x.Deduct))
	}
	used := fmt.Sprintf("%s -%s", m.t("mean"), it.Manual)
	if it.Resolved != nil {
		used = fmt.Sprintf("%s -%s", m.t("resolved"), it.Resolved.Deduct)
	}
	return m.styles.Dim.Render(strings.Join(parts, " · ") + " → " + used)
}

// examinerName is a signed-in examiner's name, or the masked ID.
func (m *Model) examinerName(id string) string {
	id = strings.TrimPrefix(id, "examiner:") // an event's source
	if m.exam != nil {
		for _, x := range m.exam.Examiners() {
			if x.Examiner.ID == id {
				return x.Examiner.Name
			}
		}
	}
	return maskID(id)
}

func clock(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	return fmt.Sprintf("%s%d:%02d", neg, int(d.Minutes()), int(d.Seconds())%60)
}
