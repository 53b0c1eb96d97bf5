package tui

import (
	"strings"
	"testing"

	tea "github.com/charmbracelet/bubbletea"
)

// TestKeys_Hints (issue 16 item 8): a key the screen lists that cannot act
// now says why in one line instead of doing nothing.
func TestKeys_Hints(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	f.toCPR(t)
	hint := func(keys []string, want string) {
		t.Helper()
		f.m.setStatus(nil)
		f.do(t, keys...)
		if !f.m.bad || !strings.Contains(f.m.status, want) {
			t.Errorf("%v: status %q, want a hint with %q", keys, f.m.status, want)
		}
		if v := f.view(t, 80, 24); !strings.Contains(v, want) {
			t.Errorf("%v: the hint %q is not on the screen:\n%s", keys, want, v)
		}
	}
	hint([]string{"u"}, "没有可撤销的扣分")
	hint([]string{"9"}, "「环境评估、判断意识」只有 3 个扣分项")
	hint([]string{"v", "9"}, "否决项只有")
	f.do(t, "esc", "f", "y")
	hint([]string{"R"}, "没有需要主考裁定的评分项")
	f.do(t, "f5", "f6", "a")
	if f.m.screen != scrDraw {
		t.Fatalf("not back on the draw screen: %d (%q)", f.m.screen, f.m.status)
	}
	f.m.pages.draw.sel = 3 // the CPR item, done
	hint([]string{"enter"}, "已完成，不能再考")
}

// TestKeys_RunesReadTogether: keys typed faster than the terminal is read
// reach the model as one message of several runes (Bubble Tea v1); each
// acts as typed (f then y ends the item, as in the tmux walk), and while
// a PIN is typed they go into it whole.
func TestKeys_RunesReadTogether(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	f.do(t, "enter", "enter")
	f.run(t, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("123456")})
	f.do(t, "enter")
	if len(f.m.exam.Examiners()) != 1 {
		t.Fatalf("the PIN typed as one message did not sign in: %q", f.m.status)
	}
	f.do(t, "down", "enter", "5", "6", "7", "8", "9", "0", "enter", "enter", "y", "d", "r", "down", "down", "down", "enter")
	if f.m.screen != scrLive {
		t.Fatalf("the CPR item did not start: %q", f.m.status)
	}
	f.run(t, tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune("fy")})
	if f.m.screen != scrSheet {
		t.Errorf("f y read together: screen %d, status %q, want the sheet", f.m.screen, f.m.status)
	}
}
