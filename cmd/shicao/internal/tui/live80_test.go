package tui

import (
	"fmt"
	"strings"
	"testing"
)

// TestView_LiveAt80 (issue 16 items 1, 11): the live CPR screen fits 80x24
// in the demo (its PIN line shown too): the context line, the depth, and
// whichever item is selected with its numbered marks are on screen, the
// items cut off are counted, and every key is on the help bar.
func TestView_LiveAt80(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		f := newFixture(t, lang)
		f.m.d.DemoHint, f.m.d.DemoDir = "王建国 123456 · 李秀英 567890", "/tmp/shicao-demo"
		f.toCPR(t)
		f.playVector(t, "twelve-shallow")
		for i := range f.item.Std.Items {
			v := f.view(t, 80, 24)
			checkFits(t, v, 80, 24)
			keysReachable(t, f, v, "live 80x24")
			sit := f.item.Std.Items[i]
			wants := []string{"▶" + sit.Title, maskID(f.m.exam.Candidate().IDNumber), f.m.t("left") + " ", "mm"}
			for j, mk := range sit.Marks {
				if j < 9 {
					wants = append(wants, fmt.Sprintf("[%d] %s", j+1, mk.Text))
				}
			}
			for _, want := range wants {
				if !strings.Contains(v, want) {
					t.Fatalf("%s, item %d selected: %q is not on the 80x24 screen:\n%s", lang, i+1, want, v)
				}
			}
			if i == len(f.item.Std.Items)-1 && !strings.Contains(v, "↑ ") {
				t.Errorf("%s: the items cut off above are not counted:\n%s", lang, v)
			}
			f.do(t, "down")
		}
	}
}
