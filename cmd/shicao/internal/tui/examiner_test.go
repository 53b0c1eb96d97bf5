package tui

import (
	"fmt"
	"regexp"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/store"
)

// What an examiner must find on the screen (issue 16, items 1–10).

// toCPR signs both examiners in, checks the first candidate, draws and
// starts the CPR item (K4).
func (f *fixture) toCPR(t testing.TB) {
	t.Helper()
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	if f.m.screen != scrLive || f.item == nil || f.item.Std.ID != "SD-DG-K42" {
		t.Fatalf("the CPR item did not start: screen %d, status %q", f.m.screen, f.m.status)
	}
}

// helpPart is the view's help bar: the lines after the status line.
func helpPart(f *fixture, v string) string {
	lines := strings.Split(v, "\n")
	n := len(helpLines(f.m.keysFor(), f.m.w, f.m.styles.Help))
	return strings.Join(lines[len(lines)-n:], "\n")
}

// keysReachable: every key the screen handles is on its help bar.
func keysReachable(t *testing.T, f *fixture, v, where string) {
	t.Helper()
	help := helpPart(f, v)
	for _, b := range f.m.keysFor() {
		// The key as an item of the bar, not inside another's words.
		item := regexp.MustCompile(`(^|· )` + regexp.QuoteMeta(b.Help().Key) + `( |$)`)
		if !item.MatchString(strings.ReplaceAll(help, "\n", " · ")) {
			t.Errorf("%s: key %q is not on the help bar:\n%s", where, b.Help().Key, help)
		}
	}
}

var han = regexp.MustCompile(`\p{Han}`)

// TestView_ContextAt80 (item 1): at 80x24 the live screen names the
// marking examiner, the time left and the candidate (ID masked), and the
// help bar carries every key — f, P, F2, F3 included — in the UI's one
// language.
func TestView_ContextAt80(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, examiner, left, finish, power string }{
		{"zh", "考评员 1 王建国", "剩余 30:00", "f 结束本题", "P 通电授权"},
		{"en", "examiner 1 王建国", "left 30:00", "f end item", "P power"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			f := newFixture(t, tt.lang)
			f.signIn(t)
			f.do(t, "enter", "y", "d", "r", "down", "enter") // K2, the board: P
			for _, sz := range [][2]int{{80, 24}, {120, 40}} {
				v := f.view(t, sz[0], sz[1])
				for _, want := range []string{tt.examiner, tt.left, "陈明 370902********1216", tt.finish} {
					if !strings.Contains(v, want) {
						t.Errorf("%dx%d: the live screen lacks %q:\n%s", sz[0], sz[1], want, v)
					}
				}
				keysReachable(t, f, v, fmt.Sprintf("%dx%d", sz[0], sz[1]))
				if !strings.Contains(helpPart(f, v), "P") || !strings.Contains(helpPart(f, v), "F3") {
					t.Errorf("%dx%d: P or F3 missing from the help bar:\n%s", sz[0], sz[1], v)
				}
				if h := helpPart(f, v); tt.lang == "en" && han.MatchString(h) {
					t.Errorf("--lang en help bar has Chinese: %q", h)
				}
			}
			f.do(t, "P")
			if want := map[string]string{"zh": "已授权设备通电", "en": "board power on"}[tt.lang]; f.m.status != want {
				t.Errorf("power status %q, want %q", f.m.status, want)
			}
			f.do(t, "?")
			if v := f.view(t, 80, 24); !strings.Contains(v, tt.power) || !strings.Contains(v, "ctrl+c") {
				t.Errorf("? shows no full key list:\n%s", v)
			}
		})
	}
}

