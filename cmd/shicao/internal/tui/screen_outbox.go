package tui

// The outbox screen: each result, its candidate and the centre's receipt.

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// outboxPage is the outbox: each result, its candidate, its state and the
// centre's receipt; r asks the link to try again now.
type outboxPage struct {
	*shared
	area
	refreshed time.Time // when the store was last read for the screens
}

func (p *outboxPage) Typing() bool           { return false }
func (p *outboxPage) Update(tea.Msg) tea.Cmd { return nil }

// Bindings retry now, or go back.
func (p *outboxPage) Bindings() []binding {
	k := p.keys
	return []binding{
		on(k.Retry, func() tea.Cmd {
			link, load := p.d.Sync, p.loadCmd()
			return func() tea.Msg {
				if link != nil {
					link.RetryNow()
				}
				return load()
			}
		}),
		on(k.Back, func() tea.Cmd { p.goTo(scrStart); return nil }),
	}
}

// View is the outbox: each result with its candidate, when it was
// made, its state and, once the centre's receipt is verified, the
// receipt's log index; and when the centre was last reached. Nothing says
// "sent" before the receipt is verified.
func (p *outboxPage) View() string {
	st := p.styles
	var b strings.Builder
	reached := p.t("never-reached")
	if p.d.Sync != nil {
		if t := p.d.Sync.LastSync(); !t.IsZero() {
			reached = fmt.Sprintf(p.t("last-reached"), t.Format("2006-01-02 15:04:05"))
		}
	}
	link := st.Warn.Render("○ " + p.t("offline"))
	if p.d.Sync != nil && p.d.Sync.Online() {
		link = st.Good.Render("● " + p.t("online"))
	}
	fmt.Fprintf(&b, "%s  %s · %s\n\n", st.Header.Render(p.t("sync")), link, reached)
	for _, q := range p.data.queue {
		state := st.Warn.Render("… " + p.t("queued"))
		switch {
		case q.State == store.OutboxSent && q.Receipt:
			state = st.Good.Render(fmt.Sprintf("✓ %s · %s #%d", p.t("sent"), p.t("log-index"), q.LogIndex))
		case q.State == store.OutboxParked:
			state = st.Bad.Render("✗ " + p.t("parked") + ": " + q.LastError)
		default:
			if q.LastError != "" {
				state += st.Dim.Render(fmt.Sprintf(" (%d: %s)", q.Attempts, q.LastError))
			}
		}
		who, when := "—", ""
		if r := q.Result; r != nil {
			who = p.candidateName(r.Candidate) + " " + maskID(r.Candidate)
			when = time.UnixMilli(r.CreatedMs).Format("15:04:05")
		}
		fmt.Fprintf(&b, "  %s %s %s\n      %s\n", st.Dim.Render(q.ResultID), pad(who, 28), when, state)
	}
	if len(p.data.queue) == 0 {
		b.WriteString("  —\n")
	}
	return b.String()
}

// candidateName is a candidate's name from today's plans, or "".
func (p *outboxPage) candidateName(id string) string {
	for _, p := range p.data.plans {
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
	devices     []station.Device
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
	l.devices = d.Equipment.Devices()
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
