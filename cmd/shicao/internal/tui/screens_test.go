package tui

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/hardware/serialport"
)

func fieldsOf(raw []byte) map[string]any {
	var m map[string]any
	_ = json.Unmarshal(raw, &m)
	for k, v := range m {
		if f, ok := v.(float64); ok && f == float64(int(f)) {
			m[k] = int(f)
		}
	}
	return m
}

// TestScreens_Golden walks through an exam and pins every screen's view at
// 80x24, 120x40 and 200x60 (Ascii colour profile), checking each fits the
// window and keeps every key of the screen on its help bar.
func TestScreens_Golden(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		f := newFixture(t, lang)
		shot := func(name string) {
			t.Helper()
			for _, sz := range [][2]int{{80, 24}, {120, 40}, {200, 60}} {
				v := f.view(t, sz[0], sz[1])
				checkFits(t, v, sz[0], sz[1])
				keysReachable(t, f, v, fmt.Sprintf("%s %dx%d", name, sz[0], sz[1]))
				golden(t, fmt.Sprintf("%s-%s-%dx%d", name, lang, sz[0], sz[1]), v)
			}
			f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
		}
		shot("start")
		f.do(t, "enter", "enter", "1", "2", "3", "4", "5", "6")
		shot("signin-pin")
		f.do(t, "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
		shot("plan")
		f.do(t, "enter")
		shot("identity")
		f.do(t, "y", "d")
		shot("draw")
		f.do(t, "r", "down", "down", "down", "enter")
		if f.item == nil || f.item.Std.ID != "SD-DG-K42" {
			t.Fatalf("the CPR item did not start: %v", f.item)
		}
		f.playVector(t, "twelve-shallow")
		shot("live-cpr")
		f.do(t, "f", "y")
		shot("sheet")
		f.do(t, "f5", "f6", "a")
		shot("draw-after-item")
		// The other three items, examiner-only: start, finish, sign, confirm.
		for i := 0; i < 3; i++ {
			f.do(t, "up")
		}
		for i := 0; i < 3; i++ {
			f.do(t, "enter", "f", "y", "f5", "f6", "a") // the cursor moves on by itself
		}
		f.do(t, "f10")
		if f.m.screen != scrResult {
			t.Fatalf("no result screen after F10: screen %d, status %q", f.m.screen, f.m.status)
		}
		shot("result")
		f.m.screen = scrSync
		f.m.refresh()
		shot("sync")
	}
}

// TestFlow_CPRGood: a full CPR item with the good run ends at 100 and
// passes, and the sheet says so.
func TestFlow_CPRGood(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	f.playVector(t, "perfect")
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "得分 100") {
		t.Fatalf("live screen does not show 100:\n%s", v)
	}
	f.do(t, "f", "y")
	v = f.view(t, 120, 40)
	if !strings.Contains(v, "得分 100 ✓ 合格") {
		t.Fatalf("sheet does not show 100 pass:\n%s", v)
	}
	f.do(t, "f5", "f6", "a")
	if !f.item.Done() {
		t.Fatalf("the item is not done after confirm and sign: %v", f.item.Pending())
	}
}

// TestFlow_Shallow: shallow compressions show on the sheet with their
// deduction, count and evidence times.
func TestFlow_Shallow(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	f.playVector(t, "twelve-shallow")
	f.do(t, "f", "y")
	v := f.view(t, 120, 40)
	for _, want := range []string{"-24 按压深度不足5cm，每次扣2分 ×12 [#", "胸外按压", "得分 76 ✗ 不合格"} {
		if !strings.Contains(v, want) {
			t.Errorf("sheet lacks %q:\n%s", want, v)
		}
	}
}

