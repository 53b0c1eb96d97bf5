package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	gosync "sync"
	"time"

	"shicao/standards"
	examsync "shicao/sync"
)

// The stations' live status (POST /v1/status, docs/console.md): the
// latest status of each station and when it was last heard, statuses
// refused counted, and alarms for a station's clock drifting and for
// refused statuses. The console watches the changes (WatchStatus).

// Thresholds of the live grid.
const (
	// OfflineAfter is how long a station may be silent before it is shown
	// offline: it sends a status every few seconds (station.StatusEvery).
	OfflineAfter = 30 * time.Second
	// DriftThreshold is how far a station's clock may be from the
	// centre's, as the centre sees it (the status's signed time against
	// the centre's clock when it arrives), before an alarm is raised.
	// The station's own readiness gate refuses an item at 1 s
	// (station.MaxClockOffset) measured to half a round trip; the
	// centre's measure also holds the request's one-way delay, hence 2 s.
	DriftThreshold = 2 * time.Second
	// refusalAlarmEvery is how often a row of refused statuses may raise
	// an alarm: a forger or a misconfigured station sending every few
	// seconds raises one alarm, not a thousand.
	refusalAlarmEvery = 10 * time.Minute
)

// Alarm kinds of the live status.
const (
	AlarmClockDrift    = "clock-drift"
	AlarmStatusRefused = "status-refused"
)

var _ examsync.StatusSink = (*Centre)(nil)

