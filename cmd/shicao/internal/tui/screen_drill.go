package tui

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/charmbracelet/bubbles/key"
	"github.com/charmbracelet/bubbles/textinput"
	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
)

// The drill screen (issue 22 §3, `shicao station drill mark`): an
// examiner picks an installed calibration drill, signs in with their id
// and PIN, watches the recorded item replay into its live sheet, marks
// the rules no device measures (1–9 on the selected 评分项, as on the live
// screen), and submits; the screen then shows how far each of their
// deductions was from the panel's. It is a sub-model of its own: the
// root model routes every message to it while Deps.Drill is set.

func init() {
	for k, v := range map[string]text{
		"drill-title":     {"考评员校准演练", "examiner calibration drill"},
		"drill-none":      {"本站没有校准演练：由考务中心发布（shicao centre drill publish），同步后出现", "no calibration drill is installed: the centre publishes them (shicao centre drill publish); they arrive on sync"},
		"drill-pick":      {"选择演练，按 enter", "choose a drill, press enter"},
		"drill-id":        {"考评员证件号（输入后按 enter）", "examiner id (type it, press enter)"},
		"drill-pin":       {"密码（输入后按 enter）", "PIN (type it, press enter)"},
		"drill-replay":    {"回放", "replay"},
		"drill-events":    {"事件", "events"},
		"drill-sure":      {"提交本次演练的评分？提交后不能修改", "submit your marks on this drill? they cannot be changed afterwards"},
		"drill-saved":     {"已保存校准记录 %s：同步时上传考务中心（不是考试成绩）", "calibration record %s saved: sent to the centre on sync (it is not an exam result)"},
		"drill-compare":   {"您的扣分与专家组的比较", "your deductions against the panel's"},
		"drill-item":      {"评分项", "item"},
		"drill-panel":     {"专家组", "panel"},
		"drill-yours":     {"您", "you"},
		"drill-dev":       {"偏差", "deviation"},
		"drill-over":      {"超出容差", "over the tolerance"},
		"drill-ok":        {"在容差内", "within tolerance"},
		"drill-no-undo":   {"没有可撤销的扣分", "no mark to undo"},
		"k-drill-end":     {"回放到结束", "replay to the end"},
		"k-drill-submit":  {"提交", "submit"},
		"k-drill-another": {"再做一个演练", "another drill"},
	} {
		texts[k] = v
	}
}

type drillStage int

const (
	drillPick drillStage = iota
	drillID
	drillPIN
	drillMarking
	drillDone
)

// drillModel is the drill screen's state.
type drillModel struct {
	root                 *Model
	stage                drillStage
	drills               []store.Drill
	sel                  int
	input                textinput.Model
	id                   string
	run                  *station.DrillRun
	started              time.Time
	itemSel              int
	sheet                *scoring.Sheet
	asking               bool
	out                  *station.DrillOutcome
	end, submit, another key.Binding
}

type drillsLoadedMsg struct {
	drills []store.Drill
	err    error
}

type drillStartedMsg struct {
	run *station.DrillRun
	err error
}

type drillFinishedMsg struct {
	out *station.DrillOutcome
	err error
}

func newDrillModel(m *Model) *drillModel {
	d := &drillModel{root: m, input: textinput.New()}
	d.setLang()
	return d
}

func (d *drillModel) setLang() {
	lang := d.root.lang
	d.end = key.NewBinding(key.WithKeys("e"), key.WithHelp("e", tr(lang, "k-drill-end")))
	d.submit = key.NewBinding(key.WithKeys("f"), key.WithHelp("f", tr(lang, "k-drill-submit")))
	d.another = key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", tr(lang, "k-drill-another")))
}

func (d *drillModel) load() tea.Cmd {
	s := d.root.d.Station
	return func() tea.Msg {
		list, err := s.Drills(context.Background())
		return drillsLoadedMsg{list, err}
	}
}

// keys lists the bindings the drill screen handles now.
func (d *drillModel) keys() []key.Binding {
	k := d.root.keys
	switch {
	case d.asking:
		return []key.Binding{k.Yes, k.No}
	case d.stage == drillPick:
		return []key.Binding{k.Up, k.Down, k.Enter, k.Lang, k.Quit}
	case d.stage == drillID || d.stage == drillPIN:
		return []key.Binding{k.Enter, k.Back, k.Quit}
	case d.stage == drillMarking:
		return []key.Binding{k.Up, k.Down, k.Mark, k.Undo, d.end, d.submit, k.Lang, k.Quit}
	}
	return []key.Binding{d.another, k.Lang, k.Quit}
}

