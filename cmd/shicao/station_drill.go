package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/tui"
)

// Examiner calibration drills at the station (docs/drills.md): a drill
// the centre signed is installed (or pulled on sync), examiners mark it
// in the TUI, and their calibration records go to the centre on sync —
// never as exam results.

func stationDrillCmd() *Command {
	return &Command{
		UsageLine: "station drill",
		Short:     "examiner calibration drills: install one, list them, mark one in the TUI",
		Commands:  []*Command{stationDrillInstallCmd(), stationDrillListCmd(), stationDrillMarkCmd()},
	}
}

func stationDrillInstallCmd() *Command {
	c := &Command{
		UsageLine: "station drill install [--data DIR] DRILL.note...",
		Short:     "install calibration drills signed by the centre (sync pulls them too)",
		Long: "The drill's standard (that very version and text) must be installed first.\n\n" +
			"Examples:\n  shicao station drill install --data /var/lib/shicao/station DR-K42-01.note\n",
	}
	data := addStationData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("station drill install: give the drill files the centre signed (shicao centre drill publish -o)")
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			for _, f := range args {
				b, err := os.ReadFile(f)
				if err != nil {
					return err
				}
				d, fresh, err := s.InstallDrill(ctx, b)
				if err != nil {
					return fmt.Errorf("%s: %w", f, err)
				}
				if fresh {
					fmt.Fprintf(e.stdout, "installed drill %s (%s, %s version %d, %d events)\n", d.ID, d.Title, d.Standard.ID, d.Standard.Version, len(d.Events))
				} else {
					fmt.Fprintf(e.stdout, "drill %s was installed already\n", d.ID)
				}
			}
			return nil
		})
	}
	return c
}

func stationDrillListCmd() *Command {
	c := &Command{
		UsageLine: "station drill list [--data DIR]",
		Short:     "list the installed drills and the calibration records signed here",
		Long:      "Examples:\n  shicao station drill list --data /var/lib/shicao/station\n",
	}
	data := addStationData(&c.Flag)
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("station drill list: unexpected argument %q", args[0])
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			drills, err := s.Drills(ctx)
			if err != nil {
				return err
			}
			for _, d := range drills {
				fmt.Fprintf(e.stdout, "drill %s  %s  %s version %d\n", d.ID, d.Title, d.Standard, d.Version)
			}
			recs, err := s.Calibrations(ctx)
			if err != nil {
				return err
			}
			for _, r := range recs {
				state := "waiting for sync"
				switch {
				case r.Refused != "":
					state = "refused: " + r.Refused
				case r.SentMs > 0:
					state = "sent"
				}
				fmt.Fprintf(e.stdout, "calibration %s  drill %s  examiner %s  %s\n", r.ID, r.Drill, station.MaskID(r.Examiner), state)
			}
			fmt.Fprintf(e.stdout, "%d drill(s), %d calibration record(s)\n", len(drills), len(recs))
			return nil
		})
	}
	return c
}

func stationDrillMarkCmd() *Command {
	c := &Command{
		UsageLine: "station drill mark [--data DIR] [--lang zh|en]",
		Short:     "mark a calibration drill in the TUI (an examiner signs in with their PIN)",
		Long: "The recorded item replays into its live sheet; the examiner marks it as a real item (1-9 on\n" +
			"the selected 评分项), submits, and sees each deduction against the panel's. The record is\n" +
			"sent to the centre on the next sync, as calibration, never as an exam result.\n\n" +
			"Examples:\n  shicao station drill mark --data /var/lib/shicao/station\n",
	}
	data := addStationData(&c.Flag)
	lang := c.Flag.String("lang", "zh", "zh or en")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) > 0 {
			return usagef("station drill mark: unexpected argument %q", args[0])
		}
		return data.with(ctx, station.Config{}, func(s *station.Station) error {
			tui.ApplyEnv(os.Getenv)
			p := tea.NewProgram(tui.New(tui.Deps{Station: s, Lang: *lang, Drill: true}), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
			if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
				return err
			}
			return nil
		})
	}
	return c
}

// printDrillSync says what a sync round did with drills.
func printDrillSync(e *env, d *station.DrillSync) {
	if d == nil {
		return
	}
	for _, id := range d.Installed {
		fmt.Fprintf(e.stdout, "drill %s installed\n", id)
	}
	for _, why := range d.Skipped {
		fmt.Fprintf(e.stdout, "drill not installed yet: %s\n", why)
	}
	if d.Sent > 0 {
		fmt.Fprintf(e.stdout, "%d calibration record(s) sent\n", d.Sent)
	}
	if d.Refused > 0 {
		fmt.Fprintf(e.stdout, "%d calibration record(s) refused (shicao station drill list says why)\n", d.Refused)
	}
}
