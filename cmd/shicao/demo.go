package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/rig"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/tui"
	"shicao/hardware"
	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
	examsync "shicao/sync"
)

// runDemo is `make run`: a fresh station seeded with the demo day,
// simulated equipment for every sample standard on pseudo-terminals
// through go.bug.st/serial, and the TUI.
func runDemo(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "demo", "demo [--data DIR] [--lang zh|en] [--speed N] [--headless --script FILE] [--library]",
		"  make run\n  shicao demo --lang en\n  shicao demo --headless --script exam.txt\n")
	data := fs.String("data", "", "the demo station's data directory (default: a fresh temporary one; an existing one is reopened, resuming an interrupted exam)")
	lang := fs.String("lang", "zh", "language: zh or en")
	speed := fs.Float64("speed", 1, "the simulators' clock multiplier")
	headless := fs.Bool("headless", false, "run --script without the TUI")
	script := fs.String("script", "", "with --headless: the exam script")
	listLibrary := fs.Bool("library", false, "only list the sample library and run its vectors")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *listLibrary {
		return showLibrary(e)
	}
	dir := *data
	if dir == "" {
		d, err := os.MkdirTemp("", "shicao-demo-")
		if err != nil {
			return err
		}
		dir = filepath.Join(d, "station")
	}
	// An existing demo directory is reopened, not re-created: a demo killed
	// mid-exam (or a power cut) is resumed from its store, as a station is.
	_, statErr := os.Stat(filepath.Join(dir, station.KeyFile))
	fresh := statErr != nil
	if fresh {
		if _, err := station.InitDir(ctx, dir, demo.Station, demo.Site); err != nil {
			return err
		}
	}
	logFile, err := os.OpenFile(filepath.Join(dir, "shicao.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return err
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, nil))

	var active atomic.Pointer[station.Item]
	var program atomic.Pointer[tea.Program]
	send := func(m tea.Msg) {
		if p := program.Load(); p != nil {
			p.Send(m)
		}
	}
	// The station's clock runs at the simulators' speed, so that at
	// --speed 10 a compression every 55 ms of real time is one every
	// 545 ms of exam time, as the device's own clock says: scores stay
	// right while the demo runs faster.
	cfg := speedConfig(time.Now, *speed)
	// The readiness gate checks the clock against the loopback centre,
	// as a station's against its centre: the first sync round measures
	// it before the first exam (below).
	cfg.ClockMaxAge = station.DefaultClockMaxAge
	cfg.Live = func(it *station.Item) { active.Store(it) }
	now := cfg.ExamClock
	// The slip printer, simulated: slips rendered to devices/printer/slips.txt.
	slipSim, pr, err := simPrinter(ctx, filepath.Join(dir, "devices", "printer"))
	if err != nil {
		return err
	}
	defer slipSim.Close()
	cfg.Printer = pr
	s, err := openStationForExams(ctx, dir, cfg, *lang)
	if err != nil {
		return err
	}
	defer s.Close()
	if fresh {
		if err := demo.Seed(ctx, s); err != nil {
			return err
		}
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	kinds := standards.DefaultVocabulary().DeviceKinds()
	r, err := rig.Simulated(ctx, kinds, rig.Options{Dir: filepath.Join(dir, "devices"), Speed: *speed}, func(kind string, rd hardware.Reading) {
		routeReading(ctx, log, s, active.Load(), kind, rd, send)
	})
	if err != nil {
		return err
	}
	defer func() { cancel(); r.Wait() }()

	// The exam centre, in-process on loopback: the real centre, seeded with
	// the demo day and this station's key; the station syncs to it.
	link, err := startDemoCentre(ctx, filepath.Join(filepath.Dir(dir), "centre"), dir, s, now, log)
	if err != nil {
		return err
	}
	select { // the first round has measured the clock
	case <-link.first:
	case <-ctx.Done():
		return ctx.Err()
	}
	fmt.Fprintf(e.stdout, "shicao demo: station %s at %s, data in %s; centre at %s\n", demo.Station, demo.SiteName, dir, link.url)
	fmt.Fprintf(e.stdout, "  centre console %s  staff %s  password %s\n", link.console, demoStaffName, demoStaffPassword)
	for _, x := range demo.Examiners[:2] {
		fmt.Fprintf(e.stdout, "  examiner %s %s  PIN %s\n", x.Name, x.ID, x.PIN)
	}
	if *headless {
		if *script == "" {
			return usagef("demo --headless: give --script FILE")
		}
		f, err := os.Open(*script)
		if err != nil {
			return err
		}
		defer f.Close()
		sp := *speed
		cards := &cardReader{}
		defer cards.Close()
		runner := &station.ScriptRunner{Card: cards.Read, S: s, Out: e.stdout, Lang: *lang, Devices: r.Devices,
			// play and wait pass exam time; the clock runs at --speed.
			Advance: func(d time.Duration) {
				select {
				case <-time.After(time.Duration(float64(d) / sp)):
				case <-ctx.Done():
				}
			},
			Power: r.Power, Settle: r.Settle}
		runner.Scenario, runner.Unplug = withPrinter(slipSim, withCard(cards, r.Play), r.Unplug)
		if err := runner.Run(ctx, f, *script); err != nil {
			return err
		}
		if saved := runner.Result(); saved != nil {
			// Sync the result and show its receipt, as the TUI's outbox does.
			// Whole sync rounds are waited for, not an amount of time (a
			// loaded machine makes rounds slower, not fewer): the round
			// running when the result was saved may have missed it, the
			// next one cannot.
			for i := 1; ; i++ {
				round := link.roundDone()
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
					fmt.Fprintln(e.stdout, "receipt line: "+out.Line(saved.ID, *lang))
					return nil
				}
				if i == 3 {
					return fmt.Errorf("result %s was not synced in %d sync rounds: %s", saved.ID, i, link.lastError())
				}
			}
		}
		return nil
	}
	tui.ApplyEnv(os.Getenv)
	m := tui.New(tui.Deps{Station: s, Equipment: r, Lang: *lang, Now: now, Sync: link,
		DemoHint: fmt.Sprintf("%s %s · %s %s", demo.Examiners[0].Name, demo.Examiners[0].PIN, demo.Examiners[1].Name, demo.Examiners[1].PIN), DemoDir: dir})
	p := tea.NewProgram(m, tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
	program.Store(p)
	_, err = p.Run()
	if err == tea.ErrProgramKilled {
		err = nil
	}
	fmt.Fprintf(e.stdout, "data kept in %s\n", dir)
	return err
}

