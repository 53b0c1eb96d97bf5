package centre

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"shicao/standards"
	examsync "shicao/sync"
)

// CalibrationRow is one examiner's deduction on one 评分项 of one drill
// they marked, against the panel's: a point of their series over time.
type CalibrationRow struct {
	Calibration, Drill, Station string
	Examiner, Name              string
	Item, Title, Standard       string
	SignedMs                    int64
	Panel, Deduct, Tolerance    standards.Points
}

// Deviation is the examiner's deduction less the panel's.
func (r CalibrationRow) Deviation() standards.Points { return r.Deduct - r.Panel }

// CalibrationRows returns every kept calibration's rows signed at or after
// sinceMs, by examiner, item and time.
func (c *Centre) CalibrationRows(ctx context.Context, sinceMs int64) ([]CalibrationRow, error) {
	return c.calibrationRows(ctx, sinceMs, "")
}

// calibrationRows is CalibrationRows for one examiner ("" for all).
func (c *Centre) calibrationRows(ctx context.Context, sinceMs int64, examiner string) ([]CalibrationRow, error) {
	q, args := `SELECT k.id, k.drill, k.station, k.examiner, k.name, i.item, i.title, i.standard, k.signed_ms, i.panel, i.deduct, i.tolerance
		FROM calibrations k JOIN calibration_items i ON i.calibration = k.id WHERE k.signed_ms >= ?`, []any{sinceMs}
	if examiner != "" {
		q, args = q+` AND k.examiner = ?`, append(args, examiner)
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY k.examiner, i.standard, i.item, k.signed_ms, k.id`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []CalibrationRow
	for rows.Next() {
		var r CalibrationRow
		if err := rows.Scan(&r.Calibration, &r.Drill, &r.Station, &r.Examiner, &r.Name, &r.Item, &r.Title, &r.Standard, &r.SignedMs, &r.Panel, &r.Deduct, &r.Tolerance); err != nil {
			return nil, translate(err)
		}
		out = append(out, r)
	}
	return out, translate(rows.Err())
}

// Calibrated is an examiner's standing on one 评分项 over their drills:
// how far from the panel they mark on average, and whether that is over
// the tolerance.
type Calibrated struct {
	Examiner, Name, Standard, Item, Title string
	Drills                                int
	MeanAbs                               standards.Points // mean |deviation|, rounded half up to 0.1
	Bias                                  standards.Points // mean deviation: > 0 marks harder than the panel
	MaxAbs                                standards.Points
	Tolerance                             standards.Points
	LastMs                                int64
	Over                                  bool // MeanAbs > Tolerance
}

// Summarize groups rows (CalibrationRows' order) by examiner and item.
// An examiner is over on an item when their mean absolute deviation
// exceeds the tolerance: tol if given (> 0), else the standard's
// examiner tolerance (two examiners further apart than it go to review,
// so one this far from the panel would send their items to review).
func Summarize(rows []CalibrationRow, tol standards.Points) []Calibrated {
	var out []Calibrated
	var abs, sum []standards.Points
	flush := func() {
		if len(out) == 0 || len(abs) == 0 {
			return
		}
		s := &out[len(out)-1]
		s.MeanAbs, s.Bias = standards.MeanHalfUp(abs), standards.MeanHalfUp(sum)
		s.Over = s.MeanAbs > s.Tolerance
		abs, sum = abs[:0], sum[:0]
	}
	for _, r := range rows {
		if len(out) == 0 || out[len(out)-1].Examiner != r.Examiner || out[len(out)-1].Standard != r.Standard || out[len(out)-1].Item != r.Item {
			flush()
			t := r.Tolerance
			if tol > 0 {
				t = tol
			}
			out = append(out, Calibrated{Examiner: r.Examiner, Name: r.Name, Standard: r.Standard, Item: r.Item, Title: r.Title, Tolerance: t})
		}
		s := &out[len(out)-1]
		d := r.Deviation()
		a := max(d, -d)
		s.Drills++
		s.MaxAbs = max(s.MaxAbs, a)
		s.LastMs = max(s.LastMs, r.SignedMs)
		abs, sum = append(abs, a), append(sum, d)
	}
	flush()
	slices.SortStableFunc(out, func(a, b Calibrated) int {
		// The examiners over the tolerance first, the furthest first.
		if a.Over != b.Over {
			if a.Over {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(b.MeanAbs, a.MeanAbs), strings.Compare(a.Examiner, b.Examiner), strings.Compare(a.Item, b.Item))
	})
	return out
}

// alarmTolerance raises an alarm when the examiner of a record just kept
// is now over the tolerance on a 评分项 (their drills so far).
func (c *Centre) alarmTolerance(ctx context.Context, stationName string, rec *examsync.Calibration) {
	rows, err := c.calibrationRows(ctx, 0, rec.Examiner)
	if err != nil {
		// The record is kept; the report finds the examiner over all the same.
		c.alarm(ctx, AlarmCalibration, stationName, "examiner "+rec.Examiner, "checking the tolerance after calibration "+rec.ID+" failed: "+err.Error())
		return
	}
	for _, s := range Summarize(rows, 0) {
		if s.Over {
			c.alarm(ctx, AlarmCalibration, stationName, "examiner "+s.Examiner,
				fmt.Sprintf("examiner %s %s marks %s %s (%s) %s points from the panel on average over %d drill(s) (bias %s), over the tolerance %s: calibrate again before examining (calibration %s)",
					s.Examiner, s.Name, s.Standard, s.Item, s.Title, s.MeanAbs, s.Drills, signed(s.Bias), s.Tolerance, rec.ID))
		}
	}
}

// CalibrationCSVHeader is the header of WriteCalibrationCSV.
var CalibrationCSVHeader = []string{"考评员身份证号", "考评员", "标准", "评分项", "评分项名称", "演练", "签名时间", "专家组扣分", "考评员扣分", "偏差", "容差", "考评站", "记录编号"}

// WriteCalibrationCSV writes each examiner's deviation from the panel per
// 评分项 over time: one row per drill marked.
func WriteCalibrationCSV(w io.Writer, rows []CalibrationRow, zone *time.Location) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(CalibrationCSVHeader); err != nil {
		return err
	}
	for _, r := range rows {
		if err := cw.Write([]string{r.Examiner, r.Name, r.Standard, r.Item, r.Title, r.Drill, time.UnixMilli(r.SignedMs).In(zone).Format("2006-01-02 15:04"),
			r.Panel.String(), r.Deduct.String(), signed(r.Deviation()), r.Tolerance.String(), r.Station, r.Calibration}); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// WriteCalibrationText writes the summary as a table for a person: the
// examiners over the tolerance first, marked OVER (超差).
func WriteCalibrationText(w io.Writer, sum []Calibrated, zone *time.Location) error {
	over := 0
	for _, s := range sum {
		if s.Over {
			over++
		}
	}
	fmt.Fprintf(w, "%d examiner-item pair(s) calibrated, %d over the tolerance\n", len(sum), over)
	for _, s := range sum {
		flag := "ok"
		if s.Over {
			flag = "OVER 超差"
		}
		_, err := fmt.Fprintf(w, "%-9s %s %s  %s %s (%s)  drills %d  mean|dev| %s  bias %s  max %s  tolerance %s  last %s\n",
			flag, s.Examiner, s.Name, s.Standard, s.Item, s.Title, s.Drills, s.MeanAbs, signed(s.Bias), s.MaxAbs, s.Tolerance,
			time.UnixMilli(s.LastMs).In(zone).Format("2006-01-02"))
		if err != nil {
			return err
		}
	}
	return nil
}

// signed writes a deviation with its sign.
func signed(p standards.Points) string {
	if p > 0 {
		return "+" + p.String()
	}
	return p.String()
}
