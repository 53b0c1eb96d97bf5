package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/rig"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/store"
	"shicao/cmd/shicao/internal/tui"
	"shicao/hardware"
	"shicao/hardware/sim"
	"shicao/standards"
)

const stationUsage = `shicao station [--config FILE]                  the exam station's TUI (docs/station.example.toml)
shicao station init|config|trust|centre|standards|vocabulary|plan|registry|run|interrupted|results|export|slip|sync|backup

  init --name NAME --site SITE [--demo]     create the data directory, keys (station.key 0600, station.pub)
  config init [--device KIND=PORT]... [-o FILE]
                                            a station.toml for this data directory and the centre synced with
  trust add [--threshold N] KEY.pub...      pin the province's verifier keys
  centre set KEY.pub                        pin the exam centre's verifier key
  standards install FILE... | list          install signed standards and blueprints
  vocabulary install FILE | show            install a signed vocabulary document (new device kinds, event types)
  plan import FILE                          import an exam plan signed by the centre
  registry import FILE                      import the examiner and equipment registry
  run --script FILE                         run an exam from a script (no TUI)
  interrupted                               items left running by a crash
  results list                              the signed results and their sync state
  results requeue RESULT... | --parked      send results the centre refused again, once the cause is fixed
  export RESULT -o OUT.json [--events SUBJECT=OUT.jsonl]
  slip RESULT | --queued [--printer PORT]   show a result's score slip; print it (or every queued one)
  reconcile [--date D] [--printer PORT] [--upload]
                                            the day's signed account: every candidate sat/absent/voided/interrupted,
                                            every result queued/receipted/refused; printed, and checked by the centre
  sync [--centre URL]                       one round with the centre: upload the outbox, pull updates
  backup -o FILE                            a consistent copy of the database, safe mid-exam

Every station command takes --data DIR (default: the user's data directory).
`

func defaultDataDir() string {
	if d := os.Getenv("SHICAO_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "shicao", "station")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "shicao-data"
	}
	return filepath.Join(home, ".local", "share", "shicao", "station")
}

func runStation(ctx context.Context, e *env, args []string) error {
	// `shicao station [--config F]` is the exam station's TUI.
	if len(args) == 0 || (strings.HasPrefix(args[0], "-") && args[0] != "-h" && args[0] != "--help") {
		return stationTUI(ctx, e, args)
	}
	return sub(e, "station", args, map[string]func([]string) error{
		"init":        func(a []string) error { return stationInit(ctx, e, a) },
		"config":      func(a []string) error { return stationConfig(ctx, e, a) },
		"trust":       func(a []string) error { return stationTrust(ctx, e, a) },
		"centre":      func(a []string) error { return stationCentre(ctx, e, a) },
		"standards":   func(a []string) error { return stationStandards(ctx, e, a) },
		"vocabulary":  func(a []string) error { return stationVocabulary(ctx, e, a) },
		"plan":        func(a []string) error { return stationImport(ctx, e, "plan", a) },
		"registry":    func(a []string) error { return stationImport(ctx, e, "registry", a) },
		"run":         func(a []string) error { return stationRun(ctx, e, a) },
		"interrupted": func(a []string) error { return stationInterrupted(ctx, e, a) },
		"results":     func(a []string) error { return stationResults(ctx, e, a) },
		"export":      func(a []string) error { return stationExport(ctx, e, a) },
		"slip":        func(a []string) error { return stationSlip(ctx, e, a) },
		"reconcile":   func(a []string) error { return stationReconcile(ctx, e, a) },
		"sync":        func(a []string) error { return stationSync(ctx, e, a) },
		"backup":      func(a []string) error { return stationBackup(ctx, e, a) },
	}, stationUsage)
}

func openStation(ctx context.Context, dir string, cfg station.Config) (*station.Station, error) {
	return station.OpenDirConfig(ctx, dir, cfg)
}

// openStationForExams opens the station where exams run (the TUI,
// station run, the demo): its database must pass station.CheckStart, or
// nothing runs, with the refusal in the examiners' language.
func openStationForExams(ctx context.Context, dir string, cfg station.Config, lang string) (*station.Station, error) {
	s, err := openStation(ctx, dir, cfg)
	if err == nil {
		if err = s.CheckStart(ctx); err != nil {
			s.Close()
		}
	}
	if err == nil {
		return s, nil
	}
	var ref *station.Refusal
	if errors.As(station.Damaged(err), &ref) {
		return nil, reworded{ref.Text(lang), ref}
	}
	return nil, err
}

func stationInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station init", "station init --data DIR --name NAME --site SITE [--demo]",
		"  shicao station init --data /var/lib/shicao --name STN-01 --site TA-KD-01\n  shicao station init --data /tmp/demo --demo   # the demo station, seeded with the demo day\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	name := fs.String("name", "", "the station's name, as the centre registers it")
	site := fs.String("site", "", "the accepted exam site the station stands at")
	seed := fs.Bool("demo", false, "seed the demo day (demo keys, library, registry, today's plan)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *seed {
		if *name == "" {
			*name = demo.Station
		}
		if *site == "" {
			*site = demo.Site
		}
	}
	if *name == "" || *site == "" {
		return usagef("station init: give --name and --site")
	}
	vkey, err := station.InitDir(ctx, *data, *name, *site)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "station %s at site %s in %s\nverifier key (register it with the centre): %s\n", *name, *site, *data, vkey)
	if !*seed {
		return nil
	}
	s, err := station.OpenDir(ctx, *data, nil)
	if err != nil {
		return err
	}
	defer s.Close()
	if err := demo.Seed(ctx, s); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded the demo day: plan %s for %s\n", demo.PlanID, s.Today())
	for _, x := range demo.Examiners {
		fmt.Fprintf(e.stdout, "  examiner %s %s PIN %s\n", x.ID, x.Name, x.PIN)
	}
	return nil
}

func stationTrust(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "add" {
		return usagef("station trust: use 'station trust add KEY.pub...'")
	}
	fs := newFlags(e, "station trust add", "station trust add [--data DIR] [--threshold N] KEY.pub...", "  shicao station trust add --threshold 2 province-a.pub province-b.pub\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	threshold := fs.Int("threshold", 0, "how many distinct trusted keys must sign a standard (default: keep, 1 at first)")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		key := strings.TrimSpace(string(b))
		if _, err := standards.NewTrust(1, key); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		name, _, _ := strings.Cut(key, "+")
		if err := s.Store().AddTrustRoot(ctx, name, key); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "trusted %s\n", name)
	}
	if *threshold > 0 {
		if err := s.Store().SetMeta(ctx, "trust_threshold", strconv.Itoa(*threshold)); err != nil {
			return err
		}
	}
	_, err = s.Trust(ctx)
	return err
}

func stationCentre(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || args[0] != "set" {
		return usagef("station centre: use 'station centre set KEY.pub'")
	}
	fs := newFlags(e, "station centre set", "station centre set [--data DIR] KEY.pub", "  shicao station centre set --data /var/lib/shicao/station centre.pub\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("station centre set: give the centre's KEY.pub")
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	key := strings.TrimSpace(string(b))
	if err := s.SetCentre(ctx, key); err != nil {
		return err
	}
	name := key
	if p := strings.SplitN(key, "+", 3); len(p) == 3 {
		name = p[0] + "+" + p[1]
	}
	fmt.Fprintf(e.stdout, "pinned the exam centre's key %s: plans, the registry and receipts must be signed by it\n", name)
	return nil
}

func stationStandards(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "install" && args[0] != "list") {
		return usagef("station standards: use 'install FILE...' or 'list'")
	}
	fs := newFlags(e, "station standards "+args[0], "station standards install FILE... | list", "  shicao station standards install sd-dg-k42.signed\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	if args[0] == "list" {
		list, err := s.Store().Standards(ctx)
		if err != nil {
			return err
		}
		// Every installed version, with what it is today: the one in
		// force is drawn and scores; a scheduled one waits for its date.
		spans := map[string][]standards.Span{}
		for _, x := range list {
			sp, err := x.Span()
			if err != nil {
				return err
			}
			spans[x.ID] = append(spans[x.ID], sp)
		}
		today := s.Today()
		t := &table{right: map[int]bool{2: true}}
		t.add("id", "kind", "ver", "effective", "expires", "state", "title", "sha256")
		for _, x := range list {
			sp, _ := x.Span()
			state, _ := standards.StateOn(spans[x.ID], sp, today)
			expires := x.Expires
			if expires == "" {
				expires = "-"
			}
			t.add(x.ID, x.Kind, strconv.Itoa(x.Version), x.Effective, expires, state.String(), x.Title, x.SHA256[:16])
		}
		return t.write(e.stdout)
	}
	failed := 0
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		c, err := s.Install(ctx, f, b)
		if errors.Is(err, standards.ErrInstalled) {
			fmt.Fprintf(e.stdout, "already installed %s version %d (%s)\n", c.ID, c.Version, c.SHA256[:16])
			continue
		}
		if err != nil {
			fmt.Fprintf(e.stderr, "refused %s: %v\n", f, err)
			failed++
			continue
		}
		fmt.Fprintf(e.stdout, "installed %s version %d (%s) signed by %s\n", c.ID, c.Version, c.SHA256[:16], strings.Join(c.Signers, ", "))
	}
	if failed > 0 {
		return silentError{fmt.Errorf("%d refused", failed)}
	}
	return nil
}