// routeReading is the one place a hardware reading becomes a station
// event: recorded into the active item when the item uses that kind of
// device, and shown on the screen.
func routeReading(ctx context.Context, log *slog.Logger, s *station.Station, it *station.Item, kind string, rd hardware.Reading, send func(tea.Msg)) {
	uses := it != nil && slices.Contains(it.Std.Devices, kind)
	if it == nil && s != nil && rd.Fields != nil {
		// No item runs: the reading may complete an armed reference
		// check of the readiness gate.
		if done, err := s.Offer(kind, rd.Type, rd.Fields); done {
			log.Info("reference check", "kind", kind, "type", rd.Type, "err", err)
		}
	}
	switch rd.Type {
	case hardware.TypeLost, hardware.TypeBack, hardware.TypeConnected:
		state := map[string]string{hardware.TypeLost: "lost", hardware.TypeBack: "back", hardware.TypeConnected: "connected"}[rd.Type]
		if uses && rd.Type == hardware.TypeLost {
			if err := it.DeviceLost(ctx, kind); err != nil {
				log.Error("record device lost", "kind", kind, "err", err)
			}
		}
		if uses && rd.Type == hardware.TypeBack {
			if err := it.DeviceBack(ctx, kind); err != nil {
				log.Error("record device back", "kind", kind, "err", err)
			}
		}
		send(tui.DeviceStateMsg{Kind: kind, State: state})
		return
	case hardware.TypeStatus:
		return
	}
	if uses {
		record := func() error { return it.Record(ctx, kind, rd.Type, rd.Fields) }
		if rd.DeviceClock {
			record = func() error { return it.RecordAt(ctx, kind, rd.Type, rd.Fields, rd.At) }
		}
		if err := record(); err != nil {
			log.Error("record reading", "kind", kind, "type", rd.Type, "err", err)
		}
	}
	send(tui.ReadingMsg{Kind: kind, Type: rd.Type, Fields: rd.Fields})
}

// showLibrary lists the sample library and runs every vector.
func showLibrary(e *env) error {
	fmt.Fprintln(e.stdout, "shicao 实操 — sample scoring standards (standards/library)")
	fmt.Fprintln(e.stdout)
	t := &table{right: map[int]bool{3: true}}
	t.add("id", "title", "category", "ver", "effective", "vectors")
	bad := 0
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			return err
		}
		c, err := standards.ParseAny(name, b)
		if err != nil {
			return err
		}
		var results []scoring.VectorResult
		title, cat, eff := "", "", ""
		if c.Standard != nil {
			results = scoring.RunVectors(c.Standard)
			title, cat, eff = c.Standard.Title, c.Standard.Category, c.Standard.Effective.String()
		} else {
			results = scoring.RunPaperVectors(c.Blueprint)
			title, cat, eff = c.Blueprint.Title, c.Blueprint.Category, c.Blueprint.Effective.String()
		}
		ok := 0
		for _, r := range results {
			if r.OK() {
				ok++
			}
		}
		if ok != len(results) {
			bad++
		}
		t.add(c.ID, title, cat, fmt.Sprint(c.Version), eff, fmt.Sprintf("%d/%d ok", ok, len(results)))
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%d library file(s) fail their own vectors", bad)
	}
	return nil
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

// syncLink is the station's link to its centre: a background sync loop
// and its status for the TUI.
type syncLink struct {
	url     string
	console string // the centre console's URL
	poke    chan struct{}
	first   chan struct{} // closed when the first round is over

	mu     sync.Mutex
	online bool
	last   time.Time
	err    string
	rounds chan struct{} // closed and replaced at the end of every round
}

