package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
)

func stationInitCmd() *Command {
	c := &Command{UsageLine: "station init --name NAME --site SITE [--demo]",
		Short: "create the data directory, keys (station.key 0600, station.pub)",
		Long:  "Examples:\n  shicao station init --data /var/lib/shicao --name STN-01 --site TA-KD-01\n  shicao station init --data /tmp/demo --demo   # the demo station, seeded with the demo day\n"}
	data := addStationData(&c.Flag)
	name := c.Flag.String("name", "", "the station's name, as the centre registers it")
	site := c.Flag.String("site", "", "the accepted exam site the station stands at")
	seed := c.Flag.Bool("demo", false, "seed the demo day (demo keys, library, registry, today's plan)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
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
		vkey, err := station.InitDir(ctx, data.dir, *name, *site)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "station %s at site %s in %s\nverifier key (register it with the centre): %s\n", *name, *site, data.dir, vkey)
		if !*seed {
			return nil
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			if err := demo.Seed(ctx, s); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "seeded the demo day: plan %s for %s\n", demo.PlanID, s.Today())
			for _, x := range demo.Examiners {
				fmt.Fprintf(e.stdout, "  examiner %s %s PIN %s\n", x.ID, x.Name, x.PIN)
			}
			return nil
		})
	}
	return c
}

func stationTrustCmd() *Command {
	add := &Command{UsageLine: "station trust add [--threshold N] KEY.pub...",
		Short: "pin the province's verifier keys",
		Long:  "Examples:\n  shicao station trust add --threshold 2 province-a.pub province-b.pub\n"}
	data := addStationData(&add.Flag)
	threshold := add.Flag.Int("threshold", 0, "how many distinct trusted keys must sign a standard (default: keep, 1 at first)")
	add.Run = func(ctx context.Context, e *env, args []string) error {
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			for _, f := range args {
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
				if err := s.Store().SetTrustThreshold(ctx, *threshold); err != nil {
					return err
				}
			}
			_, err := s.Trust(ctx)
			return err
		})
	}
	return &Command{UsageLine: "station trust", Short: "the province's verifier keys", Commands: []*Command{add}}
}

func stationCentreCmd() *Command {
	set := &Command{UsageLine: "station centre set KEY.pub",
		Short: "pin the exam centre's verifier key",
		Long:  "Examples:\n  shicao station centre set --data /var/lib/shicao/station centre.pub\n"}
	data := addStationData(&set.Flag)
	set.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("station centre set: give the centre's KEY.pub")
		}
		b, err := os.ReadFile(args[0])
		if err != nil {
			return err
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
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
		})
	}
	return &Command{UsageLine: "station centre", Short: "the exam centre's key", Commands: []*Command{set}}
}