func stationVocabulary(ctx context.Context, e *env, args []string) error {
	if len(args) == 0 || (args[0] != "install" && args[0] != "show") {
		return usagef("station vocabulary: use 'install FILE' or 'show'")
	}
	fs := newFlags(e, "station vocabulary "+args[0], "station vocabulary install FILE | show", "  shicao station vocabulary install vocabulary-2.signed\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	if args[0] == "show" {
		v, ver, err := s.Vocabulary(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "vocabulary version %d: %d device kinds, %d event types\n", ver, len(v.Devices), len(v.Types))
		for _, k := range v.DeviceKinds() {
			fmt.Fprintf(e.stdout, "  %s %s\n", k, v.Devices[k])
		}
		return nil
	}
	if fs.NArg() != 1 {
		return usagef("station vocabulary install: give one FILE")
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	doc, err := s.InstallVocabulary(ctx, b)
	if errors.Is(err, standards.ErrInstalled) {
		fmt.Fprintf(e.stdout, "already installed vocabulary version %d\n", doc.Version)
		return nil
	}
	if err != nil {
		return fmt.Errorf("refused %s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.stdout, "installed vocabulary version %d\n", doc.Version)
	return nil
}

func stationImport(ctx context.Context, e *env, what string, args []string) error {
	if len(args) == 0 || args[0] != "import" {
		return usagef("station %s: use 'station %s import FILE'", what, what)
	}
	fs := newFlags(e, "station "+what+" import", "station "+what+" import [--data DIR] FILE", "  shicao station "+what+" import --data /var/lib/shicao/station "+what+".signed\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("station %s import: give one FILE", what)
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	if what == "plan" {
		p, err := s.ImportPlan(ctx, b)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "plan %s %s %s: %d candidates, %d examiners\n", p.ID, p.Date, p.Category, len(p.Candidates), len(p.Examiners))
		return nil
	}
	r, err := s.ImportRegistry(ctx, b)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "registry version %d: %d examiners, %d devices\n", r.Version, len(r.Examiners), len(r.Equipment))
	return nil
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

func stationRun(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station run", "station run [--data DIR] --script FILE [--virtual-clock] [--simulated-devices] [--trace]",
		"  shicao station run --data /tmp/demo --script exam.txt --virtual-clock --simulated-devices\n\nScript steps, one per line:\n"+station.ScriptSteps)
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	script := fs.String("script", "", "the exam script ('-' for stdin)")
	virtual := fs.Bool("virtual-clock", false, "time passes only by the script's wait and play (rehearsals, tests)")
	simulated := fs.Bool("simulated-devices", false, "report this site's registered equipment as connected simulators (events come from play)")
	trace := fs.Bool("trace", false, "print 'ack SESSION SEQ' for every event once it is durable")
	cardPath := fs.String("idcard", "", "the ID-card reader's serial port (default: a simulated reader, started by the first card step)")
	sims := fs.Bool("sims", false, "run simulators for every kind of equipment behind the real drivers (rehearsals, tests)")
	speed := fs.Float64("speed", 1, "with --sims: the simulators' and the exam clock's speed")
	lang := fs.String("lang", "zh", "language of refusals: zh or en")
	simPrint := fs.Bool("sim-printer", false, "print slips on a simulated ESC/POS printer at DATA/devices/printer/tty, which renders them to slips.txt there (--sims has one)")
	printerPort := fs.String("printer", "", "print slips on the ESC/POS printer at this serial port")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *script == "" {
		return usagef("station run: give --script FILE")
	}
	var in *os.File
	if *script == "-" {
		in = os.Stdin
	} else {
		f, err := os.Open(*script)
		if err != nil {
			return err
		}
		defer f.Close()
		in = f
	}
	cfg := station.Config{}
	var clock *virtualClock
	if *virtual {
		clock = &virtualClock{t: virtualStart(time.Now())}
		cfg.Now = clock.Now
	}
	if *sims && *virtual {
		return usagef("station run: --sims runs in (scaled) real time; drop --virtual-clock")
	}
	if *sims {
		cfg = speedConfig(time.Now, *speed)
	}
	// The equipment wiring: the station says which item readings go to.
	var active atomic.Pointer[station.Item]
	cfg.Live = func(it *station.Item) { active.Store(it) }
	var slipSim *sim.Printer
	switch {
	case *printerPort != "" && (*sims || *simPrint):
		return usagef("station run: --printer is a real printer; drop --sim-printer and --sims")
	case *printerPort != "":
		pr, err := openPrinter("", *printerPort)
		if err != nil {
			return err
		}
		cfg.Printer = pr
	case *sims || *simPrint:
		sp, pr, err := simPrinter(ctx, filepath.Join(*data, "devices", "printer"))
		if err != nil {
			return err
		}
		defer sp.Close()
		slipSim, cfg.Printer = sp, pr
	}
	if *trace {
		var mu sync.Mutex
		cfg.OnAppend = func(session, seq int64) {
			mu.Lock()
			fmt.Fprintf(e.stdout, "ack %d %d\n", session, seq)
			mu.Unlock()
		}
	}
	s, err := openStationForExams(ctx, *data, cfg, *lang)
	if err != nil {
		return err
	}
	defer s.Close()
	r := &station.ScriptRunner{S: s, Out: e.stdout, Lang: *lang}
	cards := &cardReader{path: *cardPath}
	defer cards.Close()
	r.Card, r.Scenario = cards.Read, withCard(cards, nil)
	if clock != nil {
		r.Advance = clock.Advance
	}
	if *simulated {
		r.Devices = func() []station.Device { return registeredAsSimulated(ctx, s) }
	}
	if *sims {
		ctx, cancel := context.WithCancel(ctx)
		defer cancel()
		log := slog.New(slog.NewTextHandler(e.stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
		rg, err := rig.Simulated(ctx, standards.DefaultVocabulary().DeviceKinds(), rig.Options{Dir: filepath.Join(*data, "devices"), Speed: *speed},
			func(kind string, rd hardware.Reading) {
				routeReading(ctx, log, s, active.Load(), kind, rd, func(tea.Msg) {})
			})
		if err != nil {
			return err
		}
		defer func() { cancel(); rg.Wait() }()
		r.Devices, r.Scenario, r.Unplug, r.Power = rg.Devices, withCard(cards, rg.Play), rg.Unplug, rg.Power
		r.Settle = rg.Settle
		sp := *speed
		r.Advance = func(d time.Duration) {
			select {
			case <-time.After(time.Duration(float64(d) / sp)):
			case <-ctx.Done():
			}
		}
	}
	if slipSim != nil {
		r.Scenario, r.Unplug = withPrinter(slipSim, r.Scenario, r.Unplug)
	}
	if err := r.Run(ctx, in, *script); err != nil {
		var ref *station.Refusal
		if errors.As(err, &ref) {
			return fmt.Errorf("%s", strings.Replace(err.Error(), ref.EN, ref.Text(*lang), 1))
		}
		return err
	}
	if saved := r.Result(); saved != nil {
		path := filepath.Join(*data, "results", saved.ID+".json")
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return err
		}
		if err := os.WriteFile(path, saved.Bundle, 0o600); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "saved %s\n", path)
	}
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

func stationInterrupted(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station interrupted", "station interrupted [--data DIR]", "  shicao station interrupted --data /var/lib/shicao/station\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	list, err := s.Interrupted(ctx)
	if err != nil {
		return err
	}
	for _, in := range list {
		fmt.Fprintf(e.stdout, "attempt %s candidate %s subject %s %s: %d events, last at %s (%s)\n", in.Session.AttemptID, in.Session.Candidate, in.Session.Subject, in.Session.Standard,
			in.Events, time.Duration(in.LastT)*time.Millisecond, in.LastWall.Format(time.DateTime))
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no interrupted items")
	}
	return nil
}

func stationResults(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "requeue" {
		return stationRequeue(ctx, e, args[1:])
	}
	if len(args) == 0 || args[0] != "list" {
		return usagef("station results: use 'station results list' or 'station results requeue'")
	}
	fs := newFlags(e, "station results list", "station results list [--data DIR]", "  shicao station results list --data /var/lib/shicao/station\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	if err := parse(fs, args[1:]); err != nil {
		return err
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	results, err := s.Store().Results(ctx)
	if err != nil {
		return err
	}
	outbox, err := s.Store().Outbox(ctx, "")
	if err != nil {
		return err
	}
	state := map[string]store.OutboxRow{}
	for _, o := range outbox {
		state[o.ResultID] = o
	}
	t := &table{right: map[int]bool{2: true}}
	t.add("result", "candidate", "total", "pass", "sync", "note")
	for _, r := range results {
		pass := "FAIL"
		if r.Passed {
			pass = "PASS"
		}
		o := state[r.ID]
		// "sent" is written only once the centre's receipt verified:
		// say so, with the log index, so that no one reads "sent" as
		// "uploaded, perhaps received".
		sync := o.State
		if o.State == store.OutboxSent {
			if _, idx, err := s.Store().Receipt(ctx, r.ID); err == nil {
				sync = fmt.Sprintf("sent, receipt verified #%d", idx)
			}
		}
		t.add(r.ID, r.Candidate, r.Total, pass, sync, o.LastError)
	}
	return t.write(e.stdout)
}

// stationRequeue puts results the centre refused for good back on the
// queue: a refusal is kept with its reason until a person fixed the cause
// (the centre imported the plan, registered the device...), and only a
// person says when that is.
func stationRequeue(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station results requeue", "station results requeue [--data DIR] RESULT... | --parked",
		"  shicao station results requeue 3f2a9c01d4e5b6a7\n  shicao station results requeue --parked\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	parked := fs.Bool("parked", false, "every result the centre refused")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *parked == (fs.NArg() > 0) {
		return usagef("station results requeue: give RESULT ids or --parked")
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	ids := fs.Args()
	if *parked {
		rows, err := s.Store().Outbox(ctx, store.OutboxParked)
		if err != nil {
			return err
		}
		for _, o := range rows {
			ids = append(ids, o.ResultID)
		}
	}
	for _, id := range ids {
		if err := s.Store().Requeue(ctx, id); err != nil {
			if errors.Is(err, store.ErrNotFound) {
				return fmt.Errorf("result %s is not refused by the centre here (see 'station results list')", id)
			}
			return err
		}
		fmt.Fprintf(e.stdout, "requeued %s: sent at the next sync\n", id)
	}
	if len(ids) == 0 {
		fmt.Fprintln(e.stdout, "no result is refused by the centre")
	}
	return nil
}

func stationExport(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station export", "station export [--data DIR] RESULT -o OUT.json [--events SUBJECT=OUT.jsonl]",
		"  shicao station export 3f2a9c01d4e5b6a7 -o result.json --events K4=k4.jsonl\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	out := fs.String("o", "", "write the result bundle (signed result, events, standards) here")
	var events listFlag
	fs.Var(&events, "events", "also write one subject's events as JSON Lines with their chain hashes and the signed result (docs/exported-logs.md): SUBJECT=FILE")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 || *out == "" {
		return usagef("station export: give RESULT and -o OUT.json")
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	body, err := s.Store().OutboxBody(ctx, fs.Arg(0))
	if errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("no result %s at this station (see 'station results list')", fs.Arg(0))
	}
	if err != nil {
		return err
	}
	if err := os.WriteFile(*out, body, 0o600); err != nil {
		return err
	}
	for _, spec := range events {
		subject, file, ok := strings.Cut(spec, "=")
		if !ok {
			return usagef("station export: --events takes SUBJECT=FILE")
		}
		if err := writeSubjectEvents(body, subject, file); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "wrote %s\n", *out)
	return nil
}

func stationBackup(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station backup", "station backup [--data DIR] -o FILE",
		"  shicao station backup --data /var/lib/shicao -o /mnt/usb/station-$(date +%F).db\n")
	data := fs.String("data", defaultDataDir(), "the station's data directory")
	out := fs.String("o", "", "the backup file to write (must not exist)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *out == "" {
		return usagef("station backup: give -o FILE")
	}
	if _, err := os.Stat(*out); err == nil {
		return fmt.Errorf("%s exists: refusing to overwrite a backup", *out)
	}
	s, err := openStation(ctx, *data, station.Config{})
	if err != nil {
		return err
	}
	defer s.Close()
	if err := s.Store().Backup(ctx, *out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "backed up %s to %s (keys are not in it: keep station.key apart)\n", filepath.Join(*data, station.DBFile), *out)
	return nil
}

// stationTUI runs the exam station: its equipment from the configuration,
// the sync loop with the centre, and the TUI.
func stationTUI(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "station", "station [--config FILE] [--data DIR] [--lang zh|en]",
		"  shicao station --config /etc/shicao/station.toml\n")
	cfgFile := fs.String("config", "", "the station's configuration (TOML); default: built-in defaults")
	data := fs.String("data", "", "the data directory (overrides the configuration)")
	lang := fs.String("lang", "", "zh or en (overrides the configuration)")
	if err := parse(fs, args); err != nil {
		return err
	}
	cfg := DefaultConfig()
	if *cfgFile != "" {
		var err error
		if cfg, err = LoadConfig(*cfgFile); err != nil {
			return err
		}
	}
	if *data != "" {
		cfg.Data = *data
	}
	if *lang != "" {
		cfg.Lang = *lang
	}
	if err := cfg.Validate(); err != nil {
		return fmt.Errorf("configuration: %w", err)
	}
	logFile, err := os.OpenFile(filepath.Join(cfg.Data, "shicao.log"), os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		return fmt.Errorf("%s is not a station's data directory (run shicao station init): %w", cfg.Data, err)
	}
	defer logFile.Close()
	log := slog.New(slog.NewTextHandler(logFile, nil))
	pr, err := openPrinter(cfg.Printer.Profile, cfg.Printer.Port)
	if err != nil {
		return err
	}
	var active atomic.Pointer[station.Item]
	s, err := openStationForExams(ctx, cfg.Data, station.Config{Printer: pr, Live: func(it *station.Item) { active.Store(it) }, ClockMaxAge: station.DefaultClockMaxAge}, cfg.Lang)
	if err != nil {
		return err
	}
	defer s.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var program atomic.Pointer[tea.Program]
	send := func(m tea.Msg) {
		if p := program.Load(); p != nil {
			p.Send(m)
		}
	}
	var ports []rig.Port
	for _, d := range cfg.Device {
		ports = append(ports, rig.Port{Kind: d.Kind, Profile: d.Profile, Path: d.Port})
	}
	rg, err := rig.Real(ctx, ports, func(kind string, rd hardware.Reading) { routeReading(ctx, log, s, active.Load(), kind, rd, send) })
	if err != nil {
		return err
	}
	defer func() { cancel(); rg.Wait() }()
	deps := tui.Deps{Station: s, Equipment: rg, Lang: cfg.Lang}
	if cfg.Centre.URL != "" {
		centreKey, err := s.Store().Meta(ctx, "centre_key")
		if err != nil {
			return errors.New("the exam centre's key is not pinned: run shicao station centre set KEY.pub")
		}
		hc, err := cfg.Centre.HTTPClient()
		if err != nil {
			return fmt.Errorf("centre.ca: %w", err)
		}
		link, err := startSync(ctx, s, cfg.Data, cfg.Centre.URL, centreKey, hc, nil, log, cfg.Centre.SyncEvery.Duration)
		if err != nil {
			return err
		}
		deps.Sync = link
	}
	tui.ApplyEnv(os.Getenv)
	p := tea.NewProgram(tui.New(deps), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
	program.Store(p)
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return err
	}
	return nil
}
