package tui

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/charmbracelet/bubbles/list"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/store"
)

// TestOutbox_TableScrolls: a long outbox is a table the cursor scrolls
// (↓ reaches a result below the window), and a refusal's reason the state
// column cuts is shown in full under it.
func TestOutbox_TableScrolls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	reason := "the centre refuses the result: the standard SD-DG-K42 v3 is not in force at site TA-KD-01 on 2026-11-28 (withdrawn 2026-11-01); ask the centre"
	var q []outboxEntry
	for i := range 40 {
		row := store.OutboxRow{ResultID: fmt.Sprintf("%016x", 0xa0+i), State: store.OutboxQueued}
		if i == 35 {
			row.State, row.LastError = store.OutboxParked, reason
		}
		q = append(q, outboxEntry{OutboxRow: row})
	}
	f.do(t, "s")
	f.m.data.queue = q
	if v := f.view(t, 120, 40); !strings.Contains(v, "00000000000000a0") || strings.Contains(v, "00000000000000c3") {
		t.Fatalf("the outbox's first page:\n%s", v)
	}
	for range 35 {
		f.do(t, "down")
	}
	v := f.view(t, 120, 40)
	checkFits(t, v, 120, 40)
	if !strings.Contains(v, "00000000000000c3") || !strings.Contains(flat(v), flat("(withdrawn 2026-11-01); ask the centre")) {
		t.Errorf("after 35 ↓ the refused result and its whole reason are not shown:\n%s", v)
	}
}

// TestPlan_Scrolls: a plan longer than the window scrolls: the candidate
// the cursor is on stays in view, and the lines cut off are counted.
func TestPlan_Scrolls(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.do(t, "enter", "enter", "1", "2", "3", "4", "5", "6", "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
	if f.m.screen != scrPlan {
		t.Fatalf("not on the plan: screen %d, status %q", f.m.screen, f.m.status)
	}
	for range 4 {
		f.do(t, "down")
	}
	v := f.view(t, 80, 10)
	checkFits(t, v, 80, 10)
	if !strings.Contains(v, "▶ 吴刚") || !strings.Contains(v, "↑ 另有") {
		t.Errorf("the fifth candidate is not in view at 80x10, or the cut is not counted:\n%s", v)
	}
}

// TestPlan_LongListPages: a plan of 40 candidates at 80x24 is shown a
// page at a time: the row the cursor is on is always on screen, marked ▶
// (which NO_COLOR keeps), the candidates cut off are counted above and
// below, and enter chooses the candidate the cursor is on.
func TestPlan_LongListPages(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	cands, err := demo.IssueBulkPlan(context.Background(), f.s, "TA-BULK", 40)
	if err != nil {
		t.Fatal(err)
	}
	f.m.refresh()
	for i, pl := range f.m.data.plans {
		if pl.ID == "TA-BULK" {
			f.m.pages.start.sel = i
		}
	}
	f.do(t, "enter", "enter", "1", "2", "3", "4", "5", "6", "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
	if f.m.screen != scrPlan || len(f.m.exam.Plan().Candidates) != 40 {
		t.Fatalf("not on the bulk plan: screen %d, status %q", f.m.screen, f.m.status)
	}
	seen := map[string]bool{}
	for i := range cands {
		if i > 0 {
			f.do(t, "down")
		}
		v := f.view(t, 80, 24)
		checkFits(t, v, 80, 24)
		want := "▶ " + pad(cands[i].Name, 8)
		if !strings.Contains(v, want) || strings.Count(v, "▶") != 1 {
			t.Fatalf("after %d ↓ the cursor's row %q is not the one row marked on screen:\n%s", i, want, v)
		}
		if i >= 20 && !strings.Contains(v, "↑ 另有") || i < 20 && !strings.Contains(v, "↓ 另有") {
			t.Errorf("after %d ↓ the cut is not counted:\n%s", i, v)
		}
		for _, c := range cands {
			seen[c.Name] = seen[c.Name] || strings.Contains(v, c.Name+" ")
		}
	}
	if len(seen) != 40 || slices.Contains(slices.Collect(maps.Values(seen)), false) {
		t.Errorf("not every candidate was shown on the way down: %v", seen)
	}
	f.do(t, "up", "enter")
	if f.m.screen != scrIdentity || f.m.cand == nil || f.m.cand.IDNumber != cands[38].IDNumber {
		t.Errorf("enter did not choose the 39th candidate: screen %d, %+v", f.m.screen, f.m.cand)
	}
}

type nameItem string

func (n nameItem) FilterValue() string { return string(n) }

// TestRows_SameBytesInColour: in a colour terminal the list's delegate
// writes the rows byte for byte as the hand-made lists did (their
// coloured cells, CJK padding, the selected row's ▶ and reverse video):
// the list adds no styling, padding or blank lines of its own.
func TestRows_SameBytesInColour(t *testing.T) {
	t.Parallel()
	r := lipgloss.NewRenderer(nil)
	r.SetColorProfile(termenv.TrueColor)
	sel, good := r.NewStyle().Reverse(true), r.NewStyle().Foreground(lipgloss.Color("2"))
	d := rows{sel: sel, row: func(it list.Item) []string {
		n, _ := it.(nameItem)
		return []string{"  " + pad(string(n), 8) + " " + good.Render("✓ 已签到"), "      " + good.Render("✓ cpr")}
	}}
	s := &shared{styles: DefaultStyles(), lang: "zh"}
	l := newRows(d)
	items := []list.Item{nameItem("王建国"), nameItem("李秀英")}
	got := s.rowsView(&l, d, items, 1, 80, 10)
	second := d.row(items[1])
	want := strings.Join(d.row(items[0]), "\n") + "\n" + sel.Render("▶"+second[0][1:]) + "\n" + second[1]
	if got != want {
		t.Errorf("the list's rows:\n%q\nthe hand-made rows:\n%q", got, want)
	}
}
