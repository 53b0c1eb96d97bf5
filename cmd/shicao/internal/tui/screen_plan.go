package tui

// The plan screen: today's candidates, searched by name or ID number.

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/store"
)

// planPage lists the plan's candidates with their state; / searches them
// and one enter chooses the first match.
type planPage struct {
	*shared
	area
	search    textinput.Model
	searching bool
	sel       int
	list      list.Model
}

// candidateItem is a plan's candidate as an item of the list.
type candidateItem struct{ store.Candidate }

func (c candidateItem) FilterValue() string { return c.Name + " " + c.IDNumber }

func newPlanPage(s *shared) *planPage {
	p := &planPage{shared: s, search: textinput.New()}
	p.search.CharLimit = 18
	p.list = newRows(p.delegate())
	return p
}

// delegate draws a candidate's row: name, masked ID, attempt, state.
func (p *planPage) delegate() rows {
	return rows{sel: p.styles.Selected, row: func(it list.Item) []string {
		ci, _ := it.(candidateItem)
		c := ci.Candidate
		att := p.t("first")
		if c.Attempt > 1 {
			att = p.t("retake")
		}
		return []string{fmt.Sprintf("  %s %s %s %s", pad(c.Name, 8), maskID(c.IDNumber), pad(att, 6), p.candidateStatus(c))}
	}}
}

func (p *planPage) Typing() bool { return p.searching }

// Update types a key into the search.
func (p *planPage) Update(msg tea.Msg) tea.Cmd {
	var cmd tea.Cmd
	p.search, cmd = p.search.Update(msg)
	p.sel = 0
	return cmd
}

// Bindings are the plan's keys, or the search's while it is typed.
func (p *planPage) Bindings() []binding {
	k := p.keys
	cands := p.filtered()
	if p.searching {
		return []binding{
			on(k.Enter, func() tea.Cmd {
				// One enter selects: the first match goes to the identity
				// check; no match stays, saying so.
				p.searching = false
				p.search.Blur()
				p.sel = 0
				if len(cands) > 0 {
					p.choose(cands[0])
				}
				return nil
			}),
			on(k.Back, func() tea.Cmd { p.searching = false; p.search.Reset(); p.search.Blur(); return nil }),
		}
	}
	return []binding{
		on(k.Up, func() tea.Cmd { p.sel = max(p.sel-1, 0); return nil }),
		on(k.Down, func() tea.Cmd { p.sel = min(p.sel+1, max(len(cands)-1, 0)); return nil }),
		on(k.Search, func() tea.Cmd { p.searching = true; p.search.Focus(); return nil }),
		on(k.Enter, func() tea.Cmd {
			if len(cands) > 0 {
				return p.choose(cands[p.sel])
			}
			return nil
		}),
		on(k.Back, func() tea.Cmd { p.search.Reset(); return nil }),
	}
}

func (p *planPage) choose(c store.Candidate) tea.Cmd {
	p.cand = &c
	p.goTo(scrIdentity)
	hand := p.d.HandCard
	if hand == nil {
		return nil
	}
	p.cardScen = 0 // present: the card handed over
	return p.run(do(func() error { return hand(c.Name, c.IDNumber) }, func(err error) tea.Msg { return noticeMsg{"", err} }))
}

// filtered is the plan's candidates matching the search.
func (p *planPage) filtered() []store.Candidate {
	if p.exam == nil {
		return nil
	}
	q := strings.TrimSpace(strings.ToUpper(p.search.Value()))
	var out []store.Candidate
	for _, c := range p.exam.Plan().Candidates {
		if q == "" || strings.Contains(strings.ToUpper(c.IDNumber), q) || strings.Contains(c.Name, q) {
			out = append(out, c)
		}
	}
	return out
}

// View is the plan, the search and the candidates.
func (p *planPage) View() string {
	st := p.styles
	var b strings.Builder
	pl := p.exam.Plan()
	fmt.Fprintf(&b, "%s %s · %s · %s · %s\n", st.Header.Render(p.t("plan")), pl.ID, pl.Date, pl.Category, pl.Blueprint)
	fmt.Fprintf(&b, "%s: %s\n\n", p.t("search"), p.search.View())
	cands := p.filtered()
	if len(cands) == 0 {
		fmt.Fprintf(&b, "  %s\n", st.Bad.Render("✗ "+p.t("no-candidate")))
	}
	items := make([]list.Item, len(cands))
	for i, c := range cands {
		items[i] = candidateItem{c}
	}
	// A long plan is shown a page at a time: the chosen candidate stays
	// in view.
	if len(items) > 0 {
		b.WriteString(p.rowsView(&p.list, p.delegate(), items, p.sel, p.width, max(p.height-3, 1)) + "\n")
	}
	return b.String()
}

func (p *planPage) candidateStatus(c store.Candidate) string {
	st := p.styles
	if p.exam != nil && p.exam.Candidate() != nil && p.exam.Candidate().IDNumber == c.IDNumber {
		return st.Warn.Render("▶ " + p.t("in-exam"))
	}
	for _, q := range p.data.queue {
		if r := q.Result; r != nil && r.Candidate == c.IDNumber {
			if q.State == store.OutboxSent {
				return st.Good.Render("✓ " + p.t("synced"))
			}
			return st.Good.Render("✓ " + p.t("done"))
		}
	}
	return st.Dim.Render("· " + p.t("waiting"))
}
