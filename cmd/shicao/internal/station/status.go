package station

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// StatusEvery is how often an open station reports its status to the
// centre: the console shows a station silent for 30 s as offline
// (centre.OfflineAfter), so a few statuses may be lost before it does.
const StatusEvery = 5 * time.Second

// StatusPoster sends a status to the centre (examsync.Client.PostStatus).
type StatusPoster interface {
	PostStatus(ctx context.Context, st examsync.StationStatus) error
}

// StatusReporter sends the station's status while it is open: once at
// start, then every Every. A status is a snapshot: one that fails is
// not retried, the next replaces it.
type StatusReporter struct {
	// Snapshot returns the status to send now (the TUI's screen and the
	// station's outbox and clock: see Station.FillStatus).
	Snapshot func(ctx context.Context) examsync.StationStatus
	Poster   StatusPoster
	Every    time.Duration // 0: StatusEvery
	// NewTicker starts the ticker (tests inject one); nil is
	// time.NewTicker.
	NewTicker func(d time.Duration) (c <-chan time.Time, stop func())
	Logger    *slog.Logger
}

// Run reports until ctx ends, and returns ctx's error. A failure to send
// is logged when it begins and when it ends, not at every tick.
func (r *StatusReporter) Run(ctx context.Context) error {
	every := r.Every
	if every <= 0 {
		every = StatusEvery
	}
	log := r.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	newTicker := r.NewTicker
	if newTicker == nil {
		newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	tick, stop := newTicker(every)
	defer stop()
	failing := false
	for {
		// Each send is bounded by the interval: a centre that does not
		// answer must not hold back the next status.
		sctx, cancel := context.WithTimeout(ctx, every)
		err := r.Poster.PostStatus(sctx, r.Snapshot(sctx))
		cancel()
		switch {
		case err != nil && ctx.Err() == nil && !failing:
			log.Warn("status not sent", "err", err)
			failing = true
		case err == nil && failing:
			log.Info("status sent again")
			failing = false
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick:
		}
	}
}

// FillStatus adds what the station knows of itself to st: its name, the
// outbox's depth, its clock offset from the centre at the last sync, and
// the installed standards (id@version, the newest of each). It returns
// the store's error; st keeps what was filled before it.
func (s *Station) FillStatus(ctx context.Context, st *examsync.StationStatus) error {
	st.Station = s.cfg.Name
	rows, err := s.st.Outbox(ctx, "")
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	st.OutboxDepth, st.Parked = 0, 0
	for _, o := range rows {
		switch o.State {
		case store.OutboxQueued:
			st.OutboxDepth++
		case store.OutboxParked:
			st.Parked++
		}
	}
	st.ClockOffsetMs = nil
	if v, err := s.st.Meta(ctx, metaClockOffset); err == nil {
		if ms, err := strconv.ParseInt(v, 10, 64); err == nil {
			st.ClockOffsetMs = &ms
		}
	} else if !errors.Is(err, store.ErrNotFound) {
		return fmt.Errorf("status: %w", err)
	}
	list, err := s.st.Standards(ctx)
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	newest := map[string]int{}
	var order []string
	for _, x := range list {
		if _, ok := newest[x.ID]; !ok {
			order = append(order, x.ID)
		}
		newest[x.ID] = max(newest[x.ID], x.Version)
	}
	have := map[string]bool{}
	for _, v := range st.Standards { // the running item's, put first by the caller
		have[v] = true
	}
	for _, id := range order {
		if v := id + "@" + strconv.Itoa(newest[id]); !have[v] {
			st.Standards = append(st.Standards, v)
		}
	}
	return nil
}
