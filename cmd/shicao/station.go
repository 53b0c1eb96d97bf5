package main

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"path/filepath"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/tui"
	"shicao/hardware"
)

// stationCmd is `shicao station`: run on its own it is the exam station's
// TUI (station_tui.go); its subcommands set the station up, run scripted
// exams and look after results. One file per part: station_init.go,
// station_standards.go, station_run.go, station_results.go,
// station_sync.go, station_config.go, slip.go, reconcile.go.
func stationCmd() *Command {
	c := stationTUICmd()
	c.Commands = []*Command{
		stationInitCmd(),
		stationConfigCmd(),
		stationTrustCmd(),
		stationCentreCmd(),
		stationStandardsCmd(),
		stationVocabularyCmd(),
		stationImportCmd("plan", "import an exam plan signed by the centre"),
		stationImportCmd("registry", "import the examiner and equipment registry signed by the centre"),
		stationRunCmd(),
		stationInterruptedCmd(),
		stationResultsCmd(),
		stationExportCmd(),
		stationSlipCmd(),
		stationReconcileCmd(),
		stationSyncCmd(),
		stationBackupCmd(),
		stationTrainingCmd(),
		stationDrillCmd(),
	}
	return c
}

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

// openStationForExams opens the station where exams run (the TUI,
// station run, the demo): its database must pass station.CheckStart, or
// nothing runs, with the refusal in the examiners' language.
func openStationForExams(ctx context.Context, dir string, cfg station.Config, lang string) (*station.Station, error) {
	s, err := station.OpenDirConfig(ctx, dir, cfg)
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

// readings is the equipment wiring: every reading goes to the station
// (station.Route records it) and then to the screen through send.
func readings(ctx context.Context, log *slog.Logger, s *station.Station, send func(tea.Msg)) func(string, hardware.Reading) {
	return func(kind string, rd hardware.Reading) {
		s.Route(ctx, log, kind, rd)
		switch rd.Type {
		case hardware.TypeLost, hardware.TypeBack, hardware.TypeConnected:
			state := map[string]string{hardware.TypeLost: "lost", hardware.TypeBack: "back", hardware.TypeConnected: "connected"}[rd.Type]
			send(tui.DeviceStateMsg{Kind: kind, State: state})
		case hardware.TypeStatus:
		default:
			send(tui.ReadingMsg{Kind: kind, Type: rd.Type, Fields: rd.Fields})
		}
	}
}
