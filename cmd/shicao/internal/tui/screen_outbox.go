package tui

// The outbox screen: each result, its candidate and the centre's receipt.

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/table"
	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
)

// outboxPage is the outbox: each result, its candidate, its state and the
// centre's receipt, in a table (bubbles/table) the cursor scrolls, the
// selected result's state in full under it; r asks the link to try again
// now.
type outboxPage struct {
	*shared
	area
	refreshed time.Time // when the store was last read for the screens
	table     table.Model
}

func newOutboxPage(s *shared) *outboxPage {
	p := &outboxPage{shared: s, table: table.New(table.WithFocused(true))}
	ts := table.DefaultStyles()
	ts.Header = s.styles.Label.Padding(0, 1)
	ts.Cell = lipgloss.NewStyle().Padding(0, 1)
	ts.Selected = s.styles.Selected
	p.table.SetStyles(ts)
	return p
}

func (p *outboxPage) Typing() bool           { return false }
func (p *outboxPage) Update(tea.Msg) tea.Cmd { return nil }

// Bindings move through the results, retry now, or go back.
func (p *outboxPage) Bindings() []binding {
	k := p.keys
	return []binding{
		on(k.Up, func() tea.Cmd { p.table.MoveUp(1); return nil }),
		on(k.Down, func() tea.Cmd { p.table.MoveDown(1); return nil }),
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
	head := fmt.Sprintf("%s  %s · %s", st.Header.Render(p.t("sync")), link, reached)
	if len(p.data.queue) == 0 {
		return head + "\n\n  —\n"
	}
	stateW := p.fillTable()
	out := []string{head, "", strings.TrimRight(p.table.View(), "\n ")}
	// The selected result's state in full, when the table cut it to its
	// column (a refusal's reason).
	if i := p.table.Cursor(); i >= 0 && i < len(p.data.queue) && lipgloss.Width(p.stateText(p.data.queue[i])) > stateW {
		q := p.data.queue[i]
		out = append(out, "", message(p.stateStyle(q), p.lang, p.width-2, p.stateText(q)))
	}
	return strings.Join(out, "\n") + "\n"
}

// fillTable lays the queue out in the table's columns for the page's
// width (the result's id only where there is room for it), and returns
// the state column's width.
func (p *outboxPage) fillTable() int {
	var rows []table.Row
	whoW := 10
	for _, q := range p.data.queue {
		who, when := "—", ""
		if r := q.Result; r != nil {
			who = p.candidateName(r.Candidate) + " " + maskID(r.Candidate)
			when = time.UnixMilli(r.CreatedMs).Format("15:04:05")
		}
		whoW = max(whoW, lipgloss.Width(who))
		// The cursor is a mark too, not the selected row's style alone
		// (NO_COLOR shows no reverse video).
		mark := ""
		if len(rows) == p.table.Cursor() {
			mark = "▶"
		}
		rows = append(rows, table.Row{mark, q.ResultID, who, when, p.stateText(q)})
	}
	cols := []table.Column{{Width: 1}, {Title: p.t("result-id"), Width: 16}, {Title: p.t("candidate"), Width: whoW}, {Title: p.t("created"), Width: 8}}
	if p.width < 100 {
		cols[1].Width = 0 // bubbles/table leaves a column of width 0 out
	}
	used := 0
	for _, c := range cols {
		if c.Width > 0 {
			used += c.Width + 2
		}
	}
	stateW := max(p.width-used-2, 10)
	cols = append(cols, table.Column{Title: p.t("state"), Width: stateW})
	p.table.SetColumns(cols)
	p.table.SetRows(rows)
	if p.table.Cursor() < 0 {
		p.table.SetCursor(0) // SetRows leaves -1 once the queue was empty
	}
	p.table.SetHeight(max(p.height-6, 2))
	return stateW
}

// stateText is a result's state in words: queued (with the last try's
// error), sent with the receipt's log index, or refused and why.
func (p *outboxPage) stateText(q outboxEntry) string {
	switch {
	case q.State == store.OutboxSent && q.Receipt:
		return fmt.Sprintf("✓ %s · %s #%d", p.t("sent"), p.t("log-index"), q.LogIndex)
	case q.State == store.OutboxParked:
		return "✗ " + p.t("parked") + ": " + q.LastError
	case q.LastError != "":
		return fmt.Sprintf("… %s (%d: %s)", p.t("queued"), q.Attempts, q.LastError)
	}
	return "… " + p.t("queued")
}

func (p *outboxPage) stateStyle(q outboxEntry) lipgloss.Style {
	switch {
	case q.State == store.OutboxSent && q.Receipt:
		return p.styles.Good
	case q.State == store.OutboxParked:
		return p.styles.Bad
	}
	return p.styles.Warn
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
