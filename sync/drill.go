package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"unicode"

	"shicao/scoring"
	"shicao/standards"
)

// Examiner calibration drills (issue 22 §3). A drill is a recorded exam
// item — its event log without the examiners' marks — and the marks a
// panel agreed on for it, signed by the centre. Examiners mark it at a
// station as they would a real item, before an exam day; the station
// signs what one examiner marked as a calibration record, which the
// centre keeps apart from exam results: it is never receipted, never
// appended to the exam log, and refused when sent as an exam result.

// Document kinds and formats of drills and calibration records.
const (
	KindDrill  = "shicao-drill/1"
	KindDrills = "shicao-drills/1" // the list of drills a station pulls
	// CalibrationFormat names a calibration record (Calibration).
	CalibrationFormat = "shicao-calibration/1"
	// PurposeCalibration is the purpose a calibration record is signed
	// with, as PurposeTraining is a training result's.
	PurposeCalibration = "calibration"
)

// Drill is a recorded exam item and the panel's marks on it.
type Drill struct {
	Kind     string      `json:"kind"`
	ID       string      `json:"id"`
	Title    string      `json:"title"`
	Standard StandardRef `json:"standard"`
	// Events is the recorded log: device and system events only, seq
	// 1..n gapless (the examiners' and the candidate's events were taken
	// out when it was published, PanelLog).
	Events []json.RawMessage `json:"events"`
	// Panel is the manual deduction the panel agreed on for each 评分项
	// that has marks; an item left out is agreed at 0.
	Panel    []PanelMark `json:"panel"`
	IssuedMs int64       `json:"issued_ms"`
}

// PanelMark is the panel's agreed manual deduction on one 评分项.
type PanelMark struct {
	Item   string           `json:"item"`
	Deduct standards.Points `json:"deduct"`
}

// Drills is the signed list of drills the centre sends a station, each
// itself a signed Drill note.
type Drills struct {
	Kind   string   `json:"kind"`
	Drills []string `json:"drills"`
}

// Calibration is one examiner's marking of a drill, signed by the
// station: the marks they left (after their undos, in order), and what
// the station scored from them. The centre scores the marks again.
type Calibration struct {
	Format   string           `json:"format"`
	Purpose  string           `json:"purpose"` // PurposeCalibration
	ID       string           `json:"id"`      // random: the centre's idempotency key
	Station  string           `json:"station"`
	Site     string           `json:"site"`
	Drill    string           `json:"drill"`
	DrillSum string           `json:"drill_sha256"` // of the signed drill note
	Examiner string           `json:"examiner"`     // the examiner's id
	Name     string           `json:"name"`
	Marks    []Marked         `json:"marks"`
	Score    standards.Points `json:"score"`
	SignedMs int64            `json:"signed_ms"`
}

// Marked is one mark an examiner left on a drill.
type Marked struct {
	Item string `json:"item"`
	Mark string `json:"mark"`
}

// IsCalibration reports whether body is a signed calibration record,
// without verifying it: the centre's results endpoint refuses one by
// name instead of as a malformed bundle. The record's text opens the
// note, so only its start is read: every result bundle the endpoint
// receives passes here, and searching hundreds of KB for the note's
// signatures (standards.SplitNote) cost more than the rest of the
// request's reading.
func IsCalibration(body []byte) bool {
	return bytes.HasPrefix(bytes.TrimLeftFunc(body, unicode.IsSpace), []byte(`{"format":"`+CalibrationFormat+`"`))
}

// DrillEvents decodes a drill's recorded log.
func (d *Drill) DrillEvents() ([]standards.Event, error) {
	out := make([]standards.Event, 0, len(d.Events))
	for i, raw := range d.Events {
		ev, perr := standards.ParseEvent(raw)
		if perr != nil {
			return nil, fmt.Errorf("drill %s event %d: %v", d.ID, i+1, perr)
		}
		out = append(out, ev)
	}
	return out, nil
}

// PanelLog returns a recorded log as a drill keeps it: the examiners'
// and the candidate's events left out and the rest numbered 1..n, so
// that nothing the recording's examiners did is marked for the next.
func PanelLog(events []standards.Event) []standards.Event {
	var out []standards.Event
	for _, ev := range events {
		if strings.HasPrefix(ev.Source, "examiner:") || ev.Source == "candidate" {
			continue
		}
		ev.Seq = int64(len(out) + 1)
		out = append(out, ev)
	}
	return out
}

