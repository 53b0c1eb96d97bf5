package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"sync"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/rig"
	"shicao/cmd/shicao/internal/station"
	"shicao/hardware/sim"
	"shicao/standards"
)

// stationRunFlags are station run's flags.
type stationRunFlags struct {
	data                                   *stationData
	script, cardPath, lang, printerPort    *string
	virtual, simulated, trace, sims, simPr *bool
	training                               *bool
	speed                                  *float64
}

func stationRunCmd() *Command {
	c := &Command{UsageLine: "station run --script FILE [--sims] [--virtual-clock] [--simulated-devices] [--trace]",
		Short: "run an exam from a script (no TUI)",
		Long: "Examples:\n  shicao station run --data /tmp/demo --script exam.txt --virtual-clock --simulated-devices\n\nScript steps, one per line:\n" +
			station.ScriptHelp()}
	f := stationRunFlags{data: addStationData(&c.Flag)}
	f.script = c.Flag.String("script", "", "the exam script ('-' for stdin)")
	f.virtual = c.Flag.Bool("virtual-clock", false, "time passes only by the script's wait and play (rehearsals, tests)")
	f.simulated = c.Flag.Bool("simulated-devices", false, "report this site's registered equipment as connected simulators (events come from play)")
	f.training = c.Flag.Bool("training", false, "training mode: the result is a training result, never an exam result (refused on an exam day at an accepted site)")
	f.trace = c.Flag.Bool("trace", false, "print 'ack SESSION SEQ' for every event once it is durable")
	f.cardPath = c.Flag.String("idcard", "", "the ID-card reader's serial port (default: a simulated reader, started by the first card step)")
	f.sims = c.Flag.Bool("sims", false, "run simulators for every kind of equipment behind the real drivers (rehearsals, tests)")
	f.speed = c.Flag.Float64("speed", 1, "with --sims: the simulators' and the exam clock's speed")
	f.lang = c.Flag.String("lang", "zh", "language of refusals: zh or en")
	f.simPr = c.Flag.Bool("sim-printer", false, "print slips on a simulated ESC/POS printer at DATA/devices/printer/tty, which renders them to slips.txt there (--sims has one)")
	f.printerPort = c.Flag.String("printer", "", "print slips on the ESC/POS printer at this serial port")
	c.Run = func(ctx context.Context, e *env, args []string) error { return stationRun(ctx, e, f) }
	return c
}

func stationRun(ctx context.Context, e *env, f stationRunFlags) error {
	switch {
	case *f.script == "":
		return usagef("station run: give --script FILE")
	case *f.sims && *f.virtual:
		return usagef("station run: --sims runs in (scaled) real time; drop --virtual-clock")
	case *f.printerPort != "" && (*f.sims || *f.simPr):
		return usagef("station run: --printer is a real printer; drop --sim-printer and --sims")
	}
	var in io.Reader = e.stdin
	if *f.script != "-" {
		file, err := os.Open(*f.script)
		if err != nil {
			return err
		}
		defer file.Close()
		in = file
	}
	cfg := station.Config{Training: *f.training}
	var clock *virtualClock
	if *f.virtual {
		clock = &virtualClock{t: virtualStart(time.Now())}
		cfg.Now = clock.Now
	}
	if *f.sims {
		cfg = speedConfig(time.Now, *f.speed)
	}
	slipSim, err := runPrinter(ctx, f, &cfg)
	if err != nil {
		return err
	}
	if slipSim != nil {
		defer slipSim.Close()
	}
	if *f.trace {
		var mu sync.Mutex
		cfg.OnAppend = func(session, seq int64) {
			mu.Lock()
			fmt.Fprintf(e.stdout, "ack %d %d\n", session, seq)
			mu.Unlock()
		}
	}
	s, err := openStationForExams(ctx, f.data.dir, cfg, *f.lang)
	if err != nil {
		return err
	}
	defer s.Close()
	r := &station.ScriptRunner{S: s, Out: e.stdout, Lang: *f.lang}
	cards := &cardReader{path: *f.cardPath}
	defer cards.Close()
	r.Card, r.Scenario = cards.Read, withCard(cards, nil)
	if clock != nil {
		r.Advance = clock.Advance
	}
	if *f.simulated {
		r.Devices = func() []station.Device { return registeredAsSimulated(ctx, s) }
	}
	if *f.sims {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		rg, err := runSims(ctx, e, f, s, r, cards)
		if err != nil {
			return err
		}
		defer func() { cancel(); rg.Wait() }()
	}
	if slipSim != nil {
		r.Scenario, r.Unplug = withPrinter(slipSim, r.Scenario, r.Unplug)
	}
	if err := r.Run(ctx, in, *f.script); err != nil {
		return scriptRefusal(err, *f.lang)
	}
	return saveResult(e, f.data.dir, r.Result())
}

