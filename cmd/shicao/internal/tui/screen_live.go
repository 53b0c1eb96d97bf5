package tui

// The live item screen: marks, vetoes, the timer, the device panels.

import (
	"context"
	"fmt"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/standards"
)

// livePage is the item being examined: the examiners' marks and vetoes,
// the carotid-check timer, the device panels and the live score.
type livePage struct {
	*shared
	area
	sel     int // the selected item
	vetoing bool
	marks   [][]int64 // per examiner, the seqs of their marks, for undo
	timerAt time.Time // the carotid-check timer, while running
	powered bool      // the examiners granted the board's power
}

func (p *livePage) Typing() bool           { return false }
func (p *livePage) Update(tea.Msg) tea.Cmd { return nil }

// Bindings are the marking keys, or the veto's while one is chosen.
func (p *livePage) Bindings() []binding {
	k := p.keys
	it := p.item
	if it == nil {
		return nil
	}
	mark := binding{k.Mark, func(msg tea.KeyMsg) tea.Cmd { return p.numberKey(int(msg.String()[0] - '1')) }}
	if p.vetoing {
		return []binding{mark, on(k.Veto, p.veto), on(k.Back, func() tea.Cmd { p.vetoing = false; return nil })}
	}
	bs := []binding{
		on(k.Up, func() tea.Cmd { p.sel = max(p.sel-1, 0); return nil }),
		on(k.Down, func() tea.Cmd { p.sel = min(p.sel+1, len(it.Std.Items)-1); return nil }),
		on(k.Tab, func() tea.Cmd { p.active = (p.active + 1) % max(len(p.exam.Examiners()), 1); return nil }),
		mark, on(k.Undo, p.undo), on(k.Veto, p.veto), on(k.Timer, p.timer),
		on(k.Finish, func() tea.Cmd {
			p.askFirst(p.t("sure-finish"), do(func() error { return it.Finish(context.Background(), "finished") }, func(err error) tea.Msg { return itemEndedMsg{err} }))
			return nil
		}),
	}
	if hasDevice(it.Std.Devices, "board") {
		bs = append(bs, on(k.Power, p.power))
	}
	return append(bs, on(k.Scenario, func() tea.Cmd { return p.cycleScenario(it.Std) }), on(k.Unplug, p.unplug))
}

// examiner is the marking examiner's ID.
func (p *livePage) examiner() string {
	exs := p.exam.Examiners()
	if len(exs) == 0 {
		return ""
	}
	return exs[min(p.active, len(exs)-1)].Examiner.ID
}

func (p *livePage) veto() tea.Cmd {
	if !p.vetoing && len(markableVetoes(p.item.Std)) == 0 {
		p.hint("hint-no-veto")
		return nil
	}
	p.vetoing = !p.vetoing
	return nil
}

func (p *livePage) undo() tea.Cmd {
	if p.active < len(p.marks) && len(p.marks[p.active]) > 0 {
		it, examiner := p.item, p.examiner()
		last := p.marks[p.active][len(p.marks[p.active])-1]
		p.marks[p.active] = p.marks[p.active][:len(p.marks[p.active])-1]
		return p.run(do(func() error { return it.Undo(context.Background(), examiner, last) }, func(err error) tea.Msg { return sheetChangedMsg{err} }))
	}
	p.hint("hint-no-undo")
	return nil
}

// timer starts the carotid-check timer, or stops it and records it.
func (p *livePage) timer() tea.Cmd {
	if p.timerAt.IsZero() {
		p.timerAt = p.d.Now()
		return nil
	}
	it, d := p.item, p.d.Now().Sub(p.timerAt)
	p.timerAt = time.Time{}
	return p.run(do(func() error { return it.Timer(context.Background(), "pulse", d) }, func(err error) tea.Msg { return sheetChangedMsg{err} }))
}

// power grants or withdraws the board's examiner-gated power.
func (p *livePage) power() tea.Cmd {
	p.powered = !p.powered
	on := p.powered
	text := p.t(map[bool]string{true: "power-on", false: "power-off"}[on])
	eq := p.d.Equipment
	return p.run(do(func() error { return eq.Power("board", on) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
}

// unplug pulls the item's first simulated device out, or plugs it back.
func (p *livePage) unplug() tea.Cmd {
	if len(p.item.Std.Devices) == 0 {
		p.hint("hint-no-device")
		return nil
	}
	kind := p.item.Std.Devices[0]
	text := fmt.Sprintf(p.t("unplugged"), kind)
	eq := p.d.Equipment
	return p.run(do(func() error { return eq.Unplug(kind) }, func(err error) tea.Msg { return noticeMsg{text, err} }))
}

// numberKey is 1–9 on the live screen: the numbered veto while choosing
// one (asking first), else the selected item's numbered mark.
func (p *livePage) numberKey(n int) tea.Cmd {
	ctx, it, examiner := context.Background(), p.item, p.examiner()
	if p.vetoing {
		vs := markableVetoes(it.Std)
		if n < len(vs) {
			v := vs[n]
			p.vetoing = false
			p.askFirst(fmt.Sprintf(p.t("sure-veto"), it.Std.VetoByID(v).Text), do(func() error { return it.Veto(ctx, examiner, v) }, func(err error) tea.Msg { return itemEndedMsg{err} }))
			return nil
		}
		p.hint("hint-veto-range", len(vs))
		return nil
	}
	sit := it.Std.Items[p.sel]
	if n < len(sit.Marks) {
		mk := sit.Marks[n].ID
		return p.run(call(func() (int64, error) { return it.Mark(ctx, examiner, sit.ID, mk) }, func(seq int64, err error) tea.Msg { return markedMsg{seq, err} }))
	}
	if len(sit.Marks) == 0 {
		p.hint("hint-no-marks", sit.Title)
	} else {
		p.hint("hint-mark-range", sit.Title, len(sit.Marks))
	}
	return nil
}

// onStarted shows an item just started.
func (p *livePage) onStarted(msg itemStartMsg) tea.Cmd {
	p.item = msg.it
	p.sheet, _ = p.item.Sheet()
	p.sel, p.active, p.vetoing, p.marks = 0, 0, false, nil
	p.goTo(scrLive)
	return nil
}

// onMarked keeps the examiner's mark for undo.
func (p *livePage) onMarked(msg markedMsg) {
	for len(p.marks) <= p.active {
		p.marks = append(p.marks, nil)
	}
	p.marks[p.active] = append(p.marks[p.active], msg.seq)
	p.sheet, _ = p.item.Sheet()
}

// tickCmd runs the item's clock (the hard stop) and reads its live sheet
// off the update loop.
func (p *livePage) tickCmd() tea.Cmd {
	it := p.item
	return func() tea.Msg {
		ended, err := it.Tick(context.Background())
		if err != nil {
			return itemTickMsg{err: err}
		}
		s, err := it.Sheet()
		return itemTickMsg{ended: ended, sheet: s, err: err}
	}
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

func clock(d time.Duration) string {
	neg := ""
	if d < 0 {
		neg, d = "-", -d
	}
	return fmt.Sprintf("%s%d:%02d", neg, int(d.Minutes()), int(d.Seconds())%60)
}
