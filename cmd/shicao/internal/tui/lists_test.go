package tui

import (
	"fmt"
	"strings"
	"testing"

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
