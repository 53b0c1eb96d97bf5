package tui

// The outbox screen: each result, its candidate and the centre's receipt.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

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

// viewSync is the outbox: each result with its candidate, when it was
// made, its state and, once the centre's receipt is verified, the
// receipt's log index; and when the centre was last reached. Nothing says
// "sent" before the receipt is verified.
func (m *Model) viewSync() string {
	st := m.styles
	var b strings.Builder
	reached := m.t("never-reached")
	if m.d.Sync != nil {
		if t := m.d.Sync.LastSync(); !t.IsZero() {
			reached = fmt.Sprintf(m.t("last-reached"), t.Format("2006-01-02 15:04:05"))
		}
	}
	link := st.Warn.Render("○ " + m.t("offline"))
	if m.d.Sync != nil && m.d.Sync.Online() {
		link = st.Good.Render("● " + m.t("online"))
	}
	fmt.Fprintf(&b, "%s  %s · %s\n\n", st.Header.Render(m.t("sync")), link, reached)
	for _, q := range m.queue {
		state := st.Warn.Render("… " + m.t("queued"))
		switch {
		case q.State == store.OutboxSent && q.Receipt:
			state = st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", m.t("sent"), m.t("log-index"), q.LogIndex))
		case q.State == store.OutboxParked:
			state = st.Bad.Render("✗ " + m.t("parked") + ": " + q.LastError)
		default:
			if q.LastError != "" {
				state += st.Dim.Render(fmt.Sprintf(" (%d: %s)", q.Attempts, q.LastError))
			}
		}
		who, when := "—", ""
		if r := q.Result; r != nil {
			who = m.candidateName(r.Candidate) + " " + maskID(r.Candidate)
			when = time.UnixMilli(r.CreatedMs).Format("15:04:05")
		}
		fmt.Fprintf(&b, "  %s %s %s\n      %s\n", st.Dim.Render(q.ResultID), pad(who, 28), when, state)
	}
	if len(m.queue) == 0 {
		b.WriteString("  —\n")
	}
	return b.String()
}

// candidateName is a candidate's name from today's plans, or "".
func (m *Model) candidateName(id string) string {
	for _, p := range m.plans {
		for _, c := range p.Candidates {
			if c.IDNumber == id {
				return c.Name
			}
		}
	}
	return ""
}

// loadedMsg is what the start, plan and outbox screens show from the
// store, read in a command (load), never in View.
type loadedMsg struct {
	standards   []store.InstalledStandard
	interrupted []station.Interrupted
	plans       []store.Plan
	queue       []outboxEntry
}

// outboxEntry is one result in the outbox with its candidate and, once
// the centre's receipt is verified, the receipt's log index.
type outboxEntry struct {
	store.OutboxRow
	Result   *store.Result
	LogIndex int64
	Receipt  bool
}

// load reads the station's standards, interrupted exams, today's plans and
// the outbox (a few rows).
func load(d Deps) loadedMsg {
	ctx := context.Background()
	st := d.Station.Store()
	var l loadedMsg
	l.standards, _ = st.Standards(ctx)
	l.interrupted, _ = d.Station.Interrupted(ctx)
	all, _ := st.Plans(ctx, d.Station.Today().String())
	for _, p := range all {
		if p.Site == d.Station.Site() {
			l.plans = append(l.plans, p)
		}
	}
	rows, _ := st.Outbox(ctx, "")
	for _, q := range rows {
		e := outboxEntry{OutboxRow: q}
		if r, err := st.ResultByID(ctx, q.ResultID); err == nil {
			e.Result = &r
		}
		if _, idx, err := st.Receipt(ctx, q.ResultID); err == nil {
			e.LogIndex, e.Receipt = idx, true
		}
		l.queue = append(l.queue, e)
	}
	return l
}

func (m *Model) loadCmd() tea.Cmd {
	d := m.d
	return func() tea.Msg { return load(d) }
}

func (m *Model) apply(l loadedMsg) {
	m.standards, m.interrupted, m.plans, m.queue = l.standards, l.interrupted, l.plans, l.queue
	m.planSel = min(m.planSel, max(0, len(m.plans)-1))
}