// TestFlow_AskFirst (item 2): f, x and a veto ask first; n or a stray key
// leaves the item as it was, y does it.
func TestFlow_AskFirst(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.toCPR(t)
	f.do(t, "f")
	if v := f.view(t, 80, 24); !strings.Contains(v, "结束本题？") || f.m.screen != scrLive {
		t.Fatalf("f did not ask first:\n%s", v)
	}
	f.do(t, "d") // a stray key
	f.do(t, "n")
	if f.m.screen != scrLive || !strings.Contains(strings.Join(f.item.Pending(), " "), "end") {
		t.Fatalf("f then n ended the item: screen %d", f.m.screen)
	}
	f.do(t, "v", "1")
	if v := f.view(t, 80, 24); !strings.Contains(v, "否决：") || f.m.screen != scrLive {
		t.Fatalf("a veto did not ask first:\n%s", v)
	}
	f.do(t, "esc")
	if s, _ := f.item.Sheet(); s != nil {
		for _, v := range s.Vetoes {
			if v.By != "rule" {
				t.Fatalf("a cancelled veto was recorded: %+v", v)
			}
		}
	}
	f.do(t, "f", "y")
	if f.m.screen != scrSheet {
		t.Fatalf("f y did not end the item: screen %d", f.m.screen)
	}
	f.do(t, "f5", "f6", "x")
	if v := f.view(t, 80, 24); !strings.Contains(v, "考生拒绝签字？") {
		t.Fatalf("x did not ask first:\n%s", v)
	}
	f.do(t, "n")
	if s, _ := f.item.Sheet(); s.Refused || s.Acknowledged != nil {
		t.Fatal("x then n recorded a refusal")
	}
	f.do(t, "x", "y")
	if s, _ := f.item.Sheet(); !s.Refused {
		t.Fatal("x y did not record the refusal")
	}
}

// TestFlow_ResolvedOnSheet (items 3, 7): the sheet the candidate signs
// shows each examiner's own marks, the chief examiner's decision with its
// reason and name, and adds up.
func TestFlow_ResolvedOnSheet(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.toCPR(t)
	f.do(t, "1", "2", "3") // examiner 1 alone: -6 on 环境评估
	f.playVector(t, "perfect")
	f.do(t, "f", "y")
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "考评员 1 王建国 -6 · 考评员 2 李秀英 -0 → 均值 -3") {
		t.Errorf("the sheet does not show each examiner's marks and the mean:\n%s", v)
	}
	f.do(t, "R", "4", "tab")
	for _, r := range "回看录像" {
		f.do(t, string(r))
	}
	f.do(t, "enter")
	v = f.view(t, 120, 40)
	for _, want := range []string{"主考裁定 -4 理由：回看录像（王建国）", "总分 96 = 96", "环境评估、判断意识       2/6"} {
		if !strings.Contains(v, want) {
			t.Errorf("the resolved sheet lacks %q:\n%s", want, v)
		}
	}
}

// TestView_LiveEvidence (items 4, 7): the live screen shows each
// deduction's evidence and the examiners' own marks with the mean.
func TestView_LiveEvidence(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.toCPR(t)
	f.do(t, "1", "tab", "1", "2")
	v := f.view(t, 120, 40)
	for _, want := range []string{"(mean) [#", "examiner 1 王建国 -2 · examiner 2 李秀英 -4 → mean -3"} {
		if !strings.Contains(v, want) {
			t.Errorf("the live screen lacks %q:\n%s", want, v)
		}
	}
	if !regexp.MustCompile(`-2 未观察周围环境是否安全 ×1 \(mean\) \[#\d+@0:00 #\d+@0:00\]`).MatchString(v) {
		t.Errorf("no evidence on the live deduction:\n%s", v)
	}
}

// TestView_ReadinessUnregistered (item 5): a manikin whose serial is not
// registered to the site is ✗ with the reason on the draw screen, before
// anyone presses enter.
func TestView_ReadinessUnregistered(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.eq.serial = map[string]string{"cpr": "ROGUE0000001"}
	f.signIn(t)
	f.do(t, "enter", "y", "d")
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "✗ cpr ROGUE0000001: 设备 cpr 序列号 ROGUE0000001 未在考务中心登记") {
		t.Fatalf("the draw screen does not say the manikin is unregistered:\n%s", v)
	}
	if strings.Contains(v, "✓ cpr") {
		t.Fatalf("the unregistered manikin shows ready:\n%s", v)
	}
}

// TestView_VetoPending (item 6): CPR's five cycles cannot be done at 0:02;
// the veto is pending while the item runs, final once it ends.
func TestView_VetoPending(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.toCPR(t)
	f.clock.Add(2 * time.Second)
	f.refresh(t)
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "⏳ 待定 否决: 规定时间内未完成5个按压吹气循环") || strings.Contains(v, "✗ 否决") {
		t.Fatalf("the avoidable veto is not shown pending:\n%s", v)
	}
	f.do(t, "f", "y")
	if v := f.view(t, 120, 40); !strings.Contains(v, "✗ 否决: 规定时间内未完成5个按压吹气循环") {
		t.Fatalf("the veto is not final on the sheet:\n%s", v)
	}
}

