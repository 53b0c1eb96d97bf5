package tui

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/x/exp/teatest"

	"shicao/cmd/shicao/internal/station"
)

// TestTeatest_CPRGood runs the real Bubble Tea program loop (teatest): the
// examiners sign in, the candidate is checked, the items drawn, the CPR
// item started; the equipment's readings arrive as the wiring sends them
// (recorded into the item, sent to the program); the item ends at 100 and
// passes, and the candidate signs.
func TestTeatest_CPRGood(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "zh")
	var mu sync.Mutex
	var active *station.Item
	f.onLive = func(it *station.Item) {
		mu.Lock()
		if it != nil {
			active = it
		}
		mu.Unlock()
	}
	tm := teatest.NewTestModel(t, tracing{f.m, t}, teatest.WithInitialTermSize(120, 40))
	out := tm.Output()
	var seen bytes.Buffer
	// Every wait is for something on the screen, until shortly before the
	// test's deadline: a loaded machine draws later, not wrongly.
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
	waitFor("已安装评分标准")
	key(tea.KeyEnter)
	waitFor("考评员登录")
	key(tea.KeyEnter)
	tm.Type("123456")
	key(tea.KeyEnter)
	waitFor("已登录")
	key(tea.KeyDown)
	key(tea.KeyEnter)
	tm.Type("567890")
	key(tea.KeyEnter)
	waitFor("搜索姓名或身份证号")
	key(tea.KeyEnter)
	waitFor("身份核验")
	tm.Type("y")
	waitFor("按 d 抽题")
	tm.Type("d")
	waitFor("K4 SD-DG-K42")
	tm.Type("r") // the manikin held at its gauge: the reference check
	waitFor("参照检查 cpr 通过")
	key(tea.KeyDown)
	key(tea.KeyDown)
	key(tea.KeyDown)
	key(tea.KeyEnter)
	waitFor("限时 5:00")
	mu.Lock()
	it := active
	mu.Unlock()
	if it == nil || it.Std.ID != "SD-DG-K42" {
		t.Fatalf("the CPR item did not start: %v", it)
	}
	// The equipment: the perfect run's readings, recorded and shown.
	for i := range it.Std.Tests {
		if it.Std.Tests[i].Name != "perfect" {
			continue
		}
		v := &it.Std.Tests[i]
		start := f.clock.Now()
		if err := it.Play(context.Background(), v, func(ms int64) { f.clock.Add(start.Add(time.Duration(ms) * time.Millisecond).Sub(f.clock.Now())) }); err != nil {
			t.Fatal(err)
		}
		for _, e := range it.Std.Expand(v) {
			if strings.HasPrefix(e.Type, "cpr.") {
				tm.Send(ReadingMsg{Kind: "cpr", Type: e.Type, Fields: fieldsOf(e.Data)})
			}
		}
	}
	if err := it.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	waitFor("循环 5")
	tm.Type("fy")
	waitFor("得分 100 ✓ 合格")
	// The candidate signs last, after the examiners' confirmations.
	tm.Send(tea.KeyMsg{Type: tea.KeyF5})
	tm.Send(tea.KeyMsg{Type: tea.KeyF6})
	waitFor("考生确认：a 签字确认")
	tm.Type("a")
	for deadline := time.Now().Add(budget()); !it.Done() && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm, ok := tm.FinalModel(t, teatest.WithFinalTimeout(budget())).(tracing)
	if !ok {
		t.Fatal("no final model")
	}
	final := fm.m
	if v := final.View(); !strings.Contains(v, "✓ 已完成 100") {
		t.Fatalf("the draw screen does not show the item done at 100:\n%s", v)
	}
	if !it.Done() {
		t.Fatalf("the item is not done: %v", it.Pending())
	}
}

// tracing logs the stack of a panic in the model before the program
// catches it, so a failure says where.
type tracing struct {
	m *Model
	t *testing.T
}

func (w tracing) Init() tea.Cmd { return w.m.Init() }

func (w tracing) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer w.trace()
	_, cmd := w.m.Update(msg)
	return w, cmd
}

func (w tracing) View() string {
	defer w.trace()
	return w.m.View()
}

func (w tracing) trace() {
	if r := recover(); r != nil {
		w.t.Errorf("panic: %v\n%s", r, debug.Stack())
		panic(r)
	}
}

// TestTeatest_KeysInOrder: keys typed faster than the station answers
// (F5 F6 a on the sheet, back to back) reach it in the order typed, so the
// candidate's signature is not refused for confirmations still on their
// way (issue 16: found in the tmux walk).
func TestTeatest_KeysInOrder(t *testing.T) {
	t.Parallel()
	f := newFixture(t, "en")
	tm := teatest.NewTestModel(t, tracing{f.m, t}, teatest.WithInitialTermSize(80, 24))
	out := tm.Output()
	var seen bytes.Buffer
	waitFor := func(s string) {
		t.Helper()
		teatest.WaitFor(t, out, func(b []byte) bool {
			seen.Write(b)
			return strings.Contains(seen.String(), s)
		}, teatest.WithDuration(20*time.Second), teatest.WithCheckInterval(20*time.Millisecond))
		seen.Reset()
	}
	key := func(k tea.KeyType) { tm.Send(tea.KeyMsg{Type: k}) }
	waitFor("installed standards")
	key(tea.KeyEnter)
	key(tea.KeyEnter)
	tm.Type("123456")
	key(tea.KeyEnter)
	waitFor("signed in")
	key(tea.KeyEnter)
	tm.Type("567890")
	key(tea.KeyEnter)
	waitFor("search name or id number")
	key(tea.KeyEnter)
	waitFor("identity check")
	tm.Type("y")
	waitFor("press d to draw")
	tm.Type("d")
	waitFor("K4 SD-DG-K42")
	tm.Type("r")
	waitFor("reference check of cpr passed")
	key(tea.KeyEnter)
	waitFor("f end item")
	for round := 0; round < 3; round++ {
		tm.Type("fy")
		waitFor("score sheet")
		key(tea.KeyF5)
		key(tea.KeyF6)
		tm.Type("a")
		waitFor("✓ done")
		if round < 2 {
			key(tea.KeyEnter)
			waitFor("f end item")
		}
	}
	if err := tm.Quit(); err != nil {
		t.Fatal(err)
	}
	fm := tm.FinalModel(t, teatest.WithFinalTimeout(5*time.Second)).(tracing)
	if fm.m.screen != scrDraw || strings.Contains(fm.m.status, "signs after") {
		t.Fatalf("keys typed quickly were answered out of order: screen %d, status %q", fm.m.screen, fm.m.status)
	}
	for _, d := range fm.m.exam.Drawn()[:3] {
		if it := fm.m.exam.Item(d.Subject); it == nil || !it.Done() {
			t.Fatalf("%s is not done after f y F5 F6 a", d.Subject)
		}
	}
}
