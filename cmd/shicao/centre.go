package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

const centreUsage = `shicao centre init|tls|serve|trust|site|station|equipment|examiner|plan|standard|export|alarms|appeal|log

  init [--name NAME] [--province KEY.pub]... [--demo [--station-pub STATION.pub]]
                                             create the data directory and the centre key (centre.key 0600, centre.pub)
  tls --host NAME|IP [--host NAME|IP]...     the centre's own CA (tls/ca.pem, made once) and a server certificate
                                             for those hosts (tls/cert.pem; keys 0600), for serve --cert/--key
  serve --listen ADDR [--cert F --key F] [--addr-file F] [--console ADDR [--console-addr-file F]]
                                             the HTTP API (docs/api.md); TLS when given a certificate and key;
                                             --console: the staff console on its own listener (docs/console.md),
                                             over TLS with the same certificate when given one
  user add NAME --role admin|staff|inspector a console account; the password from stdin (or asked on a terminal)
  trust add [--threshold N] KEY.pub...      pin province verifier keys (a centre made without --province, a new key)
  trust remove KEY.pub                       retire a province key at the end of a rotation
  trust list                                 the pinned province keys and the threshold
  site add --id ID --name NAME (--accepted | --training)
  site list
  station add --name NAME --site SITE --pub STATION.pub [--replace]
                                             --replace: give a registered station a new key
  station list [--site SITE]
  equipment add --site SITE --serial SERIAL --kind KIND --model MODEL
  equipment remove --serial SERIAL           a device sold, broken or moved to a training institution
  equipment list [--site SITE]
  examiner import FILE.csv|FILE.xlsx         one row per examiner and category
  plan import FILE.csv|FILE.xlsx             the provincial roster export: one row per candidate
  plan list [--date YYYY-MM-DD]
  assign --date D [--per-plan N]             draw the day's examiners (recusal enforced); publishes the seed's hash, before the day
  assign --reveal --date D                   publish the day's seed, after the day
  assign --verify --date D [--seed S]        redo the day's draw from the revealed seed and compare it with the commitment
  assign --substitute --plan P --out ID --in ID --reason TEXT
                                             approve a substitute examiner on the day (the plan is re-issued, signed)
  standard publish FILE...                   province-signed, lint-clean standards and blueprints only
  export results|examiners [-o FILE.csv|FILE.xlsx] [--date YYYY-MM-DD] [--unit NAME]
                                             results: the exams of that day; examiners: validity on that day,
                                             the notice's 持证情况统计表 (--unit: its 填报单位)
  alarms                                     refusals kept for people (duplicate ids, forged results)
  appeal file RESULT --reason TEXT [--days N] an appeal (申诉), within N days of the exam (default 15)
  appeal assign RESULT --reviewer ID         a reviewer who examined none of the candidate's results
  appeal decide RESULT --outcome upheld|rescored|reexam [--mark SUBJECT:ITEM:MARK]... [--plan PLAN] [--note TEXT]
                                             rescored: the reviewer's marks re-score the same events;
                                             reexam: --plan adds the candidate to that plan with the next attempt
  appeal show RESULT [--json|--signed N]     the score that stands, and every signed state with its log index
  log verify [--rescore] [--from INDEX]      check the database (integrity_check), the whole Merkle log, every checkpoint and receipt
                                             (--from: go on from where an interrupted run stopped)

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
				names := slices.Sorted(maps.Keys(verbs))
				return usagef("centre %s: use 'centre %s %s' (see 'shicao centre --help')", name, name, strings.Join(names, "|"))
			}
			return verbs[a[0]](a[1:])
		}
	}
	return sub(e, "centre", args, map[string]func([]string) error{
		"init":  func(a []string) error { return centreInit(ctx, e, a) },
		"tls":   func(a []string) error { return centreTLS(ctx, e, a) },
		"serve": func(a []string) error { return centreServe(ctx, e, a) },
		"trust": two("trust", map[string]func([]string) error{
			"add":    func(a []string) error { return centreTrustAdd(ctx, e, a) },
			"list":   func(a []string) error { return centreTrustList(ctx, e, a) },
			"remove": func(a []string) error { return centreTrustRemove(ctx, e, a) },
		}),
		"station": two("station", map[string]func([]string) error{
			"add":  func(a []string) error { return centreStationAdd(ctx, e, a) },
			"list": func(a []string) error { return centreStationList(ctx, e, a) },
		}),
		"site": two("site", map[string]func([]string) error{
			"add":  func(a []string) error { return centreSiteAdd(ctx, e, a) },
			"list": func(a []string) error { return centreSiteList(ctx, e, a) },
		}),
		"equipment": two("equipment", map[string]func([]string) error{
			"add":    func(a []string) error { return centreEquipmentAdd(ctx, e, a) },
			"remove": func(a []string) error { return centreEquipmentRemove(ctx, e, a) },
			"list":   func(a []string) error { return centreEquipmentList(ctx, e, a) },
		}),
		"examiner": two("examiner", map[string]func([]string) error{"import": func(a []string) error { return centreImport(ctx, e, "examiner", a) }}),
		"plan": two("plan", map[string]func([]string) error{
			"import": func(a []string) error { return centreImport(ctx, e, "plan", a) },
			"list":   func(a []string) error { return centrePlanList(ctx, e, a) },
		}),
		"standard": two("standard", map[string]func([]string) error{"publish": func(a []string) error { return centrePublish(ctx, e, a) }}),
		"export": two("export", map[string]func([]string) error{
			"results":   func(a []string) error { return centreExport(ctx, e, "results", a) },
			"examiners": func(a []string) error { return centreExport(ctx, e, "examiners", a) },
		}),
		"alarms": func(a []string) error { return centreAlarms(ctx, e, a) },
		"user":   two("user", map[string]func([]string) error{"add": func(a []string) error { return centreUserAdd(ctx, e, a) }}),
		"assign": func(a []string) error { return centreAssign(ctx, e, a) },
		"appeal": two("appeal", centreAppealVerbs(ctx, e)),
		"log":    two("log", map[string]func([]string) error{"verify": func(a []string) error { return centreLogVerify(ctx, e, a) }}),
	}, centreUsage)
}

// openCentre opens the centre in dir, on the database SHICAO_CENTRE_DB
// names if set (a postgres:// URL), else the one dir records
// (centre.DBOf).
func openCentre(ctx context.Context, dir string) (*centre.Centre, error) {
	return centre.Open(ctx, dir, centre.Options{DB: os.Getenv("SHICAO_CENTRE_DB")})
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
	// The province keys are read and checked first: a wrong file must
	// not leave a centre behind without them.
	var provinceKeys []string
	for _, f := range province {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		k, err := centre.ProvinceKey(string(b))
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		if !slices.Contains(provinceKeys, k) {
			provinceKeys = append(provinceKeys, k)
		}
	}
	if *threshold < 1 || (len(provinceKeys) > 0 && *threshold > len(provinceKeys)) {
		return usagef("centre init: --threshold %d: give 1 to the number of distinct --province keys", *threshold)
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
	if len(provinceKeys) > 0 {
		if _, err := c.PinProvinceKeys(ctx, provinceKeys, *threshold); err != nil {
			return err
		}
	} else if err := c.SetThreshold(ctx, *threshold); err != nil {
		return err
	}
	if !*seed {
		if len(province) == 0 {
			fmt.Fprintf(e.stdout, "no province key is pinned: this centre publishes no standard until you pin one (shicao centre trust add --data %s KEY.pub)\n", *data)
		}
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
	consoleAddr := fs.String("console", "", "also serve the staff console on this address (e.g. 127.0.0.1:8080; docs/console.md)")
	consoleAddrFile := fs.String("console-addr-file", "", "write the console's bound URL to this file once listening")
	if err := parse(fs, args); err != nil {
		return err
	}
	if (*cert == "") != (*keyFile == "") {
		return usagef("centre serve: give both --cert and --key, or neither")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return refuseDamaged(err, *data)
	}
	defer c.Close()
	if err := c.CheckStart(ctx); err != nil {
		return refuseDamaged(err, *data)
	}
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
	if err := writeAddrFile(*addrFile, url); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "centre listening on %s\n", url)
	var consoleErr <-chan error
	if *consoleAddr != "" {
		// The console shares the API's certificate: its cookies then
		// never cross the network in clear.
		curl, errc, stop, err := startConsole(c, *consoleAddr, *cert, *keyFile, logger)
		if err != nil {
			return fmt.Errorf("centre serve: %w", err)
		}
		defer stop() // before c.Close (deferred earlier)
		consoleErr = errc
		if err := writeAddrFile(*consoleAddrFile, curl); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "console listening on %s\n", curl)
	}
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
	case err := <-consoleErr:
		return fmt.Errorf("centre serve: console: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}

// writeAddrFile writes a bound URL to file ("" for none), whole then
// renamed, so that a reader never sees half a URL.
func writeAddrFile(file, url string) error {
	if file == "" {
		return nil
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}

// refuseDamaged says what to do about a centre database that failed
// its check at start: the centre serves nothing from it.
func refuseDamaged(err error, data string) error {
	if !errors.Is(err, centre.ErrDamaged) {
		return err
	}
	return fmt.Errorf("centre serve: refusing to serve, nothing was served: %w. Stop here: restore %s from the latest backup, check it with shicao centre log verify, then serve, and have every station send its results again with shicao station sync --centre-restored (docs/operations.md, \"A damaged database\")",
		err, filepath.Join(data, centre.DBFile))
}

func centreStationAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre station add", "centre station add --data DIR --name NAME --site SITE --pub STATION.pub [--replace]",
		"  shicao centre station add --name STN-01 --site TA-KD-01 --pub station.pub\n  shicao centre station add --name STN-01 --site TA-KD-01 --pub new-station.pub --replace\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	name := fs.String("name", "", "the station's name")
	site := fs.String("site", "", "the accepted exam site it stands at")
	pub := fs.String("pub", "", "the station's verifier key file (station.pub)")
	replace := fs.Bool("replace", false, "replace a registered station's key (a new machine or a new key); what the old key signed is refused afterwards")
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
	st := centre.Station{Name: *name, Site: *site, Key: strings.TrimSpace(string(b))}
	was, err := c.PutStation(ctx, st, *replace)
	if err != nil {
		return err
	}
	key := centre.ShortKey(st.Key)
	switch {
	case was == nil:
		fmt.Fprintf(e.stdout, "station %s registered at site %s with key %s\n", st.Name, st.Site, key)
	case was.Site == st.Site && was.Key == st.Key:
		fmt.Fprintf(e.stdout, "station %s is already registered at site %s with key %s: nothing changed\n", st.Name, st.Site, key)
	default:
		if was.Site != st.Site {
			fmt.Fprintf(e.stdout, "station %s moved from site %s to %s\n", st.Name, was.Site, st.Site)
		}
		if was.Key != st.Key {
			fmt.Fprintf(e.stdout, "station %s's key replaced: old %s, new %s; what the old key signed is refused from now on\n", st.Name, centre.ShortKey(was.Key), key)
		}
	}
	return nil
}

func centreStationList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre station list", "centre station list --data DIR [--site SITE]", "  shicao centre station list --data /var/lib/shicao/centre\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	site := fs.String("site", "", "only the stations at this site")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := knownSite(ctx, c, *site); err != nil {
		return err
	}
	list, err := c.Stations(ctx, *site)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no station is registered (register one: shicao centre station add)")
		return nil
	}
	t := &table{}
	t.add("station", "site", "key")
	for _, st := range list {
		t.add(st.Name, st.Site, centre.ShortKey(st.Key))
	}
	return t.write(e.stdout)
}

// knownSite refuses a --site filter naming no registered site: an empty
// list would read as "nothing there".
func knownSite(ctx context.Context, c *centre.Centre, site string) error {
	if site == "" {
		return nil
	}
	if _, err := c.SiteByID(ctx, site); errors.Is(err, centre.ErrNotFound) {
		return fmt.Errorf("site %s is not registered (the sites: shicao centre site list)", site)
	} else if err != nil {
		return err
	}
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
	if strings.TrimSpace(*name) == "" {
		return usagef("centre site add: give --name, the site's name as the province lists it")
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	s := centre.Site{ID: *id, Name: strings.TrimSpace(*name), Accepted: *accepted}
	was, err := c.PutSite(ctx, s)
	if err != nil {
		return err
	}
	switch {
	case was == nil:
		fmt.Fprintf(e.stdout, "site %s %s: %s\n", s.ID, s.Name, siteKind(s.Accepted))
	case *was == s:
		fmt.Fprintf(e.stdout, "site %s %s is already registered as an %s: nothing changed\n", s.ID, s.Name, siteKind(s.Accepted))
	default:
		if was.Name != s.Name {
			fmt.Fprintf(e.stdout, "site %s renamed from %s to %s\n", s.ID, was.Name, s.Name)
		}
		switch {
		case was.Accepted == s.Accepted:
		case s.Accepted:
			fmt.Fprintf(e.stdout, "site %s was a training institution's site, now an accepted exam site: exams may run there, with its registered equipment\n", s.ID)
		default:
			stations, err := c.Stations(ctx, s.ID)
			if err != nil {
				return err
			}
			msg := fmt.Sprintf("site %s was an accepted exam site, now a training institution's site: no exam may run there (考培分离)", s.ID)
			if len(stations) > 0 {
				var names []string
				for _, st := range stations {
					names = append(names, st.Name)
				}
				msg += fmt.Sprintf("; results from its stations (%s) are refused from now on", strings.Join(names, ", "))
			}
			fmt.Fprintln(e.stdout, msg)
		}
	}
	return nil
}

func siteKind(accepted bool) string {
	if accepted {
		return "accepted exam site"
	}
	return "training institution's site (no exams)"
}

func centreSiteList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre site list", "centre site list --data DIR", "  shicao centre site list --data /var/lib/shicao/centre\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.Sites(ctx)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no site is registered (register one: shicao centre site add)")
		return nil
	}
	t := &table{right: map[int]bool{3: true, 4: true}}
	t.add("site", "name", "kind", "stations", "devices")
	for _, s := range list {
		kind := "accepted"
		if !s.Accepted {
			kind = "training"
		}
		t.add(s.ID, s.Name, kind, strconv.Itoa(s.Stations), strconv.Itoa(s.Devices))
	}
	return t.write(e.stdout)
}

func centreEquipmentAdd(ctx context.Context, e *env, args []string) error {
	kinds := strings.Join(standards.DefaultVocabulary().DeviceKinds(), ", ")
	fs := newFlags(e, "centre equipment add", "centre equipment add --data DIR --site SITE --serial SERIAL --kind KIND --model MODEL",
		"  shicao centre equipment add --site TA-KD-01 --serial CPR-2024-0001 --kind cpr --model XF-CPR500\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	var q examsync.Equipment
	fs.StringVar(&q.Site, "site", "", "the site the device belongs to")
	fs.StringVar(&q.Serial, "serial", "", "the device's serial number (as it reports it)")
	fs.StringVar(&q.Kind, "kind", "", "the equipment kind ("+kinds+")")
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
	was, err := c.PutEquipment(ctx, q)
	if err != nil {
		return err
	}
	switch {
	case was == nil:
		fmt.Fprintf(e.stdout, "equipment %s %s %s registered to site %s\n", q.Kind, q.Model, q.Serial, q.Site)
	case *was == q:
		fmt.Fprintf(e.stdout, "equipment %s %s %s is already registered to site %s: nothing changed\n", q.Kind, q.Model, q.Serial, q.Site)
	default:
		if was.Site != q.Site {
			fmt.Fprintf(e.stdout, "equipment %s moved from site %s to %s: results at %s that use it are refused from now on\n", q.Serial, was.Site, q.Site, was.Site)
		}
		if was.Kind != q.Kind {
			fmt.Fprintf(e.stdout, "equipment %s's kind changed from %s to %s\n", q.Serial, was.Kind, q.Kind)
		}
		if was.Model != q.Model {
			fmt.Fprintf(e.stdout, "equipment %s's model changed from %s to %s\n", q.Serial, was.Model, q.Model)
		}
	}
	return nil
}

func centreEquipmentList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre equipment list", "centre equipment list --data DIR [--site SITE]", "  shicao centre equipment list --site TA-KD-01\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	site := fs.String("site", "", "only the devices of this site")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := knownSite(ctx, c, *site); err != nil {
		return err
	}
	list, err := c.Equipment(ctx, *site)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no equipment is registered there (register a device: shicao centre equipment add)")
		return nil
	}
	t := &table{}
	t.add("site", "kind", "serial", "model")
	for _, q := range list {
		t.add(q.Site, q.Kind, q.Serial, q.Model)
	}
	return t.write(e.stdout)
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
		if len(rows) == 0 {
			return fmt.Errorf("%s: no row under the header: nothing imported", fs.Arg(0))
		}
		if err := c.ImportExaminers(ctx, rows); err != nil {
			return fmt.Errorf("%s: %w", fs.Arg(0), err)
		}
		fmt.Fprintf(e.stdout, "imported %d examiner rows\n", len(rows))
		warn, err := c.Unexaminable(ctx)
		if err != nil {
			return err
		}
		for _, w := range warn {
			fmt.Fprintf(e.stderr, "warning: %s: the plan cannot be examined as issued: import its roster again with another examiner in 考评员\n", w)
		}
		return nil
	}
	rows, err := centre.PlanRowsFromFile(fs.Arg(0))
	if err != nil {
		return err
	}
	if len(rows) == 0 {
		return fmt.Errorf("%s: no row under the header: nothing imported", fs.Arg(0))
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

func centrePlanList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre plan list", "centre plan list --data DIR [--date YYYY-MM-DD]", "  shicao centre plan list --date 2026-11-28\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	date := fs.String("date", "", "only the plans of this exam date")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *date != "" {
		if _, err := standards.ParseDate(*date); err != nil {
			return usagef("centre plan list: --date %q: give the exam date as YYYY-MM-DD, for example 2026-11-28", *date)
		}
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	list, err := c.Plans(ctx, *date)
	if err != nil {
		return err
	}
	if len(list) == 0 {
		if *date != "" {
			fmt.Fprintf(e.stdout, "no plan is issued for %s\n", *date)
		} else {
			fmt.Fprintln(e.stdout, "no plan is issued (import the roster: shicao centre plan import)")
		}
		return nil
	}
	t := &table{right: map[int]bool{5: true}}
	t.add("plan", "date", "site", "station", "category", "candidates")
	for _, p := range list {
		t.add(p.ID, p.Date, p.Site, p.Station, p.Category, strconv.Itoa(p.Candidates))
	}
	return t.write(e.stdout)
}

// readProvinceKeys reads province verifier key files and checks each, so
// that a refusal names its file and nothing is pinned.
func readProvinceKeys(ctx context.Context, c *centre.Centre, files []string) ([]string, error) {
	keys := make([]string, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		key := strings.TrimSpace(string(b))
		if err := c.CheckProvinceKey(ctx, key); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		keys = append(keys, key)
	}
	return keys, nil
}

func centreTrustAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre trust add", "centre trust add --data DIR [--threshold N] KEY.pub...",
		"  shicao centre trust add --data /var/lib/shicao/centre shandong-2026.pub\n  shicao centre trust add --threshold 2 shandong-2026.pub shandong-2027.pub\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	threshold := fs.Int("threshold", 0, "how many distinct pinned keys must sign a standard (default: keep, 1 at first)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("centre trust add: give the province's verifier key files (KEY.pub)")
	}
	if *threshold < 0 {
		return usagef("centre trust add: --threshold %d: give 1 or more", *threshold)
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	keys, err := readProvinceKeys(ctx, c, fs.Args())
	if err != nil {
		return err
	}
	added, err := c.PinProvinceKeys(ctx, keys, *threshold)
	if err != nil {
		return err
	}
	for i, k := range keys {
		if added[i] {
			fmt.Fprintf(e.stdout, "pinned province key %s\n", centre.ShortKey(k))
		} else {
			fmt.Fprintf(e.stdout, "province key %s was pinned already\n", centre.ShortKey(k))
		}
	}
	return printThreshold(ctx, e, c)
}

func printThreshold(ctx context.Context, e *env, c *centre.Centre) error {
	roots, err := c.TrustRoots(ctx)
	if err != nil {
		return err
	}
	n, err := c.Threshold(ctx)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "a standard is published when it is signed by %d of the %d pinned province keys\n", n, len(roots))
	return nil
}

func centreTrustRemove(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre trust remove", "centre trust remove --data DIR KEY.pub", "  shicao centre trust remove --data /var/lib/shicao/centre shandong-2026.pub\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("centre trust remove: give the retired province key's KEY.pub")
	}
	b, err := os.ReadFile(fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.UnpinProvinceKey(ctx, string(b)); err != nil {
		return fmt.Errorf("%s: %w", fs.Arg(0), err)
	}
	fmt.Fprintf(e.stdout, "retired province key %s: standards signed only by it are refused from now on; those published stay\n", centre.ShortKey(strings.TrimSpace(string(b))))
	return printThreshold(ctx, e, c)
}

func centreTrustList(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre trust list", "centre trust list --data DIR", "  shicao centre trust list --data /var/lib/shicao/centre\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	if err := parse(fs, args); err != nil {
		return err
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	roots, err := c.TrustRoots(ctx)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		fmt.Fprintf(e.stdout, "no province key is pinned: this centre publishes no standard until you pin one (shicao centre trust add --data %s KEY.pub)\n", *data)
		return nil
	}
	// The whole key, so that it can be compared with the one the
	// province published.
	t := &table{}
	t.add("name", "key", "pinned")
	for _, r := range roots {
		t.add(r.Name, r.Key, time.UnixMilli(r.AddedMs).Format(time.DateTime))
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	return printThreshold(ctx, e, c)
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
	roots, err := c.TrustRoots(ctx)
	if err != nil {
		return err
	}
	if len(roots) == 0 {
		return fmt.Errorf("no province key is pinned at this centre, so it publishes no standard: pin the province's verifier key first (shicao centre trust add --data %s KEY.pub)", *data)
	}
	failed := 0
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		cand, err := c.Publish(ctx, f, b)
		if errors.Is(err, standards.ErrInstalled) {
			// The very text published before: nothing to do, nothing wrong.
			fmt.Fprintf(e.stdout, "%s: published already, unchanged\n", f)
			continue
		}
		if err != nil {
			// Admit names the file already.
			fmt.Fprintf(e.stderr, "refused %s: %s\n", f, strings.TrimPrefix(atCentre(err, *data).Error(), f+": "))
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

// atCentre rewords a refusal of the standards package, which speaks as
// a station, for the centre, and says how a new province key is pinned
// here.
func atCentre(err error, data string) error {
	if !errors.Is(err, standards.ErrUntrustedKey) {
		return err
	}
	msg := strings.Replace(err.Error(), "this station does not trust", "this centre does not trust", 1)
	return reworded{fmt.Sprintf("%s; if the province has a new key, pin it once you have it from the province: shicao centre trust add --data %s KEY.pub", msg, data), err}
}

// reworded is an error shown with other words, still matching its cause.
type reworded struct {
	msg string
	err error
}

func (r reworded) Error() string { return r.msg }
func (r reworded) Unwrap() error { return r.err }

func centreExport(ctx context.Context, e *env, what string, args []string) error {
	fs := newFlags(e, "centre export "+what, "centre export "+what+" --data DIR [-o FILE.csv|FILE.xlsx] [--date YYYY-MM-DD] [--unit NAME]",
		"  shicao centre export results -o results.xlsx\n  shicao centre export examiners -o 考评员持证情况统计表.xlsx --unit 泰安市安全生产培训考务中心\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	out := fs.String("o", "", "write to this file (.csv or .xlsx); default: CSV on standard output")
	date := fs.String("date", "", "results: only the exams of this day (default every day); examiners: judge validity on this day (default today)")
	unit := fs.String("unit", "", "examiners: the 填报单位 on the table (default: the centre's name)")
	if err := parse(fs, args); err != nil {
		return err
	}
	var day standards.Date
	if *date != "" {
		var err error
		if day, err = standards.ParseDate(*date); err != nil {
			return usagef("centre export %s: --date %q: give the day as YYYY-MM-DD, for example 2026-11-28", what, *date)
		}
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	var t *centre.Table
	if what == "results" {
		t, err = c.ResultsTable(ctx, day)
	} else {
		if day.IsZero() {
			day = standards.DateOf(time.Now())
		}
		t, err = c.ExaminersTable(ctx, day, *unit)
	}
	if err != nil {
		return err
	}
	if what == "results" && !day.IsZero() && len(t.Rows) == 0 {
		fmt.Fprintf(e.stderr, "no result of an exam on %s has been received\n", day)
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
		from := ""
		if a.Station != "" { // an examiner import's alarm comes from no station
			from = " station " + a.Station
		}
		resolved := ""
		if a.ResolvedMs > 0 {
			resolved = " [resolved " + time.UnixMilli(a.ResolvedMs).Format(time.DateTime) + "]"
		} else if strings.HasPrefix(a.Kind, "reconcile-") {
			resolved = " [open]"
		}
		fmt.Fprintf(e.stdout, "%s %s%s %s: %s%s\n", time.UnixMilli(a.AtMs).Format(time.DateTime), a.Kind, from, a.Subject, a.Detail, resolved)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, "no alarms")
	}
	return nil
}

func centreLogVerify(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre log verify", "centre log verify --data DIR [--rescore] [--from INDEX]", "  shicao centre log verify --data /var/lib/shicao/centre --rescore\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	rescore := fs.Bool("rescore", false, "also verify and re-score every result again")
	from := fs.Int64("from", 0, "check the results' bodies, receipts and rows from this record on (the tree and checkpoints are always checked whole)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *from < 0 {
		return usagef("--from %d: a record index is 0 or more", *from)
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.IntegrityCheck(ctx); err != nil {
		return fmt.Errorf("the database does not verify: %w (docs/operations.md, \"A damaged database\")", err)
	}
	fmt.Fprintln(e.stdout, "ok: SQLite integrity_check")
	rep, err := c.VerifyLogWith(ctx, centre.VerifyOptions{Rescore: *rescore, From: *from})
	if err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("log verify interrupted: the results before record %d are checked; go on with --from %d", rep.Next, rep.Next)
		}
		return fmt.Errorf("the log does not verify: %w", err)
	}
	msg := fmt.Sprintf("ok: log of %d records, root %x…; %d signed checkpoints and %d receipts verify", rep.Records, rep.Root[:8], rep.Checkpoints, rep.Receipts)
	if rep.Appeals > 0 {
		msg += fmt.Sprintf(" (%d of them appeal states)", rep.Appeals)
	}
	if *rescore {
		msg += "; " + strconv.Itoa(rep.Rescored) + " results re-scored identically"
	}
	if rep.From > 0 {
		msg += fmt.Sprintf(" (bodies from record %d on)", rep.From)
	}
	fmt.Fprintln(e.stdout, msg)
	return nil
}
