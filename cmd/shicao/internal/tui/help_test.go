package tui

import (
	"fmt"
	"strings"
	"testing"
)

// TestHelp_EveryKeyAt60And80 (issue 16): on every screen and in every
// mode, in both languages, the short help bar at 80 columns and at 60
// shows each key the screen handles (descriptions go first, never keys),
// and ? shows each one with its words.
func TestHelp_EveryKeyAt60And80(t *testing.T) {
	t.Parallel()
	for _, lang := range []string{"zh", "en"} {
		t.Run(lang, func(t *testing.T) {
			t.Parallel()
			f := newFixture(t, lang)
			f.walk(t, func(where string, help bool) {
				for _, sz := range [][2]int{{80, 24}, {60, 24}} {
					v := f.view(t, sz[0], sz[1])
					checkFits(t, v, sz[0], sz[1])
					keysReachable(t, f, v, fmt.Sprintf("%s %s %dx%d", lang, where, sz[0], sz[1]))
					if !help {
						continue
					}
					bs := f.m.keysFor()
					f.do(t, "?")
					full := f.view(t, sz[0], sz[1])
					for _, b := range bs {
						if !strings.Contains(full, b.Help().Key) || !strings.Contains(full, b.Help().Desc) {
							t.Errorf("%s %s %dx%d: ? lacks %q %q:\n%s", lang, where, sz[0], sz[1], b.Help().Key, b.Help().Desc, full)
						}
					}
					f.do(t, "?")
				}
			})
		})
	}
}
