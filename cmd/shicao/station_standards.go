package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
)

func stationStandardsCmd() *Command {
	install := &Command{UsageLine: "station standards install FILE...",
		Short: "install signed standards and blueprints",
		Long:  "Examples:\n  shicao station standards install sd-dg-k42.signed\n"}
	idata := addStationData(&install.Flag)
	install.Run = func(ctx context.Context, e *env, args []string) error {
		return idata.with(ctx, station.Config{}, func(s *station.Station) error { return installStandards(ctx, e, s, args) })
	}
	list := &Command{UsageLine: "station standards list",
		Short: "the installed standards and blueprints, each version with its state today",
		Long:  "Examples:\n  shicao station standards list\n"}
	ldata := addStationData(&list.Flag)
	list.Run = func(ctx context.Context, e *env, args []string) error {
		return ldata.with(ctx, station.Config{}, func(s *station.Station) error { return listStandards(ctx, e, s) })
	}
	return &Command{UsageLine: "station standards", Short: "install signed standards and blueprints", Commands: []*Command{install, list}}
}

func installStandards(ctx context.Context, e *env, s *station.Station, files []string) error {
	failed := 0
	for _, f := range files {
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

// listStandards lists every installed version, with what it is today:
// the one in force is drawn and scores; a scheduled one waits for its
// date.
func listStandards(ctx context.Context, e *env, s *station.Station) error {
	list, err := s.Store().Standards(ctx)
	if err != nil {
		return err
	}
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

func stationVocabularyCmd() *Command {
	install := &Command{UsageLine: "station vocabulary install FILE",
		Short: "install a signed vocabulary document (new device kinds, event types)",
		Long:  "Examples:\n  shicao station vocabulary install vocabulary-2.signed\n"}
	idata := addStationData(&install.Flag)
	install.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("station vocabulary install: give one FILE")
		}
		return idata.with(ctx, station.Config{}, func(s *station.Station) error {
			b, err := os.ReadFile(args[0])
			if err != nil {
				return err
			}
			doc, err := s.InstallVocabulary(ctx, b)
			if errors.Is(err, standards.ErrInstalled) {
				fmt.Fprintf(e.stdout, "already installed vocabulary version %d\n", doc.Version)
				return nil
			}
			if err != nil {
				return fmt.Errorf("refused %s: %w", args[0], err)
			}
			fmt.Fprintf(e.stdout, "installed vocabulary version %d\n", doc.Version)
			return nil
		})
	}
	show := &Command{UsageLine: "station vocabulary show",
		Short: "the vocabulary in use: device kinds and event types",
		Long:  "Examples:\n  shicao station vocabulary show\n"}
	sdata := addStationData(&show.Flag)
	show.Run = func(ctx context.Context, e *env, args []string) error {
		return sdata.with(ctx, station.Config{}, func(s *station.Station) error {
			v, ver, err := s.Vocabulary(ctx)
			if err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "vocabulary version %d: %d device kinds, %d event types\n", ver, len(v.Devices), len(v.Types))
			for _, k := range v.DeviceKinds() {
				fmt.Fprintf(e.stdout, "  %s %s\n", k, v.Devices[k])
			}
			return nil
		})
	}
	return &Command{UsageLine: "station vocabulary", Short: "the signed vocabulary of device kinds and event types", Commands: []*Command{install, show}}
}

// stationImportCmd is `station plan import` and `station registry
// import`: a document signed by the centre, brought by hand.
func stationImportCmd(what, short string) *Command {
	imp := &Command{UsageLine: "station " + what + " import FILE", Short: short,
		Long: "Examples:\n  shicao station " + what + " import --data /var/lib/shicao/station " + what + ".signed\n"}
	data := addStationData(&imp.Flag)
	imp.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("station %s import: give one FILE", what)
		}
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
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
		})
	}
	return &Command{UsageLine: "station " + what, Short: short, Commands: []*Command{imp}}
}
