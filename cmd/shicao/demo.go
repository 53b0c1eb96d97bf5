package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/rig"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/tui"
	"shicao/hardware/sim"
	"shicao/standards"
)

// demoCmd is `make run`: a fresh station seeded with the demo day,
// simulated equipment for every sample standard on pseudo-terminals
// through go.bug.st/serial, the real centre in-process on loopback
// (demo_centre.go), and the TUI.
func demoCmd() *Command {
	c := &Command{UsageLine: "demo [--data DIR] [--lang zh|en] [--speed N] [--headless --script FILE] [--library]",
		Short: "the whole system on embedded defaults (the main job of `make run`)",
		Long:  "Examples:\n  make run\n  shicao demo --lang en\n  shicao demo --headless --script exam.txt\n"}
	var f demoFlags
	f.data = c.Flag.String("data", "", "the demo's directory: its station in DIR/station, its centre in DIR/centre (default: a fresh temporary one; an existing one is reopened, resuming an interrupted exam)")
	f.lang = c.Flag.String("lang", "zh", "language: zh or en")
	f.speed = c.Flag.Float64("speed", 1, "the simulators' clock multiplier")
	f.headless = c.Flag.Bool("headless", false, "run --script without the TUI")
	f.script = c.Flag.String("script", "", "with --headless: the exam script")
	listLibrary := c.Flag.Bool("library", false, "only list the sample library and run its vectors")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if *listLibrary {
			return showLibrary(e)
		}
		return runDemo(ctx, e, f)
	}
	return c
}

type demoFlags struct {
	data, lang, script *string
	speed              *float64
	headless           *bool
}

// demoDir returns the demo station's directory, made and seeded when
// new (fresh); an existing one is reopened, not re-created: a demo killed
// mid-exam (or a power cut) is resumed from its store, as a station is.
// The demo keeps its station in DATA/station and its centre in
// DATA/centre (a fresh temporary DATA by default); a DATA that is itself a
// station's directory is reopened as it is, its centre beside it. (The
// station used to be DATA itself, so `--data /tmp/x` put the centre in
// /tmp/centre, where another demo's centre refused this station's key.)
func demoDir(ctx context.Context, data string) (dir string, fresh bool, err error) {
	if data == "" {
		if data, err = os.MkdirTemp("", "shicao-demo-"); err != nil {
			return "", false, err
		}
	}
	if _, err := os.Stat(filepath.Join(data, station.KeyFile)); err == nil {
		return data, false, nil
	}
	dir = filepath.Join(data, "station")
	if _, err := os.Stat(filepath.Join(dir, station.KeyFile)); err == nil {
		return dir, false, nil
	}
	_, err = station.InitDir(ctx, dir, demo.Station, demo.Site)
	return dir, true, err
}

// openDemoStation opens the demo station with the slip printer pr,
// seeding the demo day when fresh; now is its exam clock.
func openDemoStation(ctx context.Context, dir string, fresh bool, speed float64, pr station.SlipPrinter, lang string) (*station.Station, func() time.Time, error) {
	// The station's clock runs at the simulators' speed, so that at
	// --speed 10 a compression every 55 ms of real time is one every
	// 545 ms of exam time, as the device's own clock says: scores stay
	// right while the demo runs faster.
	cfg := speedConfig(time.Now, speed)
	// The readiness gate checks the clock against the loopback centre,
	// as a station's against its centre: the first sync round measures
	// it before the first exam.
	cfg.ClockMaxAge = station.DefaultClockMaxAge
	cfg.Printer = pr
	s, err := openStationForExams(ctx, dir, cfg, lang)
	if err != nil {
		return nil, nil, err
	}
	if fresh {
		if err := demo.Seed(ctx, s); err != nil {
			s.Close()
			return nil, nil, err
		}
	}
	return s, cfg.ExamClock, nil
}

