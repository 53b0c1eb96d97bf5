package tui

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// installDrill signs a drill of SD-DG-K42's "perfect" run with the demo
// centre's key (the panel took 2 off 环境评估 and 1 off 呼救) and installs
// it at the fixture's station. It returns the drill's number of events.
func installDrill(t *testing.T, f *fixture, id string) int {
	t.Helper()
	ctx := context.Background()
	std, err := f.s.StandardVersion(ctx, "SD-DG-K42", 1)
	if err != nil {
		t.Fatal(err)
	}
	d := examsync.Drill{Kind: examsync.KindDrill, ID: id, Title: "心肺复苏校准", Standard: examsync.StandardRef{ID: std.ID, Version: std.Version, SHA256: std.SHA256()},
		Panel: []examsync.PanelMark{{Item: "assess", Deduct: standards.PointsOf(2)}, {Item: "call", Deduct: standards.PointsOf(1)}}}
	for i := range std.Tests {
		if std.Tests[i].Name == "perfect" {
			for _, ev := range examsync.PanelLog(std.Expand(&std.Tests[i])) {
				line, err := json.Marshal(ev)
				if err != nil {
					t.Fatal(err)
				}
				d.Events = append(d.Events, line)
			}
		}
	}
	signer, _ := demo.CentreKeys()
	signed, err := examsync.Sign(d, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := f.s.InstallDrill(ctx, signed); err != nil {
		t.Fatal(err)
	}
	return len(d.Events)
}

// TestTeatest_Drill: an examiner opens a calibration drill, signs in,
// replays the recorded CPR item to its end, marks 环境评估 -2 as the panel
// did and leaves 呼救 unmarked, submits; the screen compares each
// deduction with the panel's, and the station holds one signed
// calibration record for the centre (never a result in the outbox).
func TestTeatest_Drill(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	n := installDrill(t, f, "DR-K42-T")
	m := New(Deps{Station: f.s, Equipment: f.eq, Now: f.clock.Now, Lang: "zh", Drill: true})
	tm := teatest.NewTestModel(t, tracing{m, t}, teatest.WithInitialTermSize(120, 40))
	out := tm.Output()
	var seen bytes.Buffer
	budget := func() time.Duration {
		if d, ok := t.Deadline(); ok {
			return time.Until(d) * 19 / 20
		}
		return time.Hour
	}
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, out, func(b []byte) bool {
			seen.Write(b)
			return strings.Contains(seen.String(), s)
		}, teatest.WithDuration(budget()), teatest.WithCheckInterval(20*time.Millisecond))
		seen.Reset()
	}
	key := func(k tea.KeyType) { tm.Send(tea.KeyMsg{Type: k}) }
	x := demo.Examiners[0]
	waitFor("DR-K42-T")
	key(tea.KeyEnter)
	waitFor("考评员证件号（输入后按 enter）")
	tm.Type(x.ID)
	key(tea.KeyEnter)
	waitFor("密码（输入后按 enter）")
	tm.Type(x.PIN)
	key(tea.KeyEnter)
	// The header line changes with every event replayed: it is drawn
	// again however far the ticks had replayed before e.
	waitFor("考评员 " + x.Name + "  回放 ")
	tm.Type("e")
	waitFor(fmt.Sprintf("回放 %d/%d", n, n))
	tm.Type("2") // 未轻拍双肩 -2 on 环境评估, the item selected first
	waitFor("您 -2")
	tm.Type("f")
	waitFor("提交本次演练的评分？")
	tm.Type("y")
	waitFor("已保存校准记录")
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(budget())).(tracing)
	if !ok {
		t.Fatal("no final model")
	}
	view := fm.m.View()
	rows := map[string]string{}
	for _, line := range strings.Split(view, "\n") {
		if f := strings.Fields(line); len(f) == 6 {
			rows[f[0]] = strings.Join(f[1:], " ")
		}
	}
	// item: panel, the examiner's, deviation, and a word beside it.
	for item, want := range map[string]string{"环境评估、判断意识": "-2 -2 0 ✓ 在容差内", "呼救、体位、松衣": "-1 0 -1 ✓ 在容差内"} {
		if rows[item] != want {
			t.Errorf("comparison row %s = %q, want %q:\n%s", item, rows[item], want, view)
		}
	}
	recs, err := f.s.Calibrations(context.Background())
	if err != nil || len(recs) != 1 || recs[0].Examiner != x.ID || recs[0].Drill != "DR-K42-T" {
		t.Fatalf("calibration records %+v, %v; want one by %s on DR-K42-T", recs, err, x.ID)
	}
	if !examsync.IsCalibration(recs[0].Signed) {
		t.Errorf("the record is not a signed calibration record:\n%s", recs[0].Signed)
	}
	if res, err := f.s.Store().Results(context.Background()); err != nil || len(res) != 0 {
		t.Errorf("%d results after a drill (%v), want none", len(res), err)
	}
}
