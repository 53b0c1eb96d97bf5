package station

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Calibration drills (issue 22 §3): an examiner marks a recorded item
// the centre signed as they would a real one, before an exam day. The
// recorded events are replayed into the drill's live sheet; the examiner
// leaves marks for the rules no device measures; the station signs what
// they marked as a calibration record, sent to the centre on sync apart
// from the results outbox: it is never an exam result.

// InstallDrill verifies a drill the centre signed and keeps it. The
// standard it was recorded under must be installed, that very text (the
// drill's SHA-256): marks are scored by the standard the panel used. It
// reports whether the drill is new; the same drill again is kept once.
func (s *Station) InstallDrill(ctx context.Context, signed []byte) (*examsync.Drill, bool, error) {
	key, err := s.centreKey(ctx)
	if err != nil {
		return nil, false, err
	}
	var d examsync.Drill
	if err := examsync.Open(signed, key, examsync.KindDrill, &d); err != nil {
		return nil, false, err
	}
	if _, err := s.drillStandard(ctx, &d); err != nil {
		return nil, false, err
	}
	fresh, err := s.st.SaveDrill(ctx, store.Drill{ID: d.ID, Title: d.Title, Standard: d.Standard.ID, Version: d.Standard.Version, Signed: signed})
	if err != nil {
		return nil, false, fmt.Errorf("keep drill %s: %w", d.ID, err)
	}
	return &d, fresh, nil
}

// drillStandard returns the installed standard a drill names, refusing
// another text under its id and version.
func (s *Station) drillStandard(ctx context.Context, d *examsync.Drill) (*standards.Standard, error) {
	std, err := s.StandardVersion(ctx, d.Standard.ID, d.Standard.Version)
	if err != nil {
		return nil, refuse("drill-standard", "演练 %s 所用的评分标准 %s 第%d版未安装：请先同步评分标准", "drill %s is scored by standard %s version %d, which is not installed: sync the standards first",
			d.ID, d.Standard.ID, d.Standard.Version)
	}
	if std.SHA256() != d.Standard.SHA256 {
		return nil, refuse("drill-standard", "演练 %s 的评分标准 %s 第%d版与本站安装的文本不同", "drill %s names another text of standard %s version %d than the one installed",
			d.ID, d.Standard.ID, d.Standard.Version)
	}
	return std, nil
}

// Drills returns the installed drills, oldest first.
func (s *Station) Drills(ctx context.Context) ([]store.Drill, error) { return s.st.Drills(ctx) }

// DrillRun is one examiner marking one drill.
type DrillRun struct {
	s        *Station
	Drill    examsync.Drill
	Std      *standards.Standard
	Examiner store.Examiner
	sum      string // the signed drill's SHA-256
	events   []standards.Event
	shown    int // events replayed so far
	marks    []examsync.Marked
}

// StartDrill opens a drill for an examiner of the registry, who signs in
// with their PIN (wrong PINs count towards the lockout as at an exam).
func (s *Station) StartDrill(ctx context.Context, drillID, examinerID, pin string) (*DrillRun, error) {
	held, err := s.st.DrillByID(ctx, drillID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse("drill-unknown", "本站没有演练 %s", "no drill %s is installed", drillID)
	} else if err != nil {
		return nil, err
	}
	key, err := s.centreKey(ctx)
	if err != nil {
		return nil, err
	}
	r := &DrillRun{s: s}
	if err := examsync.Open(held.Signed, key, examsync.KindDrill, &r.Drill); err != nil {
		return nil, err
	}
	if r.Std, err = s.drillStandard(ctx, &r.Drill); err != nil {
		return nil, err
	}
	if r.events, err = r.Drill.DrillEvents(); err != nil {
		return nil, err
	}
	if r.Examiner, err = s.checkPIN(ctx, examinerID, pin, nil); err != nil {
		return nil, err
	}
	h := sha256.Sum256(held.Signed)
	r.sum = hex.EncodeToString(h[:])
	return r, nil
}

// EndMs is the recorded log's last time.
func (r *DrillRun) EndMs() int64 {
	if len(r.events) == 0 {
		return 0
	}
	return r.events[len(r.events)-1].TMs
}