func runDemo(ctx context.Context, e *env, f demoFlags) error {
	if *f.headless && *f.script == "" {
		return usagef("demo --headless: give --script FILE")
	}
	dir, fresh, err := demoDir(ctx, *f.data)
	if err != nil {
		return err
	}
	log, closeLog, err := demoLog(dir)
	if err != nil {
		return err
	}
	defer closeLog()
	var program atomic.Pointer[tea.Program]
	send := func(m tea.Msg) {
		if p := program.Load(); p != nil {
			p.Send(m)
		}
	}
	// The slip printer, simulated: slips rendered to devices/printer/slips.txt.
	slipSim, pr, err := simPrinter(ctx, filepath.Join(dir, "devices", "printer"))
	if err != nil {
		return err
	}
	defer slipSim.Close()
	s, now, err := openDemoStation(ctx, dir, fresh, *f.speed, pr, *f.lang)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	kinds := standards.DefaultVocabulary().DeviceKinds()
	r, err := rig.Simulated(ctx, kinds, rig.Options{Dir: filepath.Join(dir, "devices"), Speed: *f.speed}, readings(ctx, log, s, send))
	if err != nil {
		return err
	}
	defer func() { cancel(); r.Wait() }()

	// The exam centre, in-process on loopback: the real centre, seeded with
	// the demo day and this station's key; the station syncs to it.
	dc, err := startDemoCentre(ctx, filepath.Join(filepath.Dir(dir), "centre"), s, now, log)
	if err != nil {
		return err
	}
	select { // the first round has measured the clock
	case <-dc.link.First():
	case <-ctx.Done():
		return ctx.Err()
	}
	fmt.Fprintf(e.stdout, "shicao demo: station %s at %s, data in %s; centre at %s\n", demo.Station, demo.SiteName, dir, dc.link.URL())
	fmt.Fprintf(e.stdout, "  candidates read their record at %s/candidate (身份证号 and the slip's code)\n", dc.link.URL())
	fmt.Fprintf(e.stdout, "  centre console %s  staff %s  password %s\n", dc.console, demoStaffName, demoStaffPassword)
	for _, x := range demo.Examiners[:2] {
		fmt.Fprintf(e.stdout, "  examiner %s %s  PIN %s\n", x.Name, x.ID, x.PIN)
	}
	if *f.headless {
		return demoHeadless(ctx, e, f, s, r, slipSim, dc.link)
	}
	tui.ApplyEnv(os.Getenv)
	cards := &cardReader{} // the simulated ID-card reader (F2 on the identity screen changes the card)
	defer cards.Close()
	m := tui.New(tui.Deps{Station: s, Equipment: r, Lang: *f.lang, Now: now, Sync: dc.link, Card: cards.Read, CardScenario: cards.Scenario, HandCard: cards.Hand,
		DemoHint: fmt.Sprintf("%s %s · %s %s", demo.Examiners[0].Name, demo.Examiners[0].PIN, demo.Examiners[1].Name, demo.Examiners[1].PIN), DemoDir: dir,
		DemoConsole: fmt.Sprintf("%s · %s / %s", dc.console, demoStaffName, demoStaffPassword)})
	// The console's live grid shows this station: what the TUI shows,
	// signed every few seconds (docs/api.md, POST /v1/status).
	board := &tui.StatusBoard{}
	if err := startStatus(ctx, s, dir, dc.link.URL(), nil, now, board, log); err != nil {
		return err
	}
	p := tea.NewProgram(tui.WithStatus(m, board), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
	program.Store(p)
	_, err = p.Run()
	if err == tea.ErrProgramKilled {
		err = nil
	}
	fmt.Fprintf(e.stdout, "data kept in %s\n", dir)
	return err
}

// demoLog is the demo's log, a file in its data directory (the TUI owns
// the terminal).
func demoLog(dir string) (*slog.Logger, func() error, error) {
	f, err := os.OpenFile(filepath.Join(dir, "shicao.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return nil, nil, err
	}
	return slog.New(slog.NewTextHandler(f, nil)), f.Close, nil
}

// demoHeadless runs --script at the demo station, then syncs its result
// and shows the receipt, as the TUI's outbox does.
func demoHeadless(ctx context.Context, e *env, f demoFlags, s *station.Station, r *rig.Rig, slipSim *sim.Printer, link *station.Link) error {
	file, err := os.Open(*f.script)
	if err != nil {
		return err
	}
	defer file.Close()
	sp := *f.speed
	cards := &cardReader{}
	defer cards.Close()
	runner := &station.ScriptRunner{Card: cards.Read, S: s, Out: e.stdout, Lang: *f.lang, Devices: r.Devices,
		// play and wait pass exam time; the clock runs at --speed.
		Advance: func(d time.Duration) {
			select {
			case <-time.After(time.Duration(float64(d) / sp)):
			case <-ctx.Done():
			}
		},
		Power: r.Power, Settle: r.Settle}
	runner.Scenario, runner.Unplug = withPrinter(slipSim, withCard(cards, r.Play), r.Unplug)
	if err := runner.Run(ctx, file, *f.script); err != nil {
		return scriptRefusal(err, *f.lang)
	}
	saved := runner.Result()
	if saved == nil {
		return nil
	}
	// Whole sync rounds are waited for, not an amount of time (a loaded
	// machine makes rounds slower, not fewer): the round running when the
	// result was saved may have missed it, the next one cannot.
	for i := 1; ; i++ {
		round := link.RoundDone()
		link.RetryNow()
		select {
		case <-round:
		case <-ctx.Done():
			return ctx.Err()
		}
		if _, idx, err := s.Store().Receipt(ctx, saved.ID); err == nil {
			fmt.Fprintf(e.stdout, "synced %s: receipt verified, log index %d\n", saved.ID, idx)
			// The slip's second line: the log index.
			out, err := s.PrintReceiptLine(ctx, saved.ID)
			if err != nil {
				return err
			}
			fmt.Fprintln(e.stdout, "receipt line: "+out.Line(saved.ID, *f.lang))
			return nil
		}
		if i == 3 {
			return fmt.Errorf("result %s was not synced in %d sync rounds: %s", saved.ID, i, link.LastError())
		}
	}
}

// speedConfig is the station's clocks when the simulators run at speed:
// the wall clock stays wall, the exam clock runs at the simulators' speed.
func speedConfig(wall func() time.Time, speed float64) station.Config {
	return station.Config{Now: wall, ExamClock: scaledClock(wall, speed)}
}

// scaledClock returns a clock that starts at wall's now and runs speed
// times faster. It is the exam clock only (station.Config.ExamClock):
// items' t_ms at the simulators' speed. The wall clock stays wall, so the
// screen's clock, the date, the log's wall times and a restart's outage
// are not thrown out of step by the speed (a scaled wall clock restarted
// behind the log it had written, and recorded a minute's outage as 0).
func scaledClock(wall func() time.Time, speed float64) func() time.Time {
	start := wall()
	if speed == 1 {
		return wall
	}
	return func() time.Time {
		return start.Add(time.Duration(float64(wall().Sub(start)) * speed))
	}
}