// Status keeps a registered station's status, signed at signedAt (its
// signature verified by the caller). It returns a *examsync.Refusal for
// a status that does not parse or is not newer than the one kept (a
// replay). A clock beyond DriftThreshold raises one clock-drift alarm
// until it is back within.
func (c *Centre) Status(ctx context.Context, station string, signedAt time.Time, body []byte) error {
	if _, err := examsync.ParseStatus(station, body); err != nil {
		return err
	}
	// In whole milliseconds, as the signature's time is: 10 s behind
	// reads "10s", not "10.001s" from the centre clock's nanoseconds.
	now := c.now().Truncate(time.Millisecond)
	off := now.Sub(signedAt.Truncate(time.Millisecond))
	drifting := off > DriftThreshold || off < -DriftThreshold
	err := inTx(ctx, c.db, func(tx *sql.Tx) error {
		var last int64
		var was bool
		err := tx.QueryRowContext(ctx, `SELECT signed_ms, drifting FROM station_status WHERE station = ?`, station).Scan(&last, &was)
		switch {
		case errors.Is(err, sql.ErrNoRows):
		case err != nil:
			return err
		case signedAt.UnixMilli() <= last:
			return examsync.Refuse(http.StatusUnauthorized, examsync.CodeReplay, "this status was signed at %d ms, not after the last one kept (%d ms): a replay is refused", signedAt.UnixMilli(), last)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO station_status (station, body, signed_ms, seen_ms, drifting) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (station) DO UPDATE SET body = excluded.body, signed_ms = excluded.signed_ms, seen_ms = excluded.seen_ms, drifting = excluded.drifting`,
			station, body, signedAt.UnixMilli(), now.UnixMilli(), drifting); err != nil {
			return err
		}
		if drifting && !was {
			way := "behind"
			if off < 0 {
				way = "ahead of"
			}
			_, err := tx.ExecContext(ctx, `INSERT INTO alarms (at_ms, kind, station, subject, detail) VALUES (?, ?, ?, ?, ?)`,
				now.UnixMilli(), AlarmClockDrift, station, "clock",
				fmt.Sprintf("the station's clock is %s %s the centre's (status signed %s, received %s; threshold %s): set the station's clock right",
					off.Abs().Round(time.Millisecond), way, signedAt.UTC().Format(time.RFC3339Nano), now.UTC().Format(time.RFC3339Nano), DriftThreshold))
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	c.live.publish(station)
	return nil
}

// StatusRefused counts a refused status under the station it claimed
// (or under "" when no such station is registered) and raises a
// status-refused alarm, at most one per station and code every ten
// minutes. The status itself is never kept. A failure to count is
// dropped: the refusal is answered and logged by the server anyway.
func (c *Centre) StatusRefused(ctx context.Context, claimed string, ref *examsync.Refusal) {
	station := claimed
	if station != "" {
		if _, err := c.StationKey(ctx, station); err != nil {
			station = ""
		}
	}
	now := c.nowMs()
	_ = inTx(ctx, c.db, func(tx *sql.Tx) error {
		var alarmMs int64
		err := tx.QueryRowContext(ctx, `SELECT alarm_ms FROM status_refusals WHERE station = ? AND code = ?`, station, ref.Code).Scan(&alarmMs)
		if err != nil && !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		alarm := alarmMs == 0 || now-alarmMs >= refusalAlarmEvery.Milliseconds()
		if alarm {
			alarmMs = now
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO status_refusals (station, code, count, first_ms, last_ms, last_claimed, last_reason, alarm_ms)
			VALUES (?, ?, 1, ?, ?, ?, ?, ?)
			ON CONFLICT (station, code) DO UPDATE SET count = count + 1, last_ms = excluded.last_ms,
				last_claimed = excluded.last_claimed, last_reason = excluded.last_reason, alarm_ms = excluded.alarm_ms`,
			station, ref.Code, now, now, claimed, ref.Reason, alarmMs); err != nil {
			return err
		}
		if !alarm {
			return nil
		}
		subject := "status"
		if station == "" {
			subject = fmt.Sprintf("status claiming %q", claimed)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO alarms (at_ms, kind, station, subject, detail) VALUES (?, ?, ?, ?, ?)`,
			now, AlarmStatusRefused, station, subject, fmt.Sprintf("%s (%d): %s", ref.Code, ref.Status, ref.Reason))
		return err
	})
	c.live.publish("")
}

// LiveStation is a registered station with its latest status, if any.
type LiveStation struct {
	Name, Site string
	Status     *examsync.StationStatus // nil: never heard from
	SignedMs   int64                   // the station's clock at its last status
	SeenMs     int64                   // the centre's clock at its last status; 0: never
	Drifting   bool
}

// OffsetMs is the station's clock offset as the centre saw it at the
// last status (centre minus station, holding the one-way delay).
func (l *LiveStation) OffsetMs() int64 { return l.SeenMs - l.SignedMs }

// Offline reports whether the station has been silent OfflineAfter or
// longer at now (or was never heard from).
func (l *LiveStation) Offline(now time.Time) bool {
	return l.SeenMs == 0 || now.UnixMilli()-l.SeenMs >= OfflineAfter.Milliseconds()
}

// LiveStations returns the registered stations of site ("" for every
// site) with their latest statuses, by site and name. A status that
// does not parse (a database edited by hand) is shown as none.
func (c *Centre) LiveStations(ctx context.Context, site string) ([]LiveStation, error) {
	q := `SELECT s.name, s.site, coalesce(t.body, CAST('' AS BLOB)), coalesce(t.signed_ms, 0), coalesce(t.seen_ms, 0), coalesce(t.drifting, 0)
		FROM stations s LEFT JOIN station_status t ON t.station = s.name`
	var args []any
	if site != "" {
		q += ` WHERE s.site = ?`
		args = append(args, site)
	}
	return c.liveRows(ctx, q+` ORDER BY s.site, s.name`, args...)
}

// LiveStationByName returns one registered station with its status, or
// ErrNotFound.
func (c *Centre) LiveStationByName(ctx context.Context, name string) (*LiveStation, error) {
	list, err := c.liveRows(ctx, `SELECT s.name, s.site, coalesce(t.body, CAST('' AS BLOB)), coalesce(t.signed_ms, 0), coalesce(t.seen_ms, 0), coalesce(t.drifting, 0)
		FROM stations s LEFT JOIN station_status t ON t.station = s.name WHERE s.name = ?`, name)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, ErrNotFound
	}
	return &list[0], nil
}

func (c *Centre) liveRows(ctx context.Context, q string, args ...any) ([]LiveStation, error) {
	rows, err := c.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []LiveStation
	for rows.Next() {
		var l LiveStation
		var body []byte
		if err := rows.Scan(&l.Name, &l.Site, &body, &l.SignedMs, &l.SeenMs, &l.Drifting); err != nil {
			return nil, err
		}
		if len(body) > 0 {
			// Checked by ParseStatus when it was kept: only parsed here.
			var st examsync.StationStatus
			if json.Unmarshal(body, &st) == nil {
				l.Status = &st
			}
		}
		out = append(out, l)
	}
	return out, rows.Err()
}

// StatusRefusal is a count of refused statuses.
type StatusRefusal struct {
	Station     string // "" for stations not registered
	Code        string
	Count       int64
	FirstMs     int64
	LastMs      int64
	LastClaimed string
	LastReason  string
}

// StatusRefusals returns the counts of refused statuses, the latest
// first.
func (c *Centre) StatusRefusals(ctx context.Context) ([]StatusRefusal, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT station, code, count, first_ms, last_ms, last_claimed, last_reason
		FROM status_refusals ORDER BY last_ms DESC, station, code`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []StatusRefusal
	for rows.Next() {
		var r StatusRefusal
		if err := rows.Scan(&r.Station, &r.Code, &r.Count, &r.FirstMs, &r.LastMs, &r.LastClaimed, &r.LastReason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// Now returns the centre's clock.
func (c *Centre) Now() time.Time { return c.now() }

// DateOf returns the date at the exam sites at ms (YYYY-MM-DD).
func (c *Centre) DateOf(ms int64) string {
	return standards.DateOf(time.UnixMilli(ms).In(c.zone)).String()
}

// WatchStatus returns a watch of the stations' statuses: after each
// kept status, its station's name is pending; after each refused one,
// "". Close it when done.
func (c *Centre) WatchStatus() *StatusWatch { return c.live.watch() }

// StatusWatch is a watch of the stations' statuses. Changes coalesce:
// however many statuses arrive before Take, each station is pending
// once, and a slow reader never blocks the centre.
type StatusWatch struct {
	hub     *statusHub
	ready   chan struct{}
	mu      gosync.Mutex
	pending map[string]bool
}

// Ready is signalled when names are pending.
func (w *StatusWatch) Ready() <-chan struct{} { return w.ready }

// Take returns the pending names, sorted, and clears them.
func (w *StatusWatch) Take() []string {
	w.mu.Lock()
	defer w.mu.Unlock()
	out := make([]string, 0, len(w.pending))
	for n := range w.pending {
		out = append(out, n)
	}
	clear(w.pending)
	slices.Sort(out)
	return out
}

// Close ends the watch.
func (w *StatusWatch) Close() {
	w.hub.mu.Lock()
	delete(w.hub.subs, w)
	w.hub.mu.Unlock()
}

// statusHub is the centre's watchers of statuses.
type statusHub struct {
	mu   gosync.Mutex
	subs map[*StatusWatch]struct{}
}

func (h *statusHub) watch() *StatusWatch {
	w := &StatusWatch{hub: h, ready: make(chan struct{}, 1), pending: map[string]bool{}}
	h.mu.Lock()
	if h.subs == nil {
		h.subs = map[*StatusWatch]struct{}{}
	}
	h.subs[w] = struct{}{}
	h.mu.Unlock()
	return w
}

func (h *statusHub) publish(name string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for w := range h.subs {
		w.mu.Lock()
		w.pending[name] = true
		w.mu.Unlock()
		select {
		case w.ready <- struct{}{}:
		default:
		}
	}
}

// Zone returns the exam sites' time zone.
func (c *Centre) Zone() *time.Location { return c.zone }
