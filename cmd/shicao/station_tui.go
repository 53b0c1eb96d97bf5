package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"sync/atomic"

	tea "github.com/charmbracelet/bubbletea"

	"shicao/cmd/shicao/internal/rig"
	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/tui"
)

// stationTUICmd is `shicao station [--config FILE]`, the station group's
// own action: the exam station with its equipment from the
// configuration, the link to the centre, and the TUI.
func stationTUICmd() *Command {
	c := &Command{UsageLine: "station [--config FILE] [--data DIR] [--lang zh|en]",
		Short: "the exam station: init, trust, standards, plans, scripted exams, results",
		Long: "With no command: the exam station's TUI (docs/station.example.toml).\n" +
			"Every station command takes --data DIR (default: the user's data directory).\n\n" +
			"Examples:\n  shicao station --config /etc/shicao/station.toml\n"}
	cfgFile := c.Flag.String("config", "", "the station's configuration (TOML); default: built-in defaults")
	data := c.Flag.String("data", "", "the data directory (overrides the configuration)")
	lang := c.Flag.String("lang", "", "zh or en (overrides the configuration)")
	training := c.Flag.Bool("training", false, "training mode: results are training results, never exam results (refused on an exam day at an accepted site)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
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
		cfg.Training = cfg.Training || *training
		if err := cfg.Validate(); err != nil {
			return fmt.Errorf("configuration: %w", err)
		}
		return stationTUI(ctx, e, cfg)
	}
	return c
}

func stationTUI(ctx context.Context, e *env, cfg Config) error {
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
	s, err := openStationForExams(ctx, cfg.Data, station.Config{Printer: pr, ClockMaxAge: station.DefaultClockMaxAge, Training: cfg.Training}, cfg.Lang)
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
	rg, err := rig.Real(ctx, ports, readings(ctx, log, s, send))
	if err != nil {
		return err
	}
	defer func() { cancel(); rg.Wait() }()
	deps := tui.Deps{Station: s, Equipment: rg, Lang: cfg.Lang}
	board := &tui.StatusBoard{} // what the TUI shows, for the live status
	if cfg.Centre.URL != "" {
		hc, err := cfg.Centre.HTTPClient()
		if err != nil {
			return fmt.Errorf("centre.ca: %w", err)
		}
		link, err := s.StartLink(ctx, station.LinkOptions{URL: cfg.Centre.URL, HTTP: hc, Every: cfg.Centre.SyncEvery.Duration, Logger: log})
		if err != nil {
			return err
		}
		deps.Sync = link
		if err := startStatus(ctx, s, cfg.Data, cfg.Centre.URL, hc, nil, board, log); err != nil {
			return err
		}
	}
	tui.ApplyEnv(os.Getenv)
	p := tea.NewProgram(tui.WithStatus(tui.New(deps), board), tea.WithAltScreen(), tea.WithContext(ctx), tea.WithInput(e.stdin), tea.WithOutput(e.stdout))
	program.Store(p)
	if _, err := p.Run(); err != nil && !errors.Is(err, tea.ErrProgramKilled) {
		return err
	}
	return nil
}

var _ tui.SyncStatus = (*station.Link)(nil)