// TestFlow_DeviceLostAndBack: a device lost mid-item is shown at once and
// recorded; the item goes on and its return is shown too.
func TestFlow_DeviceLostAndBack(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	f.run(t, DeviceStateMsg{Kind: "cpr", State: "back"})
	f.run(t, ReadingMsg{Kind: "cpr", Type: "cpr.compression", Fields: map[string]any{"depth_mm": 57, "position": "ok", "recoil": true}})
	if v := f.view(t, 120, 40); !strings.Contains(v, " 57 mm") {
		t.Fatalf("the reading is not shown:\n%s", v)
	}
	f.run(t, DeviceStateMsg{Kind: "cpr", State: "lost"})
	if err := f.item.DeviceLost(contextBG(), "cpr"); err != nil {
		t.Fatal(err)
	}
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "✗ 设备 cpr 已断开，考试继续") || !strings.Contains(v, "cpr ✗ 已断开") {
		t.Fatalf("lost device not shown:\n%s", v)
	}
	// The last depth of a lost manikin is not a reading.
	if strings.Contains(v, " 57 mm") || !strings.Contains(v, " -- mm") {
		t.Fatalf("a lost manikin still shows its last depth:\n%s", v)
	}
	f.run(t, DeviceStateMsg{Kind: "cpr", State: "back"})
	if err := f.item.DeviceBack(contextBG(), "cpr"); err != nil {
		t.Fatal(err)
	}
	v = f.view(t, 120, 40)
	if !strings.Contains(v, "✓ 设备 cpr 已恢复") || !strings.Contains(v, "cpr ● 已连接") {
		t.Fatalf("device back not shown:\n%s", v)
	}
	if n, _ := f.item.Count(contextBG(), "device.lost"); n != 1 {
		t.Fatalf("%d device.lost events recorded, want 1", n)
	}
}

// TestView_PortNotFound: a device whose port is not there is shown as
// "port not found", not as "disconnected" like a device that was pulled
// out, in the home screen's equipment list.
func TestView_PortNotFound(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, missing, lost string }{
		{"zh", "✗ 未找到端口", "✗ 已断开"},
		{"en", "✗ PORT NOT FOUND", "✗ LOST"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			f := newFixture(t, tt.lang)
			f.eq.portErr = map[string]error{"cpr": &serialport.OpenError{Path: "/dev/ttyUSB9", Reason: serialport.ErrNotFound, Err: fs.ErrNotExist}}
			f.eq.lost = map[string]bool{"board": true}
			f.refresh(t) // the start screen reads the equipment on its refresh
			v := f.view(t, 120, 40)
			line := func(kind string) string {
				for _, l := range strings.Split(v, "\n") {
					if strings.HasPrefix(strings.TrimSpace(l), kind+" ") {
						return l
					}
				}
				t.Fatalf("no line for %s in:\n%s", kind, v)
				return ""
			}
			if l := line("cpr"); !strings.Contains(l, tt.missing) || strings.Contains(l, tt.lost) {
				t.Errorf("cpr with no port: %q, want %q", l, tt.missing)
			}
			if l := line("board"); !strings.Contains(l, tt.lost) || strings.Contains(l, tt.missing) {
				t.Errorf("board pulled out: %q, want %q", l, tt.lost)
			}
		})
	}
}

// TestFlow_OutageOnSheet: the manikin unplugged mid-cycle costs nothing,
// and the sheet says when it was lost and back, in both languages.
func TestFlow_OutageOnSheet(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, score, outage string }{
		{"zh", "得分 100 ✓ 合格", "⚠ 设备 cpr 断开 0:15–0:18（3.0 秒）"},
		{"en", "score 100 ✓ PASS", "⚠ device cpr lost 0:15–0:18 (3.0 s)"},
	} {
		f := newFixture(t, tt.lang)
		f.signIn(t)
		f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
		f.playVector(t, "outage-mid-cycle")
		f.do(t, "f", "y")
		v := f.view(t, 120, 40)
		for _, want := range []string{tt.score, tt.outage} {
			if !strings.Contains(v, want) {
				t.Errorf("%s sheet lacks %q:\n%s", tt.lang, want, v)
			}
		}
		if strings.Contains(v, "15–18") || strings.Contains(v, "cycle-pace") {
			t.Errorf("%s sheet charges the outage:\n%s", tt.lang, v)
		}
	}
}

// TestFlow_RefusedSignIn: a wrong PIN is refused plainly.
func TestFlow_RefusedSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.do(t, "enter", "enter", "9", "9", "9", "9", "9", "9", "enter")
	v := f.view(t, 80, 24)
	if !strings.Contains(v, "✗ wrong PIN (4 tries left)") {
		t.Fatalf("refusal not shown:\n%s", v)
	}
}