// update handles every message while the drill screen is up.
func (d *drillModel) update(msg tea.Msg) tea.Cmd {
	m := d.root
	switch msg := msg.(type) {
	case tickMsg:
		if d.run != nil && d.stage == drillMarking {
			d.run.ReplayTo(m.d.Now().Sub(d.started).Milliseconds())
			d.rescore()
		}
		return tick()
	case drillsLoadedMsg:
		d.drills = msg.drills
		m.setStatus(msg.err)
	case drillStartedMsg:
		if msg.err != nil {
			m.setStatus(msg.err)
			d.stage, d.id = drillID, ""
			d.input.Reset()
			d.input.EchoMode = textinput.EchoNormal
			return nil
		}
		d.run, d.started, d.itemSel, d.stage = msg.run, m.d.Now(), 0, drillMarking
		d.input.Blur()
		m.setStatus(nil)
		d.rescore()
	case drillFinishedMsg:
		if msg.err != nil {
			m.setStatus(msg.err)
			return nil
		}
		d.out, d.stage = msg.out, drillDone
		m.notice(fmt.Sprintf(m.t("drill-saved"), msg.out.ID))
	case tea.KeyMsg:
		return d.key(msg)
	}
	return nil
}

func (d *drillModel) rescore() {
	if s, err := d.run.Sheet(); err == nil {
		d.sheet = s
	} else {
		d.root.setStatus(err)
	}
}

func (d *drillModel) key(msg tea.KeyMsg) tea.Cmd {
	m, k := d.root, d.root.keys
	switch {
	case key.Matches(msg, k.Quit):
		return tea.Quit
	case d.asking && key.Matches(msg, k.Yes):
		d.asking = false
		run := d.run
		return func() tea.Msg {
			out, err := run.Finish(context.Background())
			return drillFinishedMsg{out, err}
		}
	case d.asking:
		d.asking = false
		m.notice(m.t("cancelled"))
		return nil
	case d.stage != drillID && d.stage != drillPIN && key.Matches(msg, k.Lang):
		m.setLang(map[string]string{"zh": "en", "en": "zh"}[m.lang])
		d.setLang()
		return nil
	}
	switch d.stage {
	case drillPick:
		return d.keyPick(msg)
	case drillID, drillPIN:
		return d.keyInput(msg)
	case drillMarking:
		return d.keyMarking(msg)
	}
	if key.Matches(msg, d.another) {
		d.stage, d.run, d.out, d.sheet, d.id = drillPick, nil, nil, nil, ""
		m.setStatus(nil)
		return d.load()
	}
	return nil
}

func (d *drillModel) keyPick(msg tea.KeyMsg) tea.Cmd {
	k := d.root.keys
	switch {
	case key.Matches(msg, k.Up):
		d.sel = max(d.sel-1, 0)
	case key.Matches(msg, k.Down):
		d.sel = max(min(d.sel+1, len(d.drills)-1), 0)
	case key.Matches(msg, k.Enter) && len(d.drills) > 0:
		d.stage = drillID
		d.input.Reset()
		d.input.EchoMode = textinput.EchoNormal
		d.input.CharLimit = 18
		d.input.Focus()
	}
	return nil
}

func (d *drillModel) keyInput(msg tea.KeyMsg) tea.Cmd {
	k := d.root.keys
	switch {
	case key.Matches(msg, k.Back):
		d.stage = drillPick
		d.input.Blur()
		return nil
	case key.Matches(msg, k.Enter) && d.stage == drillID:
		d.id, d.stage = strings.ToUpper(strings.TrimSpace(d.input.Value())), drillPIN
		d.input.Reset()
		d.input.EchoMode, d.input.EchoCharacter, d.input.CharLimit = textinput.EchoPassword, '•', 12
		return nil
	case key.Matches(msg, k.Enter):
		s, drill, id, pin := d.root.d.Station, d.drills[d.sel].ID, d.id, d.input.Value()
		d.input.Reset()
		return func() tea.Msg {
			run, err := s.StartDrill(context.Background(), drill, id, pin)
			return drillStartedMsg{run, err}
		}
	}
	var cmd tea.Cmd
	d.input, cmd = d.input.Update(msg)
	return cmd
}

func (d *drillModel) keyMarking(msg tea.KeyMsg) tea.Cmd {
	m, k, std := d.root, d.root.keys, d.run.Std
	s := msg.String()
	switch {
	case key.Matches(msg, k.Up):
		d.itemSel = max(d.itemSel-1, 0)
	case key.Matches(msg, k.Down):
		d.itemSel = min(d.itemSel+1, len(std.Items)-1)
	case len(s) == 1 && s[0] >= '1' && s[0] <= '9':
		it := std.Items[d.itemSel]
		n := int(s[0] - '1')
		if n >= len(it.Marks) {
			if len(it.Marks) == 0 {
				m.hint("hint-no-marks", it.Title)
			} else {
				m.hint("hint-mark-range", it.Title, len(it.Marks))
			}
			return nil
		}
		m.setStatus(d.run.Mark(it.ID, it.Marks[n].ID))
		d.rescore()
	case key.Matches(msg, k.Undo):
		if !d.run.Undo() {
			m.hint("drill-no-undo")
		}
		d.rescore()
	case key.Matches(msg, d.end):
		d.run.ReplayTo(d.run.EndMs())
		d.rescore()
	case key.Matches(msg, d.submit):
		d.asking = true
		m.setStatus(nil)
	}
	return nil
}
