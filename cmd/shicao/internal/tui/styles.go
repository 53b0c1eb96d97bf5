package tui

import (
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"
)

// Styles is every style the screens use, in one place.
type Styles struct {
	Title, Header, Label, Value, Dim, Good, Bad, Warn, Selected, Help, Box, Banner lipgloss.Style
}

// DefaultStyles returns the station's styles. Every status also carries a
// word or a symbol, so nothing depends on colour (NO_COLOR works).
func DefaultStyles() Styles {
	return Styles{
		Title:    lipgloss.NewStyle().Bold(true).Foreground(lipgloss.Color("15")).Background(lipgloss.Color("24")).Padding(0, 1),
		Header:   lipgloss.NewStyle().Bold(true).Underline(true),
		Label:    lipgloss.NewStyle().Foreground(lipgloss.Color("244")),
		Value:    lipgloss.NewStyle().Bold(true),
		Dim:      lipgloss.NewStyle().Foreground(lipgloss.Color("242")),
		Good:     lipgloss.NewStyle().Foreground(lipgloss.Color("34")).Bold(true),
		Bad:      lipgloss.NewStyle().Foreground(lipgloss.Color("196")).Bold(true),
		Warn:     lipgloss.NewStyle().Foreground(lipgloss.Color("214")).Bold(true),
		Selected: lipgloss.NewStyle().Reverse(true),
		Help:     lipgloss.NewStyle().Foreground(lipgloss.Color("245")),
		Box:      lipgloss.NewStyle().Border(lipgloss.NormalBorder()).Padding(0, 1),
		Banner:   lipgloss.NewStyle().Bold(true).Reverse(true).Padding(0, 1),
	}
}

// ApplyEnv honours NO_COLOR (https://no-color.org): with it set, nothing
// is coloured or styled — every status still carries its word or symbol.
func ApplyEnv(getenv func(string) string) {
	if getenv("NO_COLOR") != "" {
		lipgloss.SetColorProfile(termenv.Ascii)
	}
}