// runPrinter sets cfg's slip printer from the flags: a real one, a
// simulated one (returned, to be closed) or none.
func runPrinter(ctx context.Context, f stationRunFlags, cfg *station.Config) (*sim.Printer, error) {
	switch {
	case *f.printerPort != "":
		pr, err := openPrinter("", *f.printerPort)
		cfg.Printer = pr
		return nil, err
	case *f.sims || *f.simPr:
		sp, pr, err := simPrinter(ctx, filepath.Join(f.data.dir, "devices", "printer"))
		cfg.Printer = pr
		return sp, err
	}
	return nil, nil
}

// runSims starts simulators for every kind of equipment behind the real
// drivers and gives the script runner their devices and scenarios.
func runSims(ctx context.Context, e *env, f stationRunFlags, s *station.Station, r *station.ScriptRunner, cards *cardReader) (*rig.Rig, error) {
	log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	rg, err := rig.Simulated(ctx, standards.DefaultVocabulary().DeviceKinds(), rig.Options{Dir: filepath.Join(f.data.dir, "devices"), Speed: *f.speed},
		readings(ctx, log, s, func(tea.Msg) {}))
	if err != nil {
		return nil, err
	}
	r.Devices, r.Scenario, r.Unplug, r.Power = rg.Devices, withCard(cards, rg.Play), rg.Unplug, rg.Power
	r.Settle = rg.Settle
	sp := *f.speed
	r.Advance = func(d time.Duration) {
		select {
		case <-time.After(time.Duration(float64(d) / sp)):
		case <-ctx.Done():
		}
	}
	return rg, nil
}

// saveResult writes the script's signed result bundle to DATA/results.
func saveResult(e *env, dir string, saved *station.Saved) error {
	if saved == nil {
		return nil
	}
	path := filepath.Join(dir, "results", saved.ID+".json")
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	if err := os.WriteFile(path, saved.Bundle, 0o600); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "saved %s\n", path)
	return nil
}

// registeredAsSimulated reports the site's registered equipment as
// connected, with firmware "simulated" so that the result says so.
func registeredAsSimulated(ctx context.Context, s *station.Station) []station.Device {
	eq, err := s.Store().AllEquipment(ctx)
	if err != nil {
		return nil
	}
	var out []station.Device
	for _, q := range eq {
		if q.Site == s.Site() {
			out = append(out, station.Device{Kind: q.Kind, Port: "simulated", Model: q.Model, Serial: q.Serial, Firmware: "simulated", Connected: true})
		}
	}
	return out
}

// virtualClock is a clock that moves only when told: rehearsals and tests
// run a 60-minute paper in seconds.
type virtualClock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *virtualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *virtualClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// virtualStart is where a virtual clock starts: four hours before now,
// or at the start of today if that is later. An exam's virtual time runs
// ahead of real time; starting in the past keeps what it signs on its
// exam date and not in the future when a centre receives it (a centre
// refuses a result signed later than its own clock allows).
func virtualStart(now time.Time) time.Time {
	y, m, d := now.Date()
	start, midnight := now.Add(-4*time.Hour), time.Date(y, m, d, 0, 0, 1, 0, now.Location())
	if start.Before(midnight) {
		return midnight
	}
	return start
}

// scriptRefusal shows a failing script line in the examiners' language.
func scriptRefusal(err error, lang string) error {
	var se *station.ScriptError
	if errors.As(err, &se) {
		return reworded{se.Text(lang), err}
	}
	return err
}
