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
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

const centreUsage = `shicao centre init|serve|station|site|equipment|examiner|plan|standard|export|alarms|log

  init [--name NAME] [--province KEY.pub]... [--demo [--station-pub STATION.pub]]
                                             create the data directory and the centre key (centre.key 0600, centre.pub)
  serve --listen ADDR [--cert F --key F] [--addr-file F]
                                             the HTTP API (docs/api.md); TLS when given a certificate and key
  station add --name NAME --site SITE --pub STATION.pub
  site add --id ID --name NAME (--accepted | --training)
  equipment add --site SITE --serial SERIAL --kind KIND --model MODEL
  equipment remove --serial SERIAL           a device sold, broken or moved to a training institution
  examiner import FILE.csv|FILE.xlsx         one row per examiner and category
  plan import FILE.csv|FILE.xlsx             the provincial roster export: one row per candidate
  standard publish FILE...                   province-signed, lint-clean standards and blueprints only
  export results|examiners [-o FILE.csv|FILE.xlsx] [--date YYYY-MM-DD]
  alarms                                     refusals kept for people (duplicate ids, forged results)
  log verify [--rescore]                     check the whole Merkle log, every checkpoint and receipt

Every centre command takes --data DIR (default: the user's data directory).
`

func defaultCentreDir() string {
	if d := os.Getenv("SHICAO_CENTRE_DATA"); d != "" {
		return d
	}
	if d := os.Getenv("XDG_DATA_HOME"); d != "" {
		return filepath.Join(d, "shicao", "centre")
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "shicao-centre"
	}
	return filepath.Join(home, ".local", "share", "shicao", "centre")
}

// runCentre is the exam centre's command.
func runCentre(ctx context.Context, e *env, args []string) error {
	two := func(name string, verbs map[string]func([]string) error) func([]string) error {
		return func(a []string) error {
			if len(a) == 0 || verbs[a[0]] == nil {
				var names []string
				for k := range verbs {
					names = append(names, k)
				}
				return usagef("centre %s: use 'centre %s %s' (see 'shicao centre --help')", name, name, strings.Join(names, "|"))
			}
			return verbs[a[0]](a[1:])
		}
	}
	return sub(e, "centre", args, map[string]func([]string) error{
		"init":    func(a []string) error { return centreInit(ctx, e, a) },
		"serve":   func(a []string) error { return centreServe(ctx, e, a) },
		"station": two("station", map[string]func([]string) error{"add": func(a []string) error { return centreStationAdd(ctx, e, a) }}),
		"site":    two("site", map[string]func([]string) error{"add": func(a []string) error { return centreSiteAdd(ctx, e, a) }}),
		"equipment": two("equipment", map[string]func([]string) error{
			"add":    func(a []string) error { return centreEquipmentAdd(ctx, e, a) },
			"remove": func(a []string) error { return centreEquipmentRemove(ctx, e, a) },
		}),
		"examiner": two("examiner", map[string]func([]string) error{"import": func(a []string) error { return centreImport(ctx, e, "examiner", a) }}),
		"plan":     two("plan", map[string]func([]string) error{"import": func(a []string) error { return centreImport(ctx, e, "plan", a) }}),
		"standard": two("standard", map[string]func([]string) error{"publish": func(a []string) error { return centrePublish(ctx, e, a) }}),
		"export": two("export", map[string]func([]string) error{
			"results":   func(a []string) error { return centreExport(ctx, e, "results", a) },
			"examiners": func(a []string) error { return centreExport(ctx, e, "examiners", a) },
		}),
		"alarms": func(a []string) error { return centreAlarms(ctx, e, a) },
		"log":    two("log", map[string]func([]string) error{"verify": func(a []string) error { return centreLogVerify(ctx, e, a) }}),
	}, centreUsage)
}

func openCentre(ctx context.Context, dir string) (*centre.Centre, error) {
	return centre.Open(ctx, dir, centre.Options{})
}

func centreInit(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre init", "centre init --data DIR [--name NAME] [--province KEY.pub]... [--threshold N] [--demo [--station-pub STATION.pub]]",
		"  shicao centre init --data /var/lib/shicao-centre --name taian-centre --province sd-province.pub\n  shicao centre init --data /tmp/c --demo --station-pub /tmp/st/station.pub\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	name := fs.String("name", "shicao-centre", "the centre key's name (the log's origin)")
	var province listFlag
	fs.Var(&province, "province", "a province verifier key file to trust for standards (repeatable)")
	threshold := fs.Int("threshold", 1, "how many distinct province keys must sign a standard")
	seed := fs.Bool("demo", false, "the demo centre: the demo key, province, library, site, equipment and examiners")
	stationPub := fs.String("station-pub", "", "with --demo: register the demo station with this key and issue today's demo plan")
	if err := parse(fs, args); err != nil {
		return err
	}
	signer := ""
	if *seed {
		signer, _ = demo.CentreKeys()
	}
	vkey, err := centre.Init(ctx, *data, *name, signer)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "centre in %s\nverifier key (stations pin it: shicao station centre set %s): %s\n", *data, filepath.Join(*data, centre.PubFile), vkey)
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	for _, f := range province {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		if err := c.AddTrustRoot(ctx, string(b)); err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
	}
	if err := c.SetThreshold(ctx, *threshold); err != nil {
		return err
	}
	if !*seed {
		return nil
	}
	key := ""
	if *stationPub != "" {
		b, err := os.ReadFile(*stationPub)
		if err != nil {
			return err
		}
		key = strings.TrimSpace(string(b))
	}
	today := standards.DateOf(time.Now()).String()
	if err := c.SeedDemo(ctx, today, key); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded the demo centre: site %s, %d devices, %d examiners\n", demo.Site, len(demo.Equipment), len(demo.Examiners))
	if key != "" {
		fmt.Fprintf(e.stdout, "registered station %s; issued plan %s for %s\n", demo.Station, demo.PlanID, today)
	}
	return nil
}

