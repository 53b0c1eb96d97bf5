package tui

import (
	"path/filepath"
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

// TestStart_NoPlanToday: on a day the station holds no plan for (the
// plans synced are another day's, or none yet), enter on the start screen
// says so with the day and what to do, in either language; it once said
// only "考试计划: 0".
func TestStart_NoPlanToday(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ lang, want string }{
		{"zh", "今天（2026-11-30）本考点没有考试计划：按 s 同步，取得考务中心下发的计划"},
		{"en", "no exam plan for this site today (2026-11-30): s syncs, to fetch the plans the centre issued"},
	} {
		dir := filepath.Join(t.TempDir(), "station")
		copyDir(t, template, dir)
		f := openFixture(t, c.lang, dir, &fakeClock{t: examDay.AddDate(0, 0, 2)}, nil)
		f.do(t, "enter")
		if v := f.view(t, 120, 40); !strings.Contains(v, c.want) || f.m.screen != scrStart {
			t.Errorf("%s: enter with no plan today (screen %v):\n%s", c.lang, f.m.screen, v)
		}
	}
}
