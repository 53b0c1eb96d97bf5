package main

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"time"

	"shicao/cmd/shicao/internal/station"
	"shicao/cmd/shicao/internal/tui"
	examsync "shicao/sync"
)

// startStatus sends the station's status to the centre at url every
// station.StatusEvery while ctx lasts (docs/api.md, POST /v1/status):
// what the TUI shows (board, kept by tui.WithStatus) with the station's
// outbox, clock offset and standards. Requests are signed at now's time
// (nil: the real time), like the sync's.
func startStatus(ctx context.Context, s *station.Station, sdir, url string, hc *http.Client, now func() time.Time, board *tui.StatusBoard, log *slog.Logger) error {
	key, err := os.ReadFile(filepath.Join(sdir, station.KeyFile))
	if err != nil {
		return err
	}
	if hc == nil {
		hc = &http.Client{Timeout: 20 * time.Second}
	}
	client, err := examsync.NewClient(url, s.Name(), string(key), hc)
	if err != nil {
		return err
	}
	if now != nil {
		client.Now = now
	}
	rep := &station.StatusReporter{Poster: client, Logger: log, Snapshot: func(ctx context.Context) examsync.StationStatus {
		st := board.Load()
		st.Software = "shicao " + version
		if err := s.FillStatus(ctx, &st); err != nil {
			log.Warn("status", "err", err)
		}
		return st
	}}
	go rep.Run(ctx)
	return nil
}
