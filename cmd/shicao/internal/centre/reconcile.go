package centre

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/pgdb"
	examsync "shicao/sync"
)

// Alarm kinds a reconciliation raises, one per difference.
const (
	AlarmReconQueued   = "reconcile-queued"   // the station still queues a result: open until it arrives
	AlarmReconMissing  = "reconcile-missing"  // the station says receipted; the centre does not hold it (or at another index)
	AlarmReconUnlisted = "reconcile-unlisted" // the centre holds a result of the day the station did not list
	AlarmReconState    = "reconcile-state"    // a candidate absent, voided or interrupted with a result held
	AlarmReconRefused  = "reconcile-refused"  // a result the centre refused, still unresolved at the station
)

// ReconReport is what the centre found in a station's reconciliation.
type ReconReport struct {
	Station, Date string
	Candidates    int
	Results       int
	Differences   []Alarm // one alarm raised per difference
}

// Reconcile checks a station's signed end-of-day reconciliation against
// what the centre holds and raises an alarm on every difference. A result
// the station still queues raises an alarm that stays open until the
// result arrives (Ingest resolves it).
func (c *Centre) Reconcile(ctx context.Context, stationName string, signed []byte) (*ReconReport, error) {
	r, err := c.openReconciliation(ctx, stationName, signed)
	if err != nil {
		return nil, err
	}
	if _, err := c.db.ExecContext(ctx, `INSERT INTO reconciliations (station, date, signed, at_ms) VALUES (?, ?, ?, ?)`, stationName, r.Date, signed, c.nowMs()); err != nil {
		return nil, translate(err)
	}
	rc := &reconciling{c: c, ctx: ctx, station: stationName, date: r.Date,
		rep: &ReconReport{Station: stationName, Date: r.Date, Candidates: len(r.Candidates), Results: len(r.Results)}}
	listed, err := rc.results(r.Results)
	if err != nil {
		return nil, err
	}
	rc.candidates(r.Candidates)
	rowsErr, err := rc.unlisted(listed)
	if err != nil {
		return nil, err
	}
	return rc.rep, rowsErr
}

