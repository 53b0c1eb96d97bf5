package tui

import (
	"strings"
	"testing"
)

// TestFlow_ChooseCategoryPlan: the demo day has a plan per category; ↓ on
// the start screen chooses the next one (plans list by id: 低压电工 first,
// then 登高架设), and the exam opens under the chosen plan and its paper.
func TestFlow_ChooseCategoryPlan(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	if v := f.view(t, 120, 40); !strings.Contains(v, "TA-2026-DG-001 低压电工作业 (5 考生) ↑↓ 1/8") {
		t.Fatalf("the first plan and the choice not shown:\n%s", v)
	}
	f.do(t, "down")
	if v := f.view(t, 120, 40); !strings.Contains(v, "TA-2026-DJ-001 登高架设作业 (1 考生) ↑↓ 2/8") {
		t.Fatalf("↓ did not choose the next plan:\n%s", v)
	}
	f.do(t, "up", "up")
	if v := f.view(t, 120, 40); !strings.Contains(v, "↑↓ 8/8") {
		t.Fatalf("↑ from the first plan did not wrap to the last:\n%s", v)
	}
	f.do(t, "down")
	f.signIn(t)
	if f.m.screen != scrPlan {
		t.Fatalf("screen %v after signing in, want the plan", f.m.screen)
	}
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "TA-2026-DG-001") || !strings.Contains(v, "SD-DG-PAPER") {
		t.Fatalf("the exam did not open under the chosen plan:\n%s", v)
	}
	f2 := newFixture(t, "zh")
	f2.do(t, "down")
	f2.signIn(t)
	if v := f2.view(t, 120, 40); !strings.Contains(v, "TA-2026-DJ-001") || !strings.Contains(v, "登高架设作业 · SD-DJ-PAPER") {
		t.Fatalf("the exam did not open under 登高架设作业:\n%s", v)
	}
}
