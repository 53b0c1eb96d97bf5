package tui

import (
	"context"
	"strings"
	"sync"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/hardware/idcard"
	"shicao/hardware/sim"
	examsync "shicao/sync"
)

// cardOnReader makes the fixture's station have an ID-card reader holding
// card (or answering err).
func (f *fixture) cardOnReader(card idcard.Card, err error) {
	f.m.d.Card = func(context.Context) (idcard.Card, error) { return card, err }
}

// TestIdentity_CardRead (issue 22 §1): on the identity screen c reads the
// card; the screen shows its name, masked number and validity and whether
// it matches the plan, in words; y records the read on the attempt as the
// script's card step does.
func TestIdentity_CardRead(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.cardOnReader(sim.DemoCard(), nil)
	f.signIn(t)
	f.do(t, "enter")
	if f.m.screen != scrIdentity {
		t.Fatalf("not on the identity screen: %d", f.m.screen)
	}
	if v := f.view(t, 80, 24); !strings.Contains(v, "c 读卡") {
		t.Fatalf("the identity screen offers no card key:\n%s", v)
	}
	f.do(t, "c")
	v := f.view(t, 80, 24)
	for _, want := range []string{"身份证  陈明  370902********1216  20190308–长期", "✓ 人证一致"} {
		if !strings.Contains(v, want) {
			t.Errorf("the card read lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "370902199903081216") {
		t.Errorf("the full ID number is on the screen:\n%s", v)
	}
	f.do(t, "y")
	if f.m.screen != scrDraw {
		t.Fatalf("y after a matching card did not reach the draw: screen %d, status %q", f.m.screen, f.m.status)
	}
	id := f.m.exam.Identity()
	if id == nil || id.Method != examsync.IdentityCard || id.Name != "陈明" || id.PhotoSHA256 == "" {
		t.Fatalf("the read is not recorded on the attempt: %+v", id)
	}
}

// TestIdentity_CardRefusals: no card, an unreadable one, an expired one, a
// card whose name is not the plan's and another candidate's card are each
// said in words, in both languages, and y does not pass.
func TestIdentity_CardRefusals(t *testing.T) {
	t.Parallel()
	expired := sim.DemoCard()
	expired.ValidFrom, expired.ValidTo = "20100308", "20200308"
	renamed := sim.DemoCard()
	renamed.Name = "陈明明"
	other := sim.DemoCard()
	other.IDNumber, other.Name = "37090220000415232X", "赵丽"
	for _, tt := range []struct {
		name     string
		card     idcard.Card
		err      error
		zh, en   string
		showCard bool
	}{
		{"Absent", idcard.Card{}, idcard.ErrNoCard, "阅读器上没有身份证", "there is no card on the reader", false},
		{"Unreadable", idcard.Card{}, idcard.ErrUnreadable, "身份证无法读取", "the ID card cannot be read", false},
		{"Expired", expired, nil, "身份证有效期至 20200308，已过期", "the ID card expired on 20200308", true},
		{"Name", renamed, nil, "人证不一致：身份证 370902********1216 的姓名是 陈明明", "the card does not match the plan", true},
		{"Other", other, nil, "人证不一致：身份证 370902********232X（赵丽）不是所选考生 陈明 的", "card 370902********232X (赵丽) is not the chosen candidate 陈明's", true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			for _, lang := range []string{"zh", "en"} {
				f := newFixture(t, lang)
				f.cardOnReader(tt.card, tt.err)
				f.signIn(t)
				f.do(t, "enter", "c")
				v := f.view(t, 80, 24)
				want := map[string]string{"zh": tt.zh, "en": tt.en}[lang]
				if !strings.Contains(strings.Join(strings.Fields(v), ""), strings.Join(strings.Fields(want), "")) {
					t.Errorf("%s: the screen does not say %q:\n%s", lang, want, v)
				}
				if tt.showCard && !strings.Contains(v, maskID(tt.card.IDNumber)) {
					t.Errorf("%s: the card read is not shown:\n%s", lang, v)
				}
				f.do(t, "y")
				if f.m.screen != scrIdentity || f.m.exam.Identity() != nil {
					t.Fatalf("%s: y passed a refused card: screen %d", lang, f.m.screen)
				}
			}
		})
	}
}

// TestIdentity_Manual: m takes the number by hand; the reason is asked
// for, both examiners confirm with y, and the attempt records it.
func TestIdentity_Manual(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.cardOnReader(idcard.Card{}, idcard.ErrUnreadable)
	f.signIn(t)
	f.do(t, "enter", "c", "m", "enter")
	if !strings.Contains(f.view(t, 80, 24), "须写明理由") {
		t.Fatalf("an empty reason was not refused:\n%s", f.view(t, 80, 24))
	}
	f.do(t, "证件芯片损坏", "enter")
	if v := flat(f.view(t, 80, 24)); !strings.Contains(v, "考评员1王建国确认：手工录入身份证号370902********1216，理由：证件芯片损坏") {
		t.Fatalf("the manual entry does not ask the first examiner:\n%s", v)
	}
	f.do(t, "y")
	if v := flat(f.view(t, 80, 24)); f.m.exam.Identity() != nil || !strings.Contains(v, "考评员2李秀英确认：手工录入身份证号370902********1216") {
		t.Fatalf("the manual entry does not ask the second examiner:\n%s", v)
	}
	f.do(t, "y")
	if f.m.screen != scrDraw {
		t.Fatalf("the manual entry did not reach the draw: screen %d, status %q", f.m.screen, f.m.status)
	}
	id := f.m.exam.Identity()
	if id == nil || id.Method != examsync.IdentityManual || id.Reason != "证件芯片损坏" || len(id.ConfirmedBy) != 2 {
		t.Fatalf("the manual entry is not recorded: %+v", id)
	}
}

// flat is a view with its spaces and line breaks taken out (a wrapped
// sentence reads whole).
func flat(v string) string { return strings.Join(strings.Fields(v), "") }

// TestIdentity_DemoCardScenarios: in the demo F2 on the identity screen
// changes the simulated reader's card (present, absent, unreadable,
// expired), so each state can be shown through the TUI.
func TestIdentity_DemoCardScenarios(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	var set []string
	f.cardOnReader(sim.DemoCard(), nil)
	f.m.d.CardScenario = func(name string) error { set = append(set, name); return nil }
	f.signIn(t)
	f.do(t, "enter")
	if v := f.view(t, 80, 24); !strings.Contains(v, "F2 scenario") {
		t.Fatalf("the demo's identity screen offers no card scenario:\n%s", v)
	}
	f.do(t, "f2", "f2", "f2", "f2")
	if strings.Join(set, " ") != "absent unreadable expired present" {
		t.Fatalf("F2 set %v, want absent unreadable expired present", set)
	}
	if f.m.status != "demo: the reader holds the candidate's own valid card" {
		t.Fatalf("status %q, want the card named", f.m.status)
	}
}

// TestIdentity_DemoHandsCard: in the demo, choosing a candidate puts
// their own card on the simulated reader, present, so that any candidate
// of the plan, not only the first, reads and matches.
func TestIdentity_DemoHandsCard(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	var (
		mu     sync.Mutex // the hand runs on the TUI's worker
		card   = sim.DemoCard()
		handed []string
	)
	f.m.d.Card = func(context.Context) (idcard.Card, error) { mu.Lock(); defer mu.Unlock(); return card, nil }
	f.m.d.CardScenario = func(string) error { return nil }
	f.m.d.HandCard = func(name, id string) error {
		mu.Lock()
		defer mu.Unlock()
		handed, card = append(handed, name+" "+id), sim.CardFor(name, id)
		return nil
	}
	f.signIn(t)
	f.do(t, "down", "enter", "c", "y")
	if f.m.screen != scrDraw {
		t.Fatalf("%s's own card did not take them to the draw: status %q\n%s", demo.Candidates[1].Name, f.m.status, f.view(t, 80, 24))
	}
	mu.Lock()
	defer mu.Unlock()
	if want := demo.Candidates[1].Name + " " + demo.Candidates[1].IDNumber; len(handed) != 1 || handed[0] != want {
		t.Fatalf("handed %v, want [%s]", handed, want)
	}
}