// ReplayTo replays the recorded events up to tMs into the live sheet.
func (r *DrillRun) ReplayTo(tMs int64) {
	for r.shown < len(r.events) && r.events[r.shown].TMs <= tMs {
		r.shown++
	}
}

// Replayed reports how many recorded events were replayed, of how many.
func (r *DrillRun) Replayed() (shown, total int) { return r.shown, len(r.events) }

// Mark records one of the examiner's marks on a 评分项, refusing a mark
// the standard does not have or allows no more often.
func (r *DrillRun) Mark(item, mark string) error {
	it := r.Std.Item(item)
	if it == nil || it.Mark(mark) == nil {
		return refuse("drill-mark", "评分项 %s 没有扣分项 %s", "item %s has no mark %s", item, mark)
	}
	n := 0
	for _, m := range r.marks {
		if m.Item == item && m.Mark == mark {
			n++
		}
	}
	if n >= it.Mark(mark).MaxTimes() {
		return refuse("drill-mark-max", "扣分项“%s”最多记录%d次", "mark %q may be recorded at most %d times", it.Mark(mark).Text, it.Mark(mark).MaxTimes())
	}
	r.marks = append(r.marks, examsync.Marked{Item: item, Mark: mark})
	return nil
}

// Undo takes back the examiner's last mark, reporting whether there was one.
func (r *DrillRun) Undo() bool {
	if len(r.marks) == 0 {
		return false
	}
	r.marks = r.marks[:len(r.marks)-1]
	return true
}

// Marks returns the marks left so far, in order.
func (r *DrillRun) Marks() []examsync.Marked { return slices.Clone(r.marks) }

// Sheet scores what was replayed and the examiner's marks.
func (r *DrillRun) Sheet() (*scoring.Sheet, error) {
	log, err := examsync.DrillLog(r.events[:r.shown], r.Examiner.ID, r.marks)
	if err != nil {
		return nil, err
	}
	return scoring.Score(r.Std, log)
}

// DrillOutcome is a finished drill: the calibration record kept for the
// centre, and the examiner's deviation from the panel per 评分项.
type DrillOutcome struct {
	ID         string
	Deviations []examsync.Deviation
	Sheet      *scoring.Sheet
}

// Finish replays what is left, signs the examiner's marks as a
// calibration record and keeps it for the centre.
func (r *DrillRun) Finish(ctx context.Context) (*DrillOutcome, error) {
	s := r.s
	if s.signer == nil {
		return nil, errors.New("the station has no signer key: a calibration record cannot be signed")
	}
	r.shown = len(r.events)
	sheet, err := r.Sheet()
	if err != nil {
		return nil, fmt.Errorf("drill %s: %w", r.Drill.ID, err)
	}
	rec := examsync.Calibration{Format: examsync.CalibrationFormat, Purpose: examsync.PurposeCalibration, ID: attemptID(), Station: s.cfg.Name, Site: s.cfg.Site,
		Drill: r.Drill.ID, DrillSum: r.sum, Examiner: r.Examiner.ID, Name: r.Examiner.Name, Marks: r.Marks(), Score: sheet.Score, SignedMs: s.now().UnixMilli()}
	if rec.Marks == nil {
		rec.Marks = []examsync.Marked{}
	}
	text, err := json.Marshal(rec)
	if err != nil {
		return nil, err
	}
	signed, err := note.Sign(&note.Note{Text: string(text) + "\n"}, s.signer)
	if err != nil {
		return nil, fmt.Errorf("sign the calibration record: %w", err)
	}
	if err := s.st.SaveCalibration(ctx, store.Calibration{ID: rec.ID, Drill: rec.Drill, Examiner: rec.Examiner, Signed: signed}); err != nil {
		return nil, fmt.Errorf("keep the calibration record: %w", err)
	}
	return &DrillOutcome{ID: rec.ID, Deviations: examsync.Deviations(r.Std, sheet, r.Examiner.ID, r.Drill.Panel), Sheet: sheet}, nil
}

// Calibrations returns the calibration records signed at the station,
// sent or not, oldest first.
func (s *Station) Calibrations(ctx context.Context) ([]store.Calibration, error) {
	return s.st.Calibrations(ctx, false)
}
