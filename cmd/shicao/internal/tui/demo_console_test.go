package tui

import (
	"strings"
	"testing"
)

// The demo prints its console's address before the TUI takes the
// terminal, where a newcomer cannot see it: the start screen shows it.
func TestView_DemoConsoleOnStart(t *testing.T) {
	for _, tt := range []struct{ lang, want string }{
		{"zh", "考务中心控制台 https://127.0.0.1:8080 · demo / pw"},
		{"en", "centre console https://127.0.0.1:8080 · demo / pw"},
	} {
		t.Run(tt.lang, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, tt.lang)
			if v := f.view(t, 80, 24); strings.Contains(v, "127.0.0.1:8080") {
				t.Fatalf("a station that is not the demo shows a console:\n%s", v)
			}
			f.m.d.DemoConsole = "https://127.0.0.1:8080 · demo / pw"
			if v := f.view(t, 80, 24); !strings.Contains(v, tt.want) {
				t.Fatalf("the start screen does not show the demo's console %q:\n%s", tt.want, v)
			}
		})
	}
}
