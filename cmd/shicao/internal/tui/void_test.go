package tui

import (
	"context"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/store"
)

// TestFlow_Void (issue 16 item 2): an interrupted exam can be voided from
// the TUI, as the script's void step does; the act takes a written reason
// and asks y/n first (n leaves it resumable), and y voids it: the start
// screen no longer offers it and its session is voided with the reason.
func TestFlow_Void(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	f := newFixture(t, "zh")
	f.toCPR(t)
	f.item.Close()
	f.s.Close()
	wall := &fakeClock{t: f.clock.Now().Add(time.Minute)}
	g := openFixture(t, "zh", f.dir, wall, nil)
	g.do(t, "r")
	if v := g.view(t, 80, 24); g.m.screen != scrSignIn || !strings.Contains(v, "V 作废") {
		t.Fatalf("the resumed exam offers no void:\n%s", v)
	}
	g.do(t, "V", "enter")
	if !strings.Contains(g.view(t, 80, 24), "须写明理由") {
		t.Fatalf("a void with no reason was not refused:\n%s", g.view(t, 80, 24))
	}
	g.do(t, "考生晕倒送医", "enter")
	if v := g.view(t, 80, 24); !strings.Contains(v, "作废中断的考试，理由：考生晕倒送医？不可撤销") {
		t.Fatalf("the void does not ask first:\n%s", v)
	}
	g.do(t, "n")
	if g.m.exam == nil || g.m.exam.Resuming() == nil {
		t.Fatal("n voided the exam")
	}
	g.do(t, "V", "考生晕倒送医", "enter", "y")
	v := g.view(t, 80, 24)
	if g.m.screen != scrStart || !strings.Contains(v, "中断的考试已作废") || strings.Contains(v, "按 r 恢复") {
		t.Fatalf("after y the exam is not voided on the start screen (status %q):\n%s", g.m.status, v)
	}
	voided, err := g.s.Store().Sessions(ctx, store.SessionVoided)
	if err != nil {
		t.Fatal(err)
	}
	if len(voided) != 1 {
		t.Fatalf("%d voided sessions, want the CPR item's", len(voided))
	}
}
