package centre

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Calibration drills (issue 22 §3): the centre signs a recorded item and
// its panel's marks as a drill, sends it to every station on sync, and
// keeps what examiners mark on it as calibration records, scored again
// here and compared with the panel per 评分项 (drill_report.go).

// Refusal codes and alarm kinds of drills.
const (
	// CodeCalibrationResult (422) refuses a calibration record, or a
	// result signed with the calibration purpose, sent as an exam result.
	CodeCalibrationResult = "calibration-result"
	// CodeDrill (422) refuses a calibration record on a drill this centre
	// did not publish, or on another text of it.
	CodeDrill = "drill"
	// AlarmCalibration is raised when a calibration record puts its
	// examiner over the tolerance on a 评分项 (drill_report.go).
	AlarmCalibration = "calibration-tolerance"
)

// PublishDrill signs a drill and keeps it for the stations. The standard
// must be a published version, the panel's marks must name items with
// marks, and the recorded log must score under the standard; the
// examiners' and the candidate's events are taken out of it
// (examsync.PanelLog). A drill id is published once.
func (c *Centre) PublishDrill(ctx context.Context, d examsync.Drill, events []standards.Event) ([]byte, error) {
	if strings.TrimSpace(d.ID) == "" {
		return nil, errors.New("drill: give it an id")
	}
	std, err := c.publishedStandard(ctx, d.Standard.ID, d.Standard.Version)
	if err != nil {
		return nil, fmt.Errorf("drill %s: %w", d.ID, err)
	}
	if err := examsync.CheckPanel(std, d.Panel); err != nil {
		return nil, fmt.Errorf("drill %s: %w", d.ID, err)
	}
	log := examsync.PanelLog(events)
	if len(log) == 0 || log[0].Type != standards.TypeSessionStart {
		return nil, fmt.Errorf("drill %s: the recorded log must begin with session.start", d.ID)
	}
	if _, err := scoring.Score(std, log); err != nil {
		return nil, fmt.Errorf("drill %s: the recorded log does not score under %s version %d: %w", d.ID, std.ID, std.Version, err)
	}
	d.Kind, d.Standard.SHA256, d.IssuedMs = examsync.KindDrill, std.SHA256(), c.nowMs()
	if d.Title == "" {
		d.Title = std.Title
	}
	d.Events = nil
	for _, ev := range log {
		line, err := json.Marshal(ev)
		if err != nil {
			return nil, err
		}
		d.Events = append(d.Events, line)
	}
	signed, err := examsync.SignWith(d, c.signer)
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(signed)
	_, err = c.db.ExecContext(ctx, `INSERT INTO drills (id, standard, version, title, sha256, signed, published_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
		d.ID, std.ID, std.Version, d.Title, hex.EncodeToString(sum[:]), signed, d.IssuedMs)
	if err != nil {
		if _, _, gerr := c.drillByID(ctx, d.ID); gerr == nil {
			return nil, fmt.Errorf("drill %s is published already: a drill is never changed once examiners may have marked it; publish the new one under a new id", d.ID)
		}
		return nil, fmt.Errorf("publish drill %s: %w", d.ID, translate(err))
	}
	return signed, nil
}

// publishedStandard parses a published item standard's version.
func (c *Centre) publishedStandard(ctx context.Context, id string, version int) (*standards.Standard, error) {
	var signed []byte
	err := c.db.QueryRowContext(ctx, `SELECT signed FROM standards WHERE id = ? AND version = ?`, id, version).Scan(&signed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("standard %s version %d is not published (shicao centre standard publish)", id, version)
	} else if err != nil {
		return nil, translate(err)
	}
	cand, err := standards.ParseAny(id, standards.SplitNote(signed))
	if err != nil {
		return nil, err
	}
	if cand.Standard == nil {
		return nil, fmt.Errorf("%s is a blueprint, not an item standard", id)
	}
	return cand.Standard, nil
}

// drillByID returns a published drill, its signed note's SHA-256 and
// ErrNotFound when there is none.
func (c *Centre) drillByID(ctx context.Context, id string) (*examsync.Drill, string, error) {
	var signed []byte
	var sum string
	err := c.db.QueryRowContext(ctx, `SELECT signed, sha256 FROM drills WHERE id = ?`, id).Scan(&signed, &sum)
	if err != nil {
		return nil, "", translate(err)
	}
	var d examsync.Drill
	if err := examsync.Open(signed, c.verifier, examsync.KindDrill, &d); err != nil {
		return nil, "", fmt.Errorf("drill %s as kept: %w", id, err)
	}
	return &d, sum, nil
}

// PublishedDrill is a drill as listed.
type PublishedDrill struct {
	ID, Standard, Title string
	Version             int
	PublishedMs         int64
	Signed              []byte
}

// Drills returns the published drills, oldest first.
func (c *Centre) Drills(ctx context.Context) ([]PublishedDrill, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, standard, version, title, published_ms, signed FROM drills ORDER BY published_ms, id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []PublishedDrill
	for rows.Next() {
		var d PublishedDrill
		if err := rows.Scan(&d.ID, &d.Standard, &d.Version, &d.Title, &d.PublishedMs, &d.Signed); err != nil {
			return nil, translate(err)
		}
		out = append(out, d)
	}
	return out, translate(rows.Err())
}

// DrillsFor returns the signed list of every drill: any station's
// examiners may calibrate on any of them.
func (c *Centre) DrillsFor(ctx context.Context, _ string) ([]byte, error) {
	list, err := c.Drills(ctx)
	if err != nil {
		return nil, err
	}
	doc := examsync.Drills{Kind: examsync.KindDrills, Drills: []string{}}
	for _, d := range list {
		doc.Drills = append(doc.Drills, string(d.Signed))
	}
	return examsync.SignWith(doc, c.signer)
}

// CalibrationAnswer is the centre's answer to a calibration record: the
// examiner's deviation from the panel on each 评分项, as scored here.
type CalibrationAnswer struct {
	Calibration string               `json:"calibration"`
	Drill       string               `json:"drill"`
	Examiner    string               `json:"examiner"`
	Deviations  []examsync.Deviation `json:"deviations"`
}

// Calibrate keeps a calibration record a station sent and answers with
// its deviations. It refuses (*examsync.Refusal) a record not signed by
// the station, naming another station, on a drill not published here,
// or an id already kept with other bytes.
func (c *Centre) Calibrate(ctx context.Context, stationName string, body []byte) ([]byte, error) {
	ans, err := c.keepCalibration(ctx, stationName, body, "calibrations")
	if err != nil {
		return nil, err
	}
	return json.Marshal(ans)
}

// refuseCalibration refuses a calibration record sent as an exam result
// and keeps it as calibration all the same when it verifies: it is never
// receipted nor logged. The first time it raises an alarm.
func (c *Centre) refuseCalibration(ctx context.Context, stationName string, body []byte) *examsync.Refusal {
	ans, err := c.keepCalibration(ctx, stationName, body, "results")
	var ref *examsync.Refusal
	if errors.As(err, &ref) && ref.Code != CodeCalibrationResult {
		c.alarm(ctx, ref.Code, stationName, "calibration record", ref.Reason)
		return ref
	}
	out := refuse422(CodeCalibrationResult, "this is a calibration record, not an exam result: a drill is never an exam; it is kept as calibration (send it to /v1/calibrations)")
	switch {
	case err != nil && ref == nil:
		out.Reason += " (keeping it failed: " + err.Error() + ")"
		c.alarm(ctx, CodeCalibrationResult, stationName, "calibration record", out.Reason)
	case ans != nil:
		out = refuse422(CodeCalibrationResult, "calibration record %s (drill %s, examiner %s) is not an exam result: a drill is never an exam; it is kept as calibration, not logged",
			ans.Calibration, ans.Drill, ans.Examiner)
		if ans.fresh {
			c.alarm(ctx, CodeCalibrationResult, stationName, "calibration "+ans.Calibration, out.Reason)
		}
	}
	return out
}

// keptCalibration is a kept record's answer and whether it was new.
type keptCalibration struct {
	CalibrationAnswer
	fresh bool
}

// keepCalibration verifies a calibration record, scores its marks on
// the drill again, and keeps it with its deviations (once per id).
func (c *Centre) keepCalibration(ctx context.Context, stationName string, body []byte, via string) (*keptCalibration, error) {
	key, err := c.StationKey(ctx, stationName)
	if err != nil {
		return nil, err
	}
	rec, err := openCalibration(body, key)
	if err != nil {
		return nil, refuse422(CodeUnverifiable, "calibration record: %v", err)
	}
	if rec.Station != stationName {
		return nil, refuse422(CodeOtherStation, "calibration record %s names station %s but was sent by %s", rec.ID, rec.Station, stationName)
	}
	drill, sum, err := c.drillByID(ctx, rec.Drill)
	if errors.Is(err, ErrNotFound) || (err == nil && sum != rec.DrillSum) {
		return nil, refuse422(CodeDrill, "calibration record %s is on drill %s, which this centre did not publish (or not that text)", rec.ID, rec.Drill)
	} else if err != nil {
		return nil, err
	}
	std, err := c.publishedStandard(ctx, drill.Standard.ID, drill.Standard.Version)
	if err != nil {
		return nil, err
	}
	sheet, err := scoreCalibration(std, drill, rec)
	if err != nil {
		return nil, refuse422(CodeDrill, "calibration record %s: %v", rec.ID, err)
	}
	if sheet.Score != rec.Score {
		// The station scored the same log: another score means another
		// standard text or a record made up.
		return nil, refuse422(CodeUnverifiable, "calibration record %s: its marks score %s here, the record says %s", rec.ID, sheet.Score, rec.Score)
	}
	devs := examsync.Deviations(std, sheet, rec.Examiner, drill.Panel)
	ans := &keptCalibration{CalibrationAnswer: CalibrationAnswer{Calibration: rec.ID, Drill: rec.Drill, Examiner: rec.Examiner, Deviations: devs}}
	h := sha256.Sum256(body)
	hexSum := hex.EncodeToString(h[:])
	var held string
	err = c.db.QueryRowContext(ctx, `SELECT sha256 FROM calibrations WHERE id = ?`, rec.ID).Scan(&held)
	switch {
	case err == nil && held == hexSum:
		return ans, nil
	case err == nil:
		return nil, examsync.Refuse(http.StatusConflict, examsync.CodeDuplicate, "calibration record %s is held with other bytes", rec.ID)
	case !errors.Is(err, sql.ErrNoRows):
		return nil, translate(err)
	}
	if err := c.insertCalibration(ctx, rec, hexSum, via, body, std, devs); err != nil {
		return nil, err
	}
	ans.fresh = true
	c.alarmTolerance(ctx, stationName, rec)
	return ans, nil
}

// openCalibration verifies a calibration record's signature by the
// station's key and decodes it strictly.
func openCalibration(body []byte, stationKey string) (*examsync.Calibration, error) {
	v, err := note.NewVerifier(strings.TrimSpace(stationKey))
	if err != nil {
		return nil, fmt.Errorf("station key: %w", err)
	}
	n, err := note.Open(body, note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("not signed by the station: %w", err)
	}
	dec := json.NewDecoder(strings.NewReader(n.Text))
	dec.DisallowUnknownFields()
	var rec examsync.Calibration
	if err := dec.Decode(&rec); err != nil {
		return nil, fmt.Errorf("not a calibration record: %w", err)
	}
	if rec.Format != examsync.CalibrationFormat || rec.Purpose != examsync.PurposeCalibration || rec.ID == "" || rec.Examiner == "" {
		return nil, fmt.Errorf("not a calibration record (format %q, purpose %q)", rec.Format, rec.Purpose)
	}
	return &rec, nil
}

// scoreCalibration scores the examiner's marks on the drill.
func scoreCalibration(std *standards.Standard, drill *examsync.Drill, rec *examsync.Calibration) (*scoring.Sheet, error) {
	events, err := drill.DrillEvents()
	if err != nil {
		return nil, err
	}
	log, err := examsync.DrillLog(events, rec.Examiner, rec.Marks)
	if err != nil {
		return nil, err
	}
	sheet, err := scoring.Score(std, log)
	if err != nil {
		return nil, fmt.Errorf("the marks do not score under %s version %d: %w", std.ID, std.Version, err)
	}
	return sheet, nil
}

func (c *Centre) insertCalibration(ctx context.Context, rec *examsync.Calibration, hexSum, via string, body []byte, std *standards.Standard, devs []examsync.Deviation) error {
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO calibrations (id, sha256, station, site, drill, examiner, name, signed_ms, at_ms, via, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			rec.ID, hexSum, rec.Station, rec.Site, rec.Drill, rec.Examiner, rec.Name, rec.SignedMs, c.nowMs(), via, body); err != nil {
			return translate(err)
		}
		for _, d := range devs {
			if _, err := tx.ExecContext(ctx, `INSERT INTO calibration_items (calibration, item, title, standard, panel, deduct, tolerance) VALUES (?, ?, ?, ?, ?, ?, ?)`,
				rec.ID, d.Item, d.Title, std.ID, int64(d.Panel), int64(d.Examiner), int64(std.Tolerance)); err != nil {
				return translate(err)
			}
		}
		return nil
	})
}
