package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
)

// centreCmd is `shicao centre`, the exam centre. Each sub-group's
// commands are in the file named after it: centre_serve.go,
// centre_registry.go (site, station, equipment), centre_plans.go
// (examiner, plan), centre_assign.go, centre_trust.go (trust, standard),
// centre_vocabulary.go,
// centre_export.go, centre_appeal.go, centre_log.go (log, alarms),
// centre_tls.go and centre_console.go (user).
func centreCmd() *Command {
	return &Command{
		UsageLine: "centre",
		Short:     "the exam centre: init, serve, registry, plans, standards, exports, log",
		Long:      "Every centre command takes --data DIR (default: $SHICAO_CENTRE_DATA, else the user's data directory).\n",
		Commands: []*Command{
			centreInitCmd(),
			centreTLSCmd(),
			centreServeCmd(),
			centreUserCmd(),
			centreTrustCmd(),
			centreSiteCmd(),
			centreStationCmd(),
			centreEquipmentCmd(),
			centreExaminerCmd(),
			centrePlanCmd(),
			centreAssignCmd(),
			centreStandardCmd(),
			centreVocabularyCmd(),
			centreDrillCmd(),
			centreExportCmd(),
			centreAlarmsCmd(),
			centreAppealCmd(),
			centreLogCmd(),
			centreMigrateCmd(),
		},
	}
}

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

func centreInitCmd() *Command {
	c := &Command{
		UsageLine: "centre init [--name NAME] [--province KEY.pub]... [--threshold N] [--demo [--station-pub STATION.pub]]",
		Short:     "create the data directory and the centre key (centre.key 0600, centre.pub)",
		Long: "Examples:\n  shicao centre init --data /var/lib/shicao-centre --name taian-centre --province sd-province.pub\n" +
			"  shicao centre init --data /tmp/c --demo --station-pub /tmp/st/station.pub\n",
	}
	data := addCentreData(&c.Flag)
	name := c.Flag.String("name", "shicao-centre", "the centre key's name (the log's origin)")
	var province listFlag
	c.Flag.Var(&province, "province", "a province verifier key file to trust for standards (repeatable)")
	threshold := c.Flag.Int("threshold", 1, "how many distinct province keys must sign a standard")
	seed := c.Flag.Bool("demo", false, "the demo centre: the demo key, province, library, site, equipment and examiners")
	stationPub := c.Flag.String("station-pub", "", "with --demo: register the demo station with this key and issue today's demo plan")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		// The province keys are read and checked first: a wrong file must
		// not leave a centre behind without them.
		provinceKeys, err := readInitProvinceKeys(province)
		if err != nil {
			return err
		}
		if *threshold < 1 || (len(provinceKeys) > 0 && *threshold > len(provinceKeys)) {
			return usagef("centre init: --threshold %d: give 1 to the number of distinct --province keys", *threshold)
		}
		signer := ""
		if *seed {
			signer, _ = demo.CentreKeys()
		}
		vkey, err := centre.InitDB(ctx, data.dir, *name, signer, data.db)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "centre in %s\nverifier key (stations pin it: shicao station centre set %s): %s\n", data.dir, filepath.Join(data.dir, centre.PubFile), vkey)
		return data.with(ctx, func(ce *centre.Centre) error {
			if len(provinceKeys) > 0 {
				if _, err := ce.PinProvinceKeys(ctx, provinceKeys, *threshold); err != nil {
					return err
				}
			} else if err := ce.SetThreshold(ctx, *threshold); err != nil {
				return err
			}
			if *seed {
				return seedDemoCentre(ctx, e, ce, *stationPub)
			}
			if len(province) == 0 {
				fmt.Fprintf(e.stdout, "no province key is pinned: this centre publishes no standard until you pin one (shicao centre trust add --data %s KEY.pub)\n", data.dir)
			}
			return nil
		})
	}
	return c
}

// readInitProvinceKeys reads and checks the --province files of a centre
// not made yet, each key once.
func readInitProvinceKeys(files []string) ([]string, error) {
	var keys []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		k, err := centre.ProvinceKey(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		if !slices.Contains(keys, k) {
			keys = append(keys, k)
		}
	}
	return keys, nil
}

// seedDemoCentre is init --demo: the demo registry, and with a station
// key today's demo plan for that station.
func seedDemoCentre(ctx context.Context, e *env, ce *centre.Centre, stationPub string) error {
	key := ""
	if stationPub != "" {
		b, err := os.ReadFile(stationPub)
		if err != nil {
			return err
		}
		key = strings.TrimSpace(string(b))
	}
	today := standards.DateOf(time.Now()).String()
	if err := demo.SeedCentre(ctx, ce, today, key); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "seeded the demo centre: site %s, %d devices, %d examiners\n", demo.Site, len(demo.Equipment), len(demo.Examiners))
	if key != "" {
		fmt.Fprintf(e.stdout, "registered station %s; issued plan %s for %s\n", demo.Station, demo.PlanID, today)
	}
	return nil
}

// refuseDamaged says what to do about a centre database that failed
// its check at start: the centre serves nothing from it. (The demo
// uses it too.)
func refuseDamaged(err error, data string) error {
	if !errors.Is(err, centre.ErrDamaged) {
		return err
	}
	return fmt.Errorf("centre serve: refusing to serve, nothing was served: %w. Stop here: restore %s from the latest backup, check it with shicao centre log verify, then serve, and have every station send its results again with shicao station sync --centre-restored (docs/operations.md, \"A damaged database\")",
		err, filepath.Join(data, centre.DBFile))
}

// reworded is an error shown with other words, still matching its cause.
// (The station group uses it too.)
type reworded struct {
	msg string
	err error
}

func (r reworded) Error() string { return r.msg }
func (r reworded) Unwrap() error { return r.err }