// openReconciliation checks a reconciliation's signature by the station
// that sent it and decodes it.
func (c *Centre) openReconciliation(ctx context.Context, stationName string, signed []byte) (*examsync.Reconciliation, error) {
	key, err := c.StationKey(ctx, stationName)
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(strings.TrimSpace(key))
	if err != nil {
		return nil, fmt.Errorf("station %s key: %w", stationName, err)
	}
	n, err := note.Open(signed, note.VerifierList(v))
	if err != nil {
		return nil, examsync.Refuse(http.StatusUnprocessableEntity, CodeUnverifiable, "the reconciliation is not signed by station %s: %v", stationName, err)
	}
	var r examsync.Reconciliation
	dec := json.NewDecoder(bytes.NewReader([]byte(n.Text)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&r); err != nil || r.Kind != examsync.KindReconciliation {
		return nil, examsync.Refuse(http.StatusUnprocessableEntity, "reconciliation", "not a %s document", examsync.KindReconciliation)
	}
	if r.Station != stationName {
		return nil, examsync.Refuse(http.StatusUnprocessableEntity, CodeOtherStation, "the reconciliation names station %s but was sent by %s", r.Station, stationName)
	}
	return &r, nil
}

// reconciling is one station's day being reconciled: each difference
// found raises an alarm and goes in the report.
type reconciling struct {
	c       *Centre
	ctx     context.Context
	station string
	date    string
	rep     *ReconReport
}

func (rc *reconciling) raise(kind, subject, detail string) {
	c, ctx := rc.c, rc.ctx
	if kind == AlarmReconQueued {
		// One open alarm per queued result, however often the day is reconciled.
		var open int
		_ = c.db.QueryRowContext(ctx, `SELECT count(*) FROM alarms WHERE kind = ? AND subject = ? AND resolved_ms IS NULL`, kind, subject).Scan(&open)
		if open > 0 {
			rc.rep.Differences = append(rc.rep.Differences, Alarm{Kind: kind, Station: rc.station, Subject: subject, Detail: detail})
			return
		}
	}
	c.alarm(ctx, kind, rc.station, subject, detail)
	rc.rep.Differences = append(rc.rep.Differences, Alarm{AtMs: c.nowMs(), Kind: kind, Station: rc.station, Subject: subject, Detail: detail})
}

// results compares the results the station lists, by state, with those
// the centre holds, and returns the ids listed.
func (rc *reconciling) results(results []examsync.ReconResult) (map[string]bool, error) {
	stationName, date := rc.station, rc.date
	listed := map[string]bool{}
	for _, x := range results {
		listed[x.ID] = true
		var idx int64
		err := rc.c.db.QueryRowContext(rc.ctx, `SELECT log_index FROM results WHERE id = ? AND station = ?`, x.ID, stationName).Scan(&idx)
		held := err == nil
		if err != nil && !errors.Is(err, ErrNotFound) && !errors.Is(translate(err), ErrNotFound) {
			return nil, translate(err)
		}
		switch x.State {
		case examsync.ReconReceipted:
			switch {
			case !held:
				rc.raise(AlarmReconMissing, "result "+x.ID, fmt.Sprintf("station %s holds a verified receipt (log index %s) for result %s of %s; the centre does not hold it", stationName, indexText(x.Index), x.ID, date))
			case x.Index == nil || *x.Index != idx:
				rc.raise(AlarmReconMissing, "result "+x.ID, fmt.Sprintf("station %s says result %s is at log index %s; the centre logged it at %d", stationName, x.ID, indexText(x.Index), idx))
			}
		case examsync.ReconQueued:
			if !held {
				rc.raise(AlarmReconQueued, "result "+x.ID, fmt.Sprintf("result %s (candidate %s, plan %s) of %s is still queued at station %s: not at the centre; this alarm stays until it arrives", x.ID, x.Candidate, x.Plan, date, stationName))
			}
		case examsync.ReconRefused:
			if !held {
				rc.raise(AlarmReconRefused, "result "+x.ID, fmt.Sprintf("result %s (candidate %s) of %s was refused by the centre: %s", x.ID, x.Candidate, date, x.Note))
			}
		}
	}
	return listed, nil
}

// candidates raises an alarm for each candidate the station reports as
// not sat whose result the centre holds.
func (rc *reconciling) candidates(candidates []examsync.ReconCandidate) {
	for _, x := range candidates {
		if x.State == examsync.ReconSat {
			continue
		}
		var id string
		err := rc.c.db.QueryRowContext(rc.ctx, `SELECT id FROM results WHERE plan_id = ? AND candidate = ? ORDER BY log_index LIMIT 1`, x.Plan, x.IDNumber).Scan(&id)
		if err == nil {
			rc.raise(AlarmReconState, "candidate "+x.IDNumber, fmt.Sprintf("station %s reports candidate %s on plan %s as %s, but the centre holds result %s", rc.station, x.IDNumber, x.Plan, x.State, id))
		}
	}
}

// unlisted raises an alarm for each result of the station's day the
// centre holds and the reconciliation does not list. A failed query or
// scan is err; rowsErr is the rows' error after the alarms for those read.
func (rc *reconciling) unlisted(listed map[string]bool) (rowsErr, err error) {
	stationName, date := rc.station, rc.date
	rows, err := rc.c.db.QueryContext(rc.ctx, `SELECT id FROM results WHERE station = ? AND date = ? ORDER BY log_index`, stationName, date)
	if err != nil {
		return nil, translate(err)
	}
	var unlisted []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		if !listed[id] {
			unlisted = append(unlisted, id)
		}
	}
	rows.Close()
	for _, id := range unlisted {
		rc.raise(AlarmReconUnlisted, "result "+id, fmt.Sprintf("the centre holds result %s of station %s on %s; the station's reconciliation does not list it", id, stationName, date))
	}
	return rows.Err(), nil
}

func indexText(i *int64) string {
	if i == nil {
		return "none"
	}
	return fmt.Sprint(*i)
}

// queueResolveQueued queues on w, the batch that appends result id, the
// resolving of the open alarm of a reconciliation that found it still
// queued: it has arrived.
func (c *Centre) queueResolveQueued(w *pgdb.Batch, id string) {
	w.Exec(`UPDATE alarms SET resolved_ms = ?, detail = detail || ' — arrived' WHERE kind = ? AND subject = ? AND resolved_ms IS NULL`, c.nowMs(), AlarmReconQueued, "result "+id)
}

// ReconcileDay is Reconcile for the HTTP API: the answer as JSON.
func (c *Centre) ReconcileDay(ctx context.Context, stationName string, signed []byte) ([]byte, error) {
	rep, err := c.Reconcile(ctx, stationName, signed)
	if err != nil {
		return nil, err
	}
	a := examsync.ReconAnswer{Date: rep.Date, Candidates: rep.Candidates, Results: rep.Results, Differences: []examsync.ReconDifference{}}
	for _, d := range rep.Differences {
		a.Differences = append(a.Differences, examsync.ReconDifference{Kind: d.Kind, Subject: d.Subject, Detail: d.Detail})
	}
	return json.Marshal(a)
}
