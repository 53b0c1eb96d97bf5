package tui

import (
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/station"
)

// TestView_ReadinessGate (issue 17 §8, issue 16 item 5): a readiness check
// that fails before the first item (here the clock's offset from the
// centre, never measured) is ✗ with its reason on the draw screen before
// enter is pressed, and enter is refused with that reason.
func TestView_ReadinessGate(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ lang, want string }{
		{"zh", "✗ 开考检查未通过: 本站时钟与考务中心的偏差未知（尚未同步）"},
		{"en", "✗ readiness check failed: the station's clock offset from the centre is unknown"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			f := newFixtureConfig(t, tt.lang, station.Config{ClockMaxAge: 24 * time.Hour})
			f.signIn(t)
			f.do(t, "enter", "y", "d", "r") // the manikin's reference check passes; the clock's does not
			v := f.view(t, 120, 40)
			if !strings.Contains(v, tt.want) {
				t.Fatalf("the draw screen does not show the failed check:\n%s", v)
			}
			f.do(t, "down", "down", "down", "enter")
			if f.m.screen != scrDraw || f.item != nil {
				t.Fatalf("the item started past a failed readiness check: screen %d", f.m.screen)
			}
			if v := f.view(t, 120, 40); !strings.Contains(v, strings.SplitN(tt.want, ": ", 2)[1]) || !strings.Contains(f.m.status, strings.SplitN(tt.want, ": ", 2)[1]) {
				t.Fatalf("enter is not refused with the check's reason (status %q):\n%s", f.m.status, v)
			}
		})
	}
}
