package tui

import (
	"strings"
	"testing"

	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// TestApplyEnv_NoColor: with NO_COLOR set, a styled status renders with no
// escape sequence, and keeps its word and symbol.
func TestApplyEnv_NoColor(t *testing.T) {
	lipgloss.SetColorProfile(termenv.TrueColor)
	defer lipgloss.SetColorProfile(termenv.Ascii)
	st := DefaultStyles()
	if s := st.Bad.Render("✗ 不合格"); !strings.Contains(s, "\x1b[") {
		t.Fatalf("the test needs colour to start with: %q", s)
	}
	ApplyEnv(func(k string) string {
		if k == "NO_COLOR" {
			return "1"
		}
		return ""
	})
	s := st.Bad.Render("✗ 不合格")
	if strings.Contains(s, "\x1b[") || s != "✗ 不合格" {
		t.Fatalf("with NO_COLOR: %q", s)
	}
}