func (l *syncLink) Online() bool        { l.mu.Lock(); defer l.mu.Unlock(); return l.online }
func (l *syncLink) LastSync() time.Time { l.mu.Lock(); defer l.mu.Unlock(); return l.last }
func (l *syncLink) lastError() string   { l.mu.Lock(); defer l.mu.Unlock(); return l.err }

// roundDone returns a channel closed at the end of the next sync round (or
// of the round in progress).
func (l *syncLink) roundDone() <-chan struct{} { l.mu.Lock(); defer l.mu.Unlock(); return l.rounds }

// RetryNow asks for a sync round at once.
func (l *syncLink) RetryNow() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}

// startDemoCentre runs the demo's centre beside its station, on the
// station's clock: at --speed 10 the station signs results ahead of real
// time, and a centre on real time would refuse them as signed in the
// future.
func startDemoCentre(ctx context.Context, cdir, sdir string, s *station.Station, now func() time.Time, log *slog.Logger) (*syncLink, error) {
	signer, _ := demo.CentreKeys()
	_, statErr := os.Stat(filepath.Join(cdir, centre.KeyFile))
	fresh := statErr != nil
	if fresh {
		if _, err := centre.Init(ctx, cdir, "shicao-demo-centre", signer); err != nil {
			return nil, err
		}
	}
	c, err := centre.Open(ctx, cdir, centre.Options{Now: now})
	if err != nil {
		return nil, refuseDamaged(err, cdir)
	}
	if err := c.CheckStart(ctx); err != nil {
		c.Close()
		return nil, refuseDamaged(err, cdir)
	}
	if fresh {
		vkey, err := s.Verifier(ctx)
		if err != nil {
			c.Close()
			return nil, err
		}
		if err := c.SeedDemo(ctx, s.Today().String(), vkey); err != nil {
			c.Close()
			return nil, err
		}
	}
	// A demo directory from before the console gets the account too.
	if err := c.AddStaff(ctx, demoStaffName, centre.RoleAdmin, demoStaffPassword); err != nil && !errors.Is(err, centre.ErrStaffExists) {
		c.Close()
		return nil, err
	}
	// The centre's console, on loopback: port 8080 when free, else any.
	consoleURL, _, stopConsole, err := startConsole(c, "127.0.0.1:8080", "", "", log)
	if err != nil {
		consoleURL, _, stopConsole, err = startConsole(c, "127.0.0.1:0", "", "", log)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		stopConsole()
		c.Close()
		return nil, err
	}
	srv := &http.Server{Handler: c.Server(log).Handler(), ReadHeaderTimeout: 10 * time.Second}
	go srv.Serve(ln)
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
		stopConsole()
		c.Close()
	}()
	_, centreVerifier := demo.CentreKeys()
	link, err := startSync(ctx, s, sdir, "http://"+ln.Addr().String(), centreVerifier, nil, now, log, 5*time.Second)
	if link != nil {
		link.console = consoleURL
	}
	return link, err
}

// The demo centre's console account, printed at start: the demo runs on
// loopback only, with a fresh data directory.
const (
	demoStaffName     = "demo"
	demoStaffPassword = "shicao-demo-2026"
)

// startSync runs the station's sync loop with the centre at url: a round
// every `every` and whenever RetryNow asks, uploading the outbox (eagerly:
// a person is watching); its status is what the TUI shows. Requests are
// signed at now's time (nil: the real time).
func startSync(ctx context.Context, s *station.Station, sdir, url, centreKey string, hc *http.Client, now func() time.Time, log *slog.Logger, every time.Duration) (*syncLink, error) {
	l := &syncLink{url: url, poke: make(chan struct{}, 1), rounds: make(chan struct{}), first: make(chan struct{})}
	key, err := os.ReadFile(filepath.Join(sdir, station.KeyFile))
	if err != nil {
		return nil, err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	client, err := examsync.NewClient(url, s.Name(), string(key), hc)
	if err != nil {
		return nil, err
	}
	if now != nil {
		client.Now = now
	}
	up := &examsync.Uploader{Outbox: s.Store().SyncOutbox(), Client: client, CentreKey: centreKey, Eager: true, Logger: log}
	go func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for round := 0; ; round++ {
			began := time.Now()
			_, err := up.Round(ctx)
			// The clock offset from the centre, for the readiness gate:
			// the round's answers measured it; a round that sent nothing
			// asks for the checkpoint (any answer carries the time).
			if _, at, ok := client.ClockOffset(); !ok || at.Before(client.Now().Add(-time.Since(began))) {
				_, _ = client.Checkpoint(ctx)
			}
			if off, at, ok := client.ClockOffset(); ok {
				if cerr := s.RecordClockOffset(ctx, off, at); cerr != nil {
					log.Warn("record clock offset", "err", cerr)
				}
			}
			if round == 0 {
				close(l.first)
			}
			l.mu.Lock()
			l.online = err == nil
			if err == nil {
				l.last, l.err = time.Now(), ""
			} else {
				l.err = err.Error()
				log.Warn("sync round", "err", err)
			}
			close(l.rounds)
			l.rounds = make(chan struct{})
			l.mu.Unlock()
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			case <-l.poke:
			}
		}
	}()
	return l, nil
}
