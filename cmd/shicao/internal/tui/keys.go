package tui

import "github.com/charmbracelet/bubbles/key"

// KeyMap is every binding, shown per screen by the help bar.
type KeyMap struct {
	Quit, Back, Enter, Up, Down, Tab, Search, Confirm, Draw, Resume, Sync, Retry,
	Finish, Undo, Veto, Timer, Phase, Scenario, Unplug, Accept, Refuse, Examiner1, Examiner2,
	Resolve, FinishExam, Lang, Power, Print key.Binding
}

// DefaultKeyMap returns the station's key bindings.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	return KeyMap{
		Quit:       b([]string{"ctrl+c"}, "ctrl+c", "退出/quit"),
		Back:       b([]string{"esc"}, "esc", "返回/back"),
		Enter:      b([]string{"enter"}, "enter", "选择/select"),
		Up:         b([]string{"up", "k"}, "↑", "上/up"),
		Down:       b([]string{"down", "j"}, "↓", "下/down"),
		Tab:        b([]string{"tab"}, "tab", "切换考评员/examiner"),
		Search:     b([]string{"/"}, "/", "搜索/search"),
		Confirm:    b([]string{"y"}, "y", "确认/confirm"),
		Draw:       b([]string{"d"}, "d", "抽题/draw"),
		Resume:     b([]string{"r"}, "r", "恢复/resume"),
		Sync:       b([]string{"s"}, "s", "上传队列/outbox"),
		Retry:      b([]string{"r"}, "r", "重试/retry"),
		Finish:     b([]string{"f"}, "f", "结束本题/finish"),
		Undo:       b([]string{"u"}, "u", "撤销/undo"),
		Veto:       b([]string{"v"}, "v", "否决/veto"),
		Timer:      b([]string{"t"}, "t", "计时/timer"),
		Phase:      b([]string{"p"}, "p", "阶段/phase"),
		Scenario:   b([]string{"f2"}, "F2", "演示场景/scenario"),
		Unplug:     b([]string{"f3"}, "F3", "拔插设备/unplug"),
		Accept:     b([]string{"a"}, "a", "考生签字/sign"),
		Refuse:     b([]string{"x"}, "x", "拒绝签字/refuse"),
		Examiner1:  b([]string{"f5"}, "F5", "考评员1确认/confirm 1"),
		Examiner2:  b([]string{"f6"}, "F6", "考评员2确认/confirm 2"),
		Resolve:    b([]string{"R"}, "R", "主考裁定/resolve"),
		FinishExam: b([]string{"f10"}, "F10", "交卷/finish exam"),
		Lang:       b([]string{"f12"}, "F12", "中/EN"),
		Power:      b([]string{"P"}, "P", "通电授权/power"),
		Print:      b([]string{"p"}, "p", "补打成绩单/print slip"),
	}
}
