package tui

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	tea "github.com/charmbracelet/bubbletea"
	"github.com/charmbracelet/lipgloss"
	"github.com/muesli/termenv"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/paralleltest"
	"shicao/cmd/shicao/internal/station"
)

// updating reports -update, the flag teatest's golden package defines (a
// second definition would panic): it rewrites the golden views too.
func updating() bool {
	f := flag.Lookup("update")
	return f != nil && f.Value.String() == "true"
}

// template is a station seeded once with the demo day; each test copies
// it (seeding installs and self-tests every library standard: seconds).
var template string

func TestMain(m *testing.M) {
	lipgloss.SetColorProfile(termenv.Ascii)
	// The fixtures spend their time waiting on the station's workers, not
	// on the CPU (4% of the package's wall time was on a core): run eight
	// at once unless -parallel was given, which took the package from
	// 190 s to about 50 s on two cores.
	paralleltest.Default(8)
	dir, err := os.MkdirTemp("", "tui-template-")
	if err != nil {
		panic(err)
	}
	template = filepath.Join(dir, "station")
	ctx := context.Background()
	if _, err := station.InitDir(ctx, template, demo.Station, demo.Site); err != nil {
		panic(err)
	}
	c := &fakeClock{t: examDay}
	s, err := station.OpenDir(ctx, template, c.Now)
	if err != nil {
		panic(err)
	}
	if err := demo.Seed(ctx, s); err != nil {
		panic(err)
	}
	s.Close()
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func copyDir(t testing.TB, from, to string) {
	t.Helper()
	if err := os.MkdirAll(to, 0o700); err != nil {
		t.Fatal(err)
	}
	entries, err := os.ReadDir(from)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		b, err := os.ReadFile(filepath.Join(from, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(to, e.Name()), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
}

// fakeClock is the station's and the screens' clock in tests.
type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *fakeClock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *fakeClock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

// fakeEquipment reports the demo site's equipment as connected.
type fakeEquipment struct {
	mu      sync.Mutex
	lost    map[string]bool
	portErr map[string]error  // a port that cannot be used (not found...)
	serial  map[string]string // a device answering with another serial
	played  []string
	st      *station.Station // the station a manikin held at its gauge reads to
}

func (f *fakeEquipment) Devices() []station.Device {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []station.Device
	for _, e := range demo.Equipment {
		pe := f.portErr[e.Kind]
		serial := e.Serial
		if s := f.serial[e.Kind]; s != "" {
			serial = s
		}
		out = append(out, station.Device{Kind: e.Kind, Port: "/dev/serial/by-id/usb-" + e.Kind, Model: e.Model, Serial: serial, Firmware: "1.0",
			Connected: !f.lost[e.Kind] && pe == nil, PortErr: pe})
	}
	return out
}
func (f *fakeEquipment) Scenarios(kind string) []string { return []string{"good", "shallow", "gauge"} }
func (f *fakeEquipment) Play(kind, scenario string) error {
	f.mu.Lock()
	f.played = append(f.played, kind+":"+scenario)
	st := f.st
	f.mu.Unlock()
	if scenario == "gauge" && st != nil {
		// Held at the 50 mm gauge, the manikin reports the held press
		// again and again (sim's gauge scenario), until a reference
		// check armed after this call has taken one.
		go func() {
			for end := time.Now().Add(time.Minute); time.Now().Before(end); time.Sleep(time.Millisecond) {
				if done, _ := st.Offer(kind, "cpr.compression", map[string]any{"depth_mm": 50}); done {
					return
				}
			}
		}()
	}
	return nil
}
func (f *fakeEquipment) Power(kind string, on bool) error { return nil }

func (f *fakeEquipment) Unplug(kind string) error {
	f.mu.Lock()
	if f.lost == nil {
		f.lost = map[string]bool{}
	}
	f.lost[kind] = !f.lost[kind]
	f.mu.Unlock()
	return nil
}

type fixture struct {
	m     *Model
	s     *station.Station
	clock *fakeClock
	eq    *fakeEquipment
	dir   string

	mu     sync.Mutex
	item   *station.Item       // the last item the station made live
	onLive func(*station.Item) // told of every Live call, nil included
}

var examDay = time.Date(2026, 11, 28, 9, 30, 0, 0, time.Local)

func newFixture(t testing.TB, lang string) *fixture {
	t.Helper()
	return newFixtureConfig(t, lang, station.Config{})
}

// newFixtureConfig is newFixture with more of the station's Config (its
// clocks and equipment wiring are the fixture's).
func newFixtureConfig(t testing.TB, lang string, cfg station.Config) *fixture {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "station")
	copyDir(t, template, dir)
	return openFixtureConfig(t, lang, dir, &fakeClock{t: examDay}, nil, cfg)
}

// openFixture opens the station in dir with the wall clock c and, if not
// nil, an exam clock, and a model over it.
func openFixture(t testing.TB, lang, dir string, c *fakeClock, examClock func() time.Time) *fixture {
	t.Helper()
	return openFixtureConfig(t, lang, dir, c, examClock, station.Config{})
}

func openFixtureConfig(t testing.TB, lang, dir string, c *fakeClock, examClock func() time.Time, cfg station.Config) *fixture {
	t.Helper()
	ctx := context.Background()
	f := &fixture{clock: c, eq: &fakeEquipment{}, dir: dir}
	now := c.Now
	if examClock != nil {
		now = examClock
	}
	cfg.Now, cfg.ExamClock = c.Now, examClock
	cfg.Live = func(it *station.Item) {
		f.mu.Lock()
		defer f.mu.Unlock()
		if it != nil {
			f.item = it
		}
		if f.onLive != nil {
			f.onLive(it)
		}
	}
	s, err := station.OpenDirConfig(ctx, dir, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	f.s = s
	f.eq.st = s
	f.m = New(Deps{Station: s, Equipment: f.eq, Now: now, Lang: lang, Seed: "cpr-demo-3"})
	f.m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	return f
}

// do sends a key and runs the command it returns (the workflow call),
// feeding its message back, as the Bubble Tea runtime would.
func (f *fixture) do(t testing.TB, keys ...string) {
	t.Helper()
	for _, k := range keys {
		var msg tea.KeyMsg
		switch k {
		case "enter":
			msg = tea.KeyMsg{Type: tea.KeyEnter}
		case "esc":
			msg = tea.KeyMsg{Type: tea.KeyEsc}
		case "down":
			msg = tea.KeyMsg{Type: tea.KeyDown}
		case "up":
			msg = tea.KeyMsg{Type: tea.KeyUp}
		case "tab":
			msg = tea.KeyMsg{Type: tea.KeyTab}
		case "f2", "f3", "f5", "f6", "f10", "f12":
			msg = tea.KeyMsg{Type: map[string]tea.KeyType{"f2": tea.KeyF2, "f3": tea.KeyF3, "f5": tea.KeyF5, "f6": tea.KeyF6, "f10": tea.KeyF10, "f12": tea.KeyF12}[k]}
		default:
			msg = tea.KeyMsg{Type: tea.KeyRunes, Runes: []rune(k)}
		}
		f.run(t, msg)
	}
}

func (f *fixture) run(t testing.TB, msg tea.Msg) {
	t.Helper()
	_, cmd := f.m.Update(msg)
	f.exec(t, cmd)
}

func (f *fixture) exec(t testing.TB, cmd tea.Cmd) {
	if cmd == nil {
		return
	}
	msg := cmd()
	switch msg := msg.(type) {
	case tea.BatchMsg:
		for _, c := range msg {
			f.exec(t, c)
		}
	case tickMsg:
		// the clock's next tick: not part of this step
	case nil:
	default:
		_, next := f.m.Update(msg)
		f.exec(t, next)
	}
}

// refresh runs one tick (the live sheet's refresh).
func (f *fixture) refresh(t testing.TB) {
	t.Helper()
	_, cmd := f.m.Update(tickMsg(f.clock.Now()))
	f.exec(t, cmd)
}

func (f *fixture) view(t testing.TB, w, h int) string {
	t.Helper()
	f.m.Update(tea.WindowSizeMsg{Width: w, Height: h})
	return f.m.View()
}

// resultID matches the random result ids (attempt ids), which golden
// views replace with a placeholder.
var resultID = regexp.MustCompile(`\b[0-9a-f]{16}\b`)

func golden(t *testing.T, name, got string) {
	t.Helper()
	got = resultID.ReplaceAllString(got, "################")
	path := filepath.Join("testdata", name+".golden")
	if updating() {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -run %s -update)", err, t.Name())
	}
	if !bytes.Equal(want, []byte(got)) {
		t.Errorf("%s differs:\n--- want\n%s\n--- got\n%s", path, want, got)
	}
}

// checkFits: no line wider than the window, no more lines than it has.
func checkFits(t *testing.T, view string, w, h int) {
	t.Helper()
	lines := strings.Split(view, "\n")
	if len(lines) > h {
		t.Errorf("%d lines in a %d-line window", len(lines), h)
	}
	for i, l := range lines {
		if lipgloss.Width(l) > w {
			t.Errorf("line %d is %d wide in a %d-wide window: %q", i+1, lipgloss.Width(l), w, l)
		}
	}
}

func (f *fixture) signIn(t testing.TB) {
	f.do(t, "enter", "enter", "1", "2", "3", "4", "5", "6", "enter", "down", "enter", "5", "6", "7", "8", "9", "0", "enter")
}

// playVector feeds a CPR vector into the running item as the equipment
// wiring would: readings recorded into the item and sent to the screen.
func (f *fixture) playVector(t testing.TB, name string) {
	t.Helper()
	it := f.item
	for i := range it.Std.Tests {
		if it.Std.Tests[i].Name != name {
			continue
		}
		start := f.clock.Now()
		err := it.Play(context.Background(), &it.Std.Tests[i], func(ms int64) {
			f.clock.t = start.Add(time.Duration(ms) * time.Millisecond)
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range it.Std.Expand(&it.Std.Tests[i]) {
			if strings.HasPrefix(e.Type, "cpr.") {
				f.run(t, ReadingMsg{Kind: "cpr", Type: e.Type, Fields: fieldsOf(e.Data)})
			}
		}
		if err := it.Flush(context.Background()); err != nil {
			t.Fatal(err)
		}
		f.refresh(t)
		return
	}
	t.Fatalf("no vector %s", name)
}
