package tui

// The start screen: the station, its equipment and standards, the link.

import (
	"context"
	"fmt"
	"strings"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
)

// startPage chooses one of today's plans (the demo day has one per
// category), opens its exam, resumes an interrupted one, or shows the
// outbox.
type startPage struct {
	*shared
	area
	sel int // the chosen plan (↑↓ when there are several)
}

func (p *startPage) Typing() bool           { return false }
func (p *startPage) Update(tea.Msg) tea.Cmd { return nil }

// Bindings are the start screen's keys.
func (p *startPage) Bindings() []binding {
	k := p.keys
	var bs []binding
	if n := len(p.data.plans); n > 1 {
		bs = []binding{
			on(k.PrevPlan, func() tea.Cmd { p.sel = (p.sel + n - 1) % n; return nil }),
			on(k.NextPlan, func() tea.Cmd { p.sel = (p.sel + 1) % n; return nil }),
		}
	}
	bs = append(bs, on(k.Enter, p.open))
	if len(p.data.interrupted) > 0 {
		bs = append(bs, on(k.Resume, p.resume))
	}
	return append(bs, on(k.Sync, func() tea.Cmd { p.goTo(scrSync); return p.loadCmd() }))
}

// open opens the chosen plan's exam in a command, with what its sign-in
// shows.
func (p *startPage) open() tea.Cmd {
	if len(p.data.plans) == 0 {
		// Say why, and what to do: "exam plan: 0" left an examiner
		// guessing (a plan for another day, or none synced yet).
		p.hint("no-plan-today", p.d.Station.Today())
		return nil
	}
	st, id := p.d.Station, p.data.plans[p.sel].ID
	return p.wait(func() tea.Msg {
		ex, err := st.NewExam(context.Background(), id)
		if err != nil {
			return examOpenedMsg{err: err}
		}
		return opened(st, ex)
	})
}

// resume reopens the interrupted exam.
func (p *startPage) resume() tea.Cmd {
	attempt, st := p.data.interrupted[0].Session.AttemptID, p.d.Station
	return p.wait(func() tea.Msg {
		ex, err := st.ResumeExam(context.Background(), attempt)
		if err != nil {
			return resumedMsg{err: err}
		}
		return resumedMsg(opened(st, ex))
	})
}

// opened reads what the sign-in screen shows of an exam just opened: the
// names of those who may sign in, and how many must.
func opened(st *station.Station, ex *station.Exam) examOpenedMsg {
	ctx := context.Background()
	o := examOpenedMsg{exam: ex, names: map[string]string{}, need: ex.RequiredExaminers(ctx)}
	for _, id := range signInList(ex) {
		if x, err := st.Store().ExaminerByID(ctx, id); err == nil {
			o.names[id] = x.Name
		}
	}
	return o
}

// View is the station's day: the link, the plan, the equipment and the
// standards installed.
func (p *startPage) View() string {
	st := p.styles
	var b strings.Builder
	link := st.Warn.Render("○ " + p.t("offline"))
	last := p.t("never")
	if p.d.Sync != nil {
		if p.d.Sync.Online() {
			link = st.Good.Render("● " + p.t("online"))
		}
		if t := p.d.Sync.LastSync(); !t.IsZero() {
			last = t.Format("15:04:05")
		}
	}
	fmt.Fprintf(&b, "%s %s   %s %s   %s %s   %s %s\n", st.Label.Render(p.t("date")), p.d.Station.Today(), st.Label.Render(p.t("centre")), link, st.Label.Render(p.t("last-sync")), last, st.Label.Render(p.t("plan")), p.planLine())
	if len(p.data.interrupted) > 0 {
		in := p.data.interrupted[0]
		fmt.Fprintf(&b, "%s\n", st.Banner.Render(fmt.Sprintf("⚠ %s — %s %s %s ("+p.t("n-events")+")", p.t("interrupted"), maskID(in.Session.Candidate), in.Session.Subject, in.Session.Standard, in.Events)))
	}
	if p.d.DemoConsole != "" {
		fmt.Fprintf(&b, "%s %s\n", st.Label.Render(p.t("demo-console")), p.d.DemoConsole)
	}
	fmt.Fprintf(&b, "\n%s\n", st.Header.Render(p.t("equipment")))
	for _, d := range p.data.devices {
		state := st.Good.Render("● " + p.t("connected"))
		if text, bad := p.portProblem(d); bad {
			state = st.Bad.Render("✗ " + text)
		} else if ds := p.dev[d.Kind]; (ds != nil && !ds.connected) || !d.Connected {
			state = st.Bad.Render("✗ " + p.t("lost"))
		}
		fmt.Fprintf(&b, "  %s %s %s %s %s\n", pad(d.Kind, 13), pad(d.Model, 15), pad(d.Serial, 13), state, st.Dim.Render(d.Port))
	}
	fmt.Fprintf(&b, "\n%s (%d)\n", st.Header.Render(p.t("standards")), len(p.data.standards))
	room := p.h - 12 - len(p.data.devices)
	for i, s := range p.data.standards {
		if i >= room && len(p.data.standards) > room {
			fmt.Fprintf(&b, "  %s\n", st.Dim.Render(fmt.Sprintf("… +%d", len(p.data.standards)-i)))
			break
		}
		fmt.Fprintf(&b, "  %s %s v%d %s %s\n", pad(s.ID, 13), pad(s.Kind, 9), s.Version, s.Effective, s.Title)
	}
	return b.String()
}

func (p *startPage) planLine() string {
	if len(p.data.plans) == 0 {
		return "—"
	}
	pl := p.data.plans[p.sel]
	line := fmt.Sprintf("%s %s (%d %s)", pl.ID, pl.Category, len(pl.Candidates), p.t("candidates"))
	if len(p.data.plans) > 1 {
		line += fmt.Sprintf(" ↑↓ %d/%d", p.sel+1, len(p.data.plans))
	}
	return line
}