// TestFlow_CandidateNotOnPlan: searching for someone not on the plan shows
// that they may not be examined, and nobody can be selected.
func TestFlow_CandidateNotOnPlan(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.signIn(t)
	f.do(t, "/")
	for _, r := range "370902199601016769" {
		f.do(t, string(r))
	}
	f.do(t, "enter")
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "✗ 考试计划中无此考生：不得考试") {
		t.Fatalf("not-on-plan not shown:\n%s", v)
	}
	f.do(t, "enter")
	if f.m.screen != scrPlan {
		t.Fatal("a candidate not on the plan reached the identity check")
	}
}

// TestFlow_Review: examiners who disagree beyond tolerance block the
// confirmation until the chief examiner resolves it with a reason.
func TestFlow_Review(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	// Examiner 1 alone takes 6 points off 环境评估: marks 1, 2, 3.
	f.do(t, "1", "2", "3")
	f.playVector(t, "perfect")
	f.do(t, "f", "y")
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "需主考裁定") {
		t.Fatalf("review not shown:\n%s", v)
	}
	f.do(t, "a", "f5")
	if v := f.view(t, 120, 40); !strings.Contains(v, "须主考裁定后再确认") {
		t.Fatalf("confirm before the review was not refused:\n%s", v)
	}
	f.do(t, "R", "4", "tab")
	for _, r := range "回看录像" {
		f.do(t, string(r))
	}
	f.do(t, "enter")
	// The ruling is made: the refusal it answers is no longer shown.
	if v := f.view(t, 120, 40); strings.Contains(v, "须主考裁定后再确认") || f.m.status != "" {
		t.Fatalf("the refusal is still shown after the ruling (status %q):\n%s", f.m.status, v)
	}
	f.do(t, "f5", "f6", "a")
	if !f.item.Done() {
		t.Fatalf("item not done after the review: %v", f.item.Pending())
	}
	s, _ := f.item.Sheet()
	if s.Items[0].Score.String() != "2" || s.NeedsReview {
		t.Fatalf("after review: 环境评估 %s, review %v", s.Items[0].Score, s.NeedsReview)
	}
}

// TestFlow_AckLast: the candidate's a is refused, with the reason on the
// screen, until both examiners have confirmed and no review is open; the
// sheet says beforehand why the key would be refused.
func TestFlow_AckLast(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.signIn(t)
	f.do(t, "enter", "y", "d", "r", "down", "down", "down", "enter")
	// Examiner 1 alone takes 6 points off the first item: a review.
	f.do(t, "1", "2", "3")
	f.playVector(t, "perfect")
	f.do(t, "f", "y")
	v := f.view(t, 120, 40)
	if !strings.Contains(v, "⏳ candidate a/x: the examiners disagree beyond tolerance on assess") {
		t.Fatalf("the sheet does not say why the candidate cannot sign yet:\n%s", v)
	}
	f.do(t, "a")
	if !strings.Contains(f.m.status, "the chief examiner resolves it and the examiners confirm before the candidate signs") || !f.m.bad {
		t.Fatalf("a with a review open: status %q", f.m.status)
	}
	f.do(t, "R", "4", "tab", "r", "e", "v", "i", "e", "w", "enter")
	v = f.view(t, 120, 40)
	if !strings.Contains(v, "⏳ candidate a/x: the candidate signs after every examiner has confirmed the sheet") {
		t.Fatalf("after the review, the sheet does not say the confirmations are missing:\n%s", v)
	}
	f.do(t, "f5", "a")
	if !strings.Contains(f.m.status, "(not confirmed yet: ") || f.item.Done() {
		t.Fatalf("a after one confirmation: status %q, done %v", f.m.status, f.item.Done())
	}
	s, _ := f.item.Sheet()
	if s.Acknowledged != nil {
		t.Fatal("the candidate's refused signature was recorded")
	}
	f.do(t, "f6", "a")
	if !f.item.Done() {
		t.Fatalf("not done after both confirmations and the signature: %v (status %q)", f.item.Pending(), f.m.status)
	}
}