// TestFlow_StatusAndCursor (item 8): a status line leaves with its
// screen; a key that does nothing says so; one enter selects a search;
// the cursor moves on after a sign-in and a finished item; the demo's PINs
// and data directory stay on screen.
func TestFlow_StatusAndCursor(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.m.d.DemoHint, f.m.d.DemoDir = "王建国 123456", "/tmp/demo-dir"
	f.do(t, "enter", "enter", "1", "2", "3", "4", "5", "6", "enter")
	if f.m.pages.signIn.sel != 1 {
		t.Errorf("after the first sign-in the cursor is on %d, want the next examiner (1)", f.m.pages.signIn.sel)
	}
	f.do(t, "enter", "5", "6", "7", "8", "9", "0", "enter")
	f.do(t, "/")
	for _, r := range "1216" {
		f.do(t, string(r))
	}
	f.do(t, "enter")
	if f.m.screen != scrIdentity {
		t.Fatalf("one enter on a search did not select: screen %d", f.m.screen)
	}
	f.do(t, "z")
	if v := f.view(t, 80, 24); !strings.Contains(v, "✗ z 在本屏无效 — 按 ? 查看可用按键") {
		t.Errorf("a dead key is silent:\n%s", v)
	}
	f.do(t, "y", "d", "r", "down", "down", "down", "enter")
	f.run(t, DeviceStateMsg{Kind: "cpr", State: "lost"})
	f.run(t, DeviceStateMsg{Kind: "cpr", State: "back"})
	if v := f.view(t, 80, 24); !strings.Contains(v, "设备 cpr 已恢复") {
		t.Fatalf("device back not shown:\n%s", v)
	}
	f.do(t, "f", "y")
	v := f.view(t, 80, 24)
	if strings.Contains(v, "已恢复") {
		t.Errorf("the live screen's status lingers on the sheet:\n%s", v)
	}
	for _, want := range []string{"123456", "/tmp/demo-dir"} {
		if !strings.Contains(v, want) {
			t.Errorf("the demo's %q is not on screen:\n%s", want, v)
		}
	}
	f.do(t, "f5", "f6", "a")
	if f.m.screen != scrDraw || f.m.pages.draw.sel != 0 {
		t.Errorf("after K4 the cursor is on %d (screen %d), want the next item not done (0)", f.m.pages.draw.sel, f.m.screen)
	}
}

// fullID is an 18-character ID number, whole.
var fullID = regexp.MustCompile(`\d{17}[\dX]`)

// TestView_NoFullID (item 9): no screen of a whole exam, nor a lockout,
// shows an ID number whole.
func TestView_NoFullID(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	check := func(where string) {
		t.Helper()
		for _, sz := range [][2]int{{80, 24}, {200, 60}} {
			if v := f.view(t, sz[0], sz[1]); fullID.MatchString(v) {
				t.Errorf("%s %dx%d shows a full ID number %q:\n%s", where, sz[0], sz[1], fullID.FindString(v), v)
			}
		}
	}
	f.do(t, "enter", "enter", "1", "2", "3", "4", "5", "6", "enter")
	check("signed in (the certificate number holds the ID)")
	f.do(t, "esc")
	f = newFixture(t, "zh")
	f.do(t, "enter", "enter")
	for i := 0; i < 5; i++ {
		f.do(t, "9", "9", "9", "9", "9", "9", "enter")
		f.do(t, "enter")
		check("wrong PIN")
	}
	if !strings.Contains(f.m.status, "王建国 370902********") {
		t.Errorf("the lockout does not name the examiner: %q", f.m.status)
	}
	g := newFixture(t, "zh")
	f = g
	f.toCPR(t)
	check("live")
	f.do(t, "1", "2", "3")
	f.playVector(t, "perfect")
	f.do(t, "f", "y")
	check("sheet with a review and confirmations pending")
	f.do(t, "esc")
	check("draw")
}

// fakeSync is a centre link last reached at a fixed time.
type fakeSync struct{ last time.Time }

func (s fakeSync) Online() bool        { return true }
func (s fakeSync) LastSync() time.Time { return s.last }
func (s fakeSync) RetryNow()           {}

