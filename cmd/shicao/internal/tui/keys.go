package tui

import (
	"github.com/charmbracelet/bubbles/key"
	tea "github.com/charmbracelet/bubbletea"
)

// KeyMap is every binding. Each screen lists the bindings it handles
// (keysFor): the same list drives its dispatch and its help bar, so a key
// that works is a key that is shown, and a key that is shown works.
type KeyMap struct {
	Quit, Back, Enter, Up, Down, Tab, Search, Confirm, Draw, Resume, Sync, Retry,
	Finish, Undo, Veto, Timer, Phase, Scenario, Unplug, Accept, Refuse, Examiner1, Examiner2,
	Resolve, FinishExam, Lang, Power, Mark, Help, Yes, No, Print, PrevPlan, NextPlan,
	ReadCard, Manual, Void, Reference key.Binding
}

// NewKeyMap returns the station's key bindings with their help in lang
// ("zh" or "en"): the help bar speaks one language, the UI's.
func NewKeyMap(lang string) KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, tr(lang, desc)))
	}
	return KeyMap{
		Quit:       b([]string{"ctrl+c"}, "ctrl+c", "k-quit"),
		Back:       b([]string{"esc"}, "esc", "k-back"),
		Enter:      b([]string{"enter"}, "enter", "k-select"),
		Up:         b([]string{"up", "k"}, "↑", "k-up"),
		Down:       b([]string{"down", "j"}, "↓", "k-down"),
		Tab:        b([]string{"tab"}, "tab", "k-examiner"),
		Search:     b([]string{"/"}, "/", "k-search"),
		Confirm:    b([]string{"y"}, "y", "k-confirm"),
		Draw:       b([]string{"d"}, "d", "k-draw"),
		Resume:     b([]string{"r"}, "r", "k-resume"),
		Sync:       b([]string{"s"}, "s", "k-outbox"),
		Retry:      b([]string{"r"}, "r", "k-retry"),
		Finish:     b([]string{"f"}, "f", "k-finish"),
		Undo:       b([]string{"u"}, "u", "k-undo"),
		Veto:       b([]string{"v"}, "v", "k-veto"),
		Timer:      b([]string{"t"}, "t", "k-timer"),
		Phase:      b([]string{"p"}, "p", "k-phase"),
		Scenario:   b([]string{"f2"}, "F2", "k-scenario"),
		Unplug:     b([]string{"f3"}, "F3", "k-unplug"),
		Accept:     b([]string{"a"}, "a", "k-sign"),
		Refuse:     b([]string{"x"}, "x", "k-refuse"),
		Examiner1:  b([]string{"f5"}, "F5", "k-confirm1"),
		Examiner2:  b([]string{"f6"}, "F6", "k-confirm2"),
		Resolve:    b([]string{"R"}, "R", "k-resolve"),
		FinishExam: b([]string{"f10"}, "F10", "k-finish-exam"),
		Lang:       b([]string{"f12"}, "F12", "k-lang"),
		Power:      b([]string{"P"}, "P", "k-power"),
		Mark:       b([]string{"1", "2", "3", "4", "5", "6", "7", "8", "9"}, "1-9", "k-mark"),
		Help:       b([]string{"?"}, "?", "k-help"),
		Yes:        b([]string{"y"}, "y", "k-yes"),
		No:         b([]string{"n", "esc"}, "n", "k-no"),
		Print:      b([]string{"p"}, "p", "k-print"),
		PrevPlan:   b([]string{"up", "k"}, "↑", "k-prev-plan"),
		NextPlan:   b([]string{"down", "j"}, "↓", "k-next-plan"),
		ReadCard:   b([]string{"c"}, "c", "k-read-card"),
		Manual:     b([]string{"m"}, "m", "k-manual"),
		Void:       b([]string{"V"}, "V", "k-void"),
		Reference:  b([]string{"r"}, "r", "k-reference"),
	}
}

// binding is a key, its help and what it does on the page that lists it
// (lazygit's {Key, Handler, Description}): a page's one list of bindings
// is matched to dispatch a key and drawn as its help bar.
type binding struct {
	key.Binding
	do func(tea.KeyMsg) tea.Cmd
}

// on is a binding whose act does not need the key pressed.
func on(b key.Binding, f func() tea.Cmd) binding {
	return binding{b, func(tea.KeyMsg) tea.Cmd { return f() }}
}
