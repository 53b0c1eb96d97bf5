package tui

// The start screen: the station, its equipment and standards, the link.

import (
	"context"
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
)

// keyStart chooses one of today's plans (the demo day has one per
// category), opens its exam, resumes an interrupted one, or shows the
// outbox.
func (m *Model) keyStart(msg tea.KeyMsg) tea.Cmd {
	ctx := context.Background()
	switch {
	case key.Matches(msg, m.keys.Sync):
		m.goTo(scrSync)
		return m.loadCmd()
	case key.Matches(msg, m.keys.Resume) && len(m.interrupted) > 0:
		attempt := m.interrupted[0].Session.AttemptID
		st := m.d.Station
		return m.run(call(func() (*station.Exam, error) { return st.ResumeExam(ctx, attempt) }, func(e *station.Exam, err error) tea.Msg { return resumedMsg{e, err} }))
	case key.Matches(msg, m.keys.PrevPlan) && len(m.plans) > 1:
		m.planSel = (m.planSel + len(m.plans) - 1) % len(m.plans)
	case key.Matches(msg, m.keys.NextPlan) && len(m.plans) > 1:
		m.planSel = (m.planSel + 1) % len(m.plans)
	case key.Matches(msg, m.keys.Enter):
		if len(m.plans) == 0 {
			m.setStatus(fmt.Errorf("%s: 0", m.t("plan")))
			return nil
		}
		ex, err := m.d.Station.NewExam(ctx, m.plans[m.planSel].ID)
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

func (m *Model) viewStart() string {
	st := m.styles
	var b strings.Builder
	link := st.Warn.Render("○ " + m.t("offline"))
	last := m.t("never")
	if m.d.Sync != nil {
		if m.d.Sync.Online() {
			link = st.Good.Render("● " + m.t("online"))
		}
		if t := m.d.Sync.LastSync(); !t.IsZero() {
			last = t.Format("15:04:05")
		}
	}
	fmt.Fprintf(&b, "%s %s   %s %s   %s %s   %s %s\n", st.Label.Render(m.t("date")), m.d.Station.Today(), st.Label.Render(m.t("centre")), link, st.Label.Render(m.t("last-sync")), last, st.Label.Render(m.t("plan")), m.planLine())
	if len(m.interrupted) > 0 {
		in := m.interrupted[0]
		fmt.Fprintf(&b, "%s\n", st.Banner.Render(fmt.Sprintf("⚠ %s — %s %s %s (%d)", m.t("interrupted"), maskID(in.Session.Candidate), in.Session.Subject, in.Session.Standard, in.Events)))
	}
	fmt.Fprintf(&b, "\n%s\n", st.Header.Render(m.t("equipment")))
	for _, d := range m.d.Equipment.Devices() {
		state := st.Good.Render("● " + m.t("connected"))
		if text, bad := m.portProblem(d); bad {
			state = st.Bad.Render("✗ " + text)
		} else if ds := m.dev[d.Kind]; (ds != nil && !ds.connected) || !d.Connected {
			state = st.Bad.Render("✗ " + m.t("lost"))
		}
		fmt.Fprintf(&b, "  %s %s %s %s %s\n", pad(d.Kind, 13), pad(d.Model, 15), pad(d.Serial, 13), state, st.Dim.Render(d.Port))
	}
	fmt.Fprintf(&b, "\n%s (%d)\n", st.Header.Render(m.t("standards")), len(m.standards))
	room := m.h - 12 - len(m.d.Equipment.Devices())
	for i, s := range m.standards {
		if i >= room && len(m.standards) > room {
			fmt.Fprintf(&b, "  %s\n", st.Dim.Render(fmt.Sprintf("… +%d", len(m.standards)-i)))
			break
		}
		fmt.Fprintf(&b, "  %s %s v%d %s %s\n", pad(s.ID, 13), pad(s.Kind, 9), s.Version, s.Effective, s.Title)
	}
	return b.String()
}

func (m *Model) planLine() string {
	if len(m.plans) == 0 {
		return "—"
	}
	p := m.plans[m.planSel]
	line := fmt.Sprintf("%s %s (%d %s)", p.ID, p.Category, len(p.Candidates), m.t("candidates"))
	if len(m.plans) > 1 {
		line += fmt.Sprintf(" ↑↓ %d/%d", m.planSel+1, len(m.plans))
	}
	return line
}