// TestView_Outbox (item 10): the outbox shows each result's candidate,
// time, state and, only once the receipt is verified, its log index; and
// when the centre was last reached.
func TestView_Outbox(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.toCPR(t)
	f.playVector(t, "perfect")
	f.do(t, "f", "y", "f5", "f6", "a")
	for i := 0; i < 3; i++ {
		f.do(t, "enter", "f", "y", "f5", "f6", "a")
	}
	f.do(t, "f10")
	if f.m.screen != scrResult {
		t.Fatalf("no result screen: %q", f.m.status)
	}
	f.do(t, "enter", "s")
	v := f.view(t, 80, 24)
	cand := demo.Candidates[0]
	for _, want := range []string{cand.Name + " " + "370902********1216", "09:3", "… queued", "the centre has not been reached yet"} {
		if !strings.Contains(v, want) {
			t.Errorf("the outbox lacks %q:\n%s", want, v)
		}
	}
	if strings.Contains(v, "sent") {
		t.Errorf("the outbox says sent before a receipt:\n%s", v)
	}
	rows, _ := f.s.Store().Outbox(contextBG(), store.OutboxQueued)
	if len(rows) != 1 {
		t.Fatalf("%d queued rows", len(rows))
	}
	if err := f.s.Store().MarkSent(contextBG(), rows[0].ResultID, []byte("{}"), 7); err != nil {
		t.Fatal(err)
	}
	f.m.d.Sync = fakeSync{last: examDay.Add(time.Hour)}
	f.do(t, "r")
	v = f.view(t, 80, 24)
	for _, want := range []string{"✓ sent (receipt verified) · log index #7", "centre last reached 2026-11-28 10:30:00"} {
		if !strings.Contains(v, want) {
			t.Errorf("the outbox lacks %q:\n%s", want, v)
		}
	}
}

// TestView_ResizeKeepsKeys (item 11): from 200x60 down to 80x24 and back,
// every screen keeps every key on its help bar, in both languages.
func TestView_ResizeKeepsKeys(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		f := newFixture(t, lang)
		sizes := [][2]int{{200, 60}, {120, 40}, {80, 24}, {120, 40}, {200, 60}}
		at := func(where string, want screen) {
			t.Helper()
			if f.m.screen != want {
				t.Fatalf("%s %s: on screen %d, want %d (status %q)", lang, where, f.m.screen, want, f.m.status)
			}
			for _, sz := range sizes {
				v := f.view(t, sz[0], sz[1])
				checkFits(t, v, sz[0], sz[1])
				keysReachable(t, f, v, fmt.Sprintf("%s %s %dx%d", lang, where, sz[0], sz[1]))
			}
		}
		at("start", scrStart)
		f.do(t, "enter")
		at("sign-in", scrSignIn)
		f.do(t, "enter")
		at("PIN", scrSignIn)
		f.do(t, "1", "2", "3", "4", "5", "6", "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
		at("plan", scrPlan)
		f.do(t, "enter")
		at("identity", scrIdentity)
		f.do(t, "y")
		at("draw", scrDraw)
		f.do(t, "d", "r", "down", "down", "down")
		at("drawn", scrDraw)
		f.do(t, "enter")
		at("live", scrLive)
		f.do(t, "v")
		at("veto", scrLive)
		f.do(t, "esc", "f")
		at("ask", scrLive)
		f.do(t, "y")
		at("sheet", scrSheet)
		f.do(t, "f5", "f6", "a")
		for i := 0; i < 3; i++ {
			f.do(t, "enter", "f", "y", "f5", "f6", "a")
		}
		f.do(t, "f10")
		at("result", scrResult)
		f.do(t, "enter", "s")
		at("outbox", scrSync)
		f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	}
}

// TestFinishExam_Undone: F10 before every item is finished says how many
// are left (in the walk it did nothing, and looked dead).
func TestFinishExam_Undone(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.toCPR(t)
	f.playVector(t, "perfect")
	f.do(t, "f", "y", "f5", "f6", "a")
	f.do(t, "f10")
	if f.m.screen == scrResult || !strings.Contains(f.m.status, "3 items are not finished") {
		t.Fatalf("F10 with 3 items left: screen %v, status %q", f.m.screen, f.m.status)
	}
}