func centreServe(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre serve", "centre serve --data DIR --listen ADDR [--cert F --key F] [--addr-file F]",
		"  shicao centre serve --data /var/lib/shicao-centre --listen :8443 --cert centre.crt --key centre.key.pem\n  shicao centre serve --data /tmp/c --listen 127.0.0.1:0 --addr-file /tmp/c/addr\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	listen := fs.String("listen", "127.0.0.1:8080", "the address to listen on (port 0: any free port)")
	cert := fs.String("cert", "", "TLS certificate file (PEM)")
	keyFile := fs.String("key", "", "TLS private key file (PEM)")
	addrFile := fs.String("addr-file", "", "write the bound URL to this file once listening (scripts and tests)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*cert == "") != (*keyFile == "") {
		return usagef("centre serve: give both --cert and --key, or neither")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	ln, err := net.Listen("tcp", *listen)
	if err != nil {
		return fmt.Errorf("centre serve: %w", err)
	}
	scheme := "http"
	if *cert != "" {
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	srv := &http.Server{Handler: c.Server(logger).Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute}
	if *addrFile != "" {
		// Written whole then renamed, so a reader never sees half a URL.
		tmp := *addrFile + ".tmp"
		if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
			return err
		}
		if err := os.Rename(tmp, *addrFile); err != nil {
			return err
		}
	}
	fmt.Fprintf(e.stdout, "centre listening on %s\n", url)
	errc := make(chan error, 1)
	go func() {
		if *cert != "" {
			errc <- srv.ServeTLS(ln, *cert, *keyFile)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("centre serve: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}

func centreStationAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre station add", "centre station add --data DIR --name NAME --site SITE --pub STATION.pub",
		"  shicao centre station add --name STN-01 --site TA-KD-01 --pub station.pub\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	name := fs.String("name", "", "the station's name")
	site := fs.String("site", "", "the accepted exam site it stands at")
	pub := fs.String("pub", "", "the station's verifier key file (station.pub)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *name == "" || *site == "" || *pub == "" {
		return usagef("centre station add: give --name, --site and --pub")
	}
	b, err := os.ReadFile(*pub)
	if err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.AddStation(ctx, *name, *site, string(b)); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "station %s registered at site %s\n", *name, *site)
	return nil
}

func centreSiteAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre site add", "centre site add --data DIR --id ID --name NAME (--accepted | --training)",
		"  shicao centre site add --id TA-KD-01 --name 泰安市第一考点 --accepted\n  shicao centre site add --id TA-PX-01 --name 某培训学校 --training\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	id := fs.String("id", "", "the site's id")
	name := fs.String("name", "", "the site's name")
	accepted := fs.Bool("accepted", false, "an accepted exam site (考点)")
	training := fs.Bool("training", false, "a training institution's site: no exam may run there (考培分离)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *id == "" || *accepted == *training {
		return usagef("centre site add: give --id and exactly one of --accepted and --training")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.AddSite(ctx, centre.Site{ID: *id, Name: *name, Accepted: *accepted}); err != nil {
		return err
	}
	kind := "accepted exam site"
	if *training {
		kind = "training institution's site (no exams)"
	}
	fmt.Fprintf(e.stdout, "site %s %s: %s\n", *id, *name, kind)
	return nil
}

func centreEquipmentAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre equipment add", "centre equipment add --data DIR --site SITE --serial SERIAL --kind KIND --model MODEL",
		"  shicao centre equipment add --site TA-KD-01 --serial CPR-2024-0001 --kind cpr --model XF-CPR500\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	var q examsync.Equipment
	fs.StringVar(&q.Site, "site", "", "the site the device belongs to")
	fs.StringVar(&q.Serial, "serial", "", "the device's serial number (as it reports it)")
	fs.StringVar(&q.Kind, "kind", "", "the equipment kind (cpr, extinguisher, scba, board, ppe, harness)")
	fs.StringVar(&q.Model, "model", "", "the model")
	if err := parse(fs, args); err != nil {
		return err
	}
	if q.Site == "" || q.Serial == "" || q.Kind == "" {
		return usagef("centre equipment add: give --site, --serial and --kind")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.AddEquipment(ctx, q); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "equipment %s %s %s registered to site %s\n", q.Kind, q.Model, q.Serial, q.Site)
	return nil
}

func centreEquipmentRemove(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre equipment remove", "centre equipment remove --data DIR --serial SERIAL",
		"  shicao centre equipment remove --serial CPR-2024-0001\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	serial := fs.String("serial", "", "the device's serial number")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *serial == "" {
		return usagef("centre equipment remove: give --serial")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.RemoveEquipment(ctx, *serial); err != nil {
		if errors.Is(err, centre.ErrNotFound) {
			return fmt.Errorf("no device with serial %s is registered", *serial)
		}
		return err
	}
	fmt.Fprintf(e.stdout, "equipment %s removed: results that used it are refused from now on\n", *serial)
	return nil
}

func centreImport(ctx context.Context, e *env, what string, args []string) error {
	fs := newFlags(e, "centre "+what+" import", "centre "+what+" import --data DIR FILE.csv|FILE.xlsx", "  shicao centre "+what+" import --data /var/lib/shicao/centre "+what+"s.xlsx\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("centre %s import: give one FILE", what)
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if what == "examiner" {
		rows, err := centre.ExaminerRowsFromFile(fs.Arg(0))
		if err != nil {
			return err
		}
		if err := c.ImportExaminers(ctx, rows); err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
		fmt.Fprintf(e.stdout, "imported %d examiner rows\n", len(rows))
		return nil
	}
	rows, err := centre.PlanRowsFromFile(fs.Arg(0))
	if err != nil {
		return err
	}
	ids, err := c.ImportPlans(ctx, rows)
	if err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	for _, id := range ids {
		p, _, err := c.PlanByID(ctx, id)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "issued plan %s %s %s to %s: %d candidates, %d examiners\n", p.ID, p.Date, p.Category, p.Station, len(p.Candidates), len(p.Examiners))
	}
	return nil
}

func centrePublish(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre standard publish", "centre standard publish --data DIR FILE...", "  shicao centre standard publish sd-dg-k42.signed\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("centre standard publish: give at least one signed FILE")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	failed := 0
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		cand, err := c.Publish(ctx, f, b)
		if err != nil {
			fmt.Fprintf(e.stderr, "refused %s: %v\n", f, err)
			failed++
			continue
		}
		fmt.Fprintf(e.stdout, "published %s version %d (%s) signed by %s\n", cand.ID, cand.Version, cand.SHA256[:16], strings.Join(cand.Signers, ", "))
	}
	if failed > 0 {
		return silentError{fmt.Errorf("%d refused", failed)}
	}
	return nil
}

func centreExport(ctx context.Context, e *env, what string, args []string) error {
	fs := newFlags(e, "centre export "+what, "centre export "+what+" --data DIR [-o FILE.csv|FILE.xlsx] [--date YYYY-MM-DD]",
		"  shicao centre export results -o results.xlsx\n  shicao centre export examiners -o 考评员持证情况统计表.xlsx\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	out := fs.String("o", "", "write to this file (.csv or .xlsx); default: CSV on standard output")
	date := fs.String("date", "", "examiners: judge validity on this day (default today)")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	var t *centre.Table
	if what == "results" {
		t, err = c.ResultsTable(ctx)
	} else {
		day := standards.DateOf(time.Now())
		if *date != "" {
			if day, err = standards.ParseDate(*date); err != nil {
				return usagef("centre export examiners: --date %q: want YYYY-MM-DD", *date)
			}
		}
		t, err = c.ExaminersTable(ctx, day)
	}
	if err != nil {
		return err
	}
	if *out == "" {
		_, err := t.WriteTo(e.stdout)
		return err
	}
	if err := t.WriteFile(*out); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s: %s, %d rows\n", *out, t.Title, len(t.Rows))
	return nil
}

func centreAlarms(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre alarms", "centre alarms --data DIR", "  shicao centre alarms --data /var/lib/shicao/centre\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.Alarms(ctx)
	if err != nil {
		return err
	}
	for _, a := range list {
		fmt.Fprintf(e.stdout, "%s %s station %s %s: %s\n", time.UnixMilli(a.AtMs).Format(time.DateTime), a.Kind, a.Station, a.Subject, a.Detail)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no alarms")
	}
	return nil
}

func centreLogVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre log verify", "centre log verify --data DIR [--rescore]", "  shicao centre log verify --data /var/lib/shicao/centre --rescore\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	rescore := fs.Bool("rescore", false, "also verify and re-score every result again")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	rep, err := c.VerifyLog(ctx, *rescore)
	if err != nil {
		return fmt.Errorf("the log does not verify: %w", err)
	}
	msg := fmt.Sprintf("ok: log of %d records, root %x…; %d signed checkpoints and %d receipts verify", rep.Records, rep.Root[:8], rep.Checkpoints, rep.Receipts)
	if *rescore {
		msg += "; " + strconv.Itoa(rep.Rescored) + " results re-scored identically"
	}
	fmt.Fprintln(e.stdout, msg)
	return nil
}