// DrillLog is the log an examiner's marks make of a drill: the recorded
// events with session.start naming the examiner alone, then each mark at
// the log's last time. The station scores it live and the centre scores
// it again from the calibration record, so both see the same sheet.
func DrillLog(events []standards.Event, examiner string, marks []Marked) ([]standards.Event, error) {
	out := slices.Clone(events)
	var last int64
	for i := range out {
		last = max(last, out[i].TMs)
		if out[i].Type != standards.TypeSessionStart {
			continue
		}
		var start map[string]any
		if err := json.Unmarshal(out[i].Data, &start); err != nil {
			return nil, fmt.Errorf("drill session.start: %w", err)
		}
		start["examiners"] = []string{examiner}
		data, err := json.Marshal(start)
		if err != nil {
			return nil, err
		}
		out[i].Data = data
	}
	for _, mk := range marks {
		data, err := json.Marshal(map[string]string{"item": mk.Item, "mark": mk.Mark})
		if err != nil {
			return nil, err
		}
		out = append(out, standards.Event{Seq: int64(len(out) + 1), TMs: last, Type: standards.TypeMark, Source: "examiner:" + examiner, Data: data})
	}
	return out, nil
}

// Deviation is an examiner's manual deduction on one 评分项 of a drill
// against the panel's.
type Deviation struct {
	Item     string           `json:"item"`
	Title    string           `json:"title"`
	Panel    standards.Points `json:"panel"`
	Examiner standards.Points `json:"examiner"`
}

// Diff is the examiner's deduction less the panel's: positive when the
// examiner took off more.
func (d Deviation) Diff() standards.Points { return d.Examiner - d.Panel }

// Deviations compares the examiner's manual deduction on each 评分项 of
// sheet with the panel's, for every item that has marks.
func Deviations(std *standards.Standard, sheet *scoring.Sheet, examiner string, panel []PanelMark) []Deviation {
	agreed := map[string]standards.Points{}
	for _, p := range panel {
		agreed[p.Item] = p.Deduct
	}
	var out []Deviation
	for i, it := range std.Items {
		if len(it.Marks) == 0 {
			continue
		}
		d := Deviation{Item: it.ID, Title: it.Title, Panel: agreed[it.ID]}
		if i < len(sheet.Items) {
			for _, e := range sheet.Items[i].Examiners {
				if e.Examiner == examiner {
					d.Examiner = e.Deduct
				}
			}
		}
		out = append(out, d)
	}
	return out
}

// CheckPanel refuses panel marks naming an item the standard does not
// have, or one without marks, or one given twice.
func CheckPanel(std *standards.Standard, panel []PanelMark) error {
	seen := map[string]bool{}
	for _, p := range panel {
		it := std.Item(p.Item)
		switch {
		case it == nil:
			return fmt.Errorf("panel mark on item %q: %s version %d has no such item", p.Item, std.ID, std.Version)
		case len(it.Marks) == 0:
			return fmt.Errorf("panel mark on item %q: examiners record no marks there (its deductions are the device rules')", p.Item)
		case seen[p.Item]:
			return fmt.Errorf("panel mark on item %q given twice", p.Item)
		case p.Deduct < 0 || p.Deduct > it.Points:
			return fmt.Errorf("panel mark on item %q: %s is not between 0 and the item's %s points", p.Item, p.Deduct, it.Points)
		}
		seen[p.Item] = true
	}
	return nil
}

// DrillDesk is the centre's side of drills: the drills a station pulls
// (a signed Drills list) and the calibration records it sends, answered
// with the centre's deviations as JSON.
type DrillDesk interface {
	DrillsFor(ctx context.Context, station string) ([]byte, error)
	Calibrate(ctx context.Context, station string, signed []byte) ([]byte, error)
}

// MaxCalibrationBytes caps a calibration record: an examiner's marks
// on one item are a few KB.
const MaxCalibrationBytes = 1 << 20

// Drills fetches the signed list of drills for this station.
func (c *Client) Drills(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/v1/drills", nil)
}

// Calibrate sends a signed calibration record and returns the centre's
// answer (its deviations, JSON).
func (c *Client) Calibrate(ctx context.Context, signed []byte) ([]byte, error) {
	return c.do(ctx, http.MethodPost, "/v1/calibrations", signed)
}
