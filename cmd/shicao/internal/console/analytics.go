package console

import (
	"fmt"
	"net/http"
	"strconv"

	"shicao/cmd/shicao/internal/centre"
)

// Analytics (issue #19): pass rates by site, category, item, examiner
// and training institution over a period, and the 评分项 that lose points
// most often. Every figure is a GROUP BY in the centre over narrow rows;
// each table is downloadable as CSV. Everyone signed in may read them.

// deductionsShown is how many 评分项 the deduction table lists.
const deductionsShown = 30

func init() {
	funcs["pct"] = func(x float64) string { return strconv.FormatFloat(100*x, 'f', 1, 64) + "%" }
	funcs["bar"] = func(x float64) int { return int(100*x + 0.5) }
	funcs["num"] = func(x float64) string { return strconv.FormatFloat(x, 'f', 1, 64) }
	funcs["diverge"] = diverge
}

// divergeSpan is the difference, in points, that fills half of a
// diverging bar: an examiner further from their colleagues than this
// shows a full half bar (and the number beside it says how far).
const divergeSpan = 5.0

// diverge places a bar for a signed difference on a 100-wide scale
// centred at 50: its x and its width.
func diverge(x float64) [2]int {
	w := int(50*min(max(x, -divergeSpan), divergeSpan)/divergeSpan + 0.5*sign(x))
	if w < 0 {
		return [2]int{50 + w, -w}
	}
	return [2]int{50, w}
}

func sign(x float64) float64 {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

// period reads the page's period: from and to as YYYY-MM-DD; by default
// the year so far (the notice's yearly 量化考核).
func (s *Server) period(r *request) (centre.Period, string, string, error) {
	today := s.c.Today()
	from, to := r.URL.Query().Get("from"), r.URL.Query().Get("to")
	if from == "" {
		from = fmt.Sprintf("%04d-01-01", today.Y)
	}
	if to == "" {
		to = today.String()
	}
	p, err := centre.ParsePeriod(from, to)
	return p, from, to, err
}

type rateTable struct {
	By   string
	Rows []centre.PassRate
}

type analyticsData struct {
	From, To   string
	Error      string
	Tables     []rateTable
	Deductions []centre.DeductionRate
	// Consistency is each examiner's agreement with their co-examiners
	// and with the sensors (ask 6).
	Consistency []centre.ExaminerAgreement
	Query       string
}

func (s *Server) analytics(w http.ResponseWriter, r *request) {
	p, from, to, err := s.period(r)
	d := &analyticsData{From: from, To: to}
	if err != nil {
		d.Error = text(r.lang, "err.bad") + " " + text(r.lang, "ana.periodhint")
		s.renderStatus(w, r, http.StatusBadRequest, "analytics", d)
		return
	}
	d.Query = "from=" + p.From.String() + "&to=" + p.To.String()
	for _, by := range centre.Groupings {
		rows, err := s.c.PassRates(r.Context(), by, p)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Tables = append(d.Tables, rateTable{By: by, Rows: rows})
	}
	if d.Deductions, err = s.c.DeductionRates(r.Context(), p, deductionsShown); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Consistency, err = s.c.ExaminerConsistency(r.Context(), p); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r.sess.Staff.Name, "read analytics", p.From.String()+" to "+p.To.String(), r.remote)
	s.render(w, r, "analytics", d)
}

// analyticsCSV downloads one of the page's tables as CSV (with a byte
// order mark, as the centre's exports).
func (s *Server) analyticsCSV(w http.ResponseWriter, r *request) {
	p, _, _, err := s.period(r)
	if err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "error", map[string]any{"Message": text(r.lang, "err.bad") + " " + text(r.lang, "ana.periodhint"), "Status": 400})
		return
	}
	by := r.URL.Query().Get("by")
	t := &centre.Table{}
	if by == "consistency" {
		if err := s.consistencyTable(r, p, t); err != nil {
			s.fail(w, r, err)
			return
		}
	} else if by == "deductions" {
		list, err := s.c.DeductionRates(r.Context(), p, 1000)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		t.Header = []string{"standard", "standard_title", "point", "point_title", "items", "deducted", "rate", "mean_deducted"}
		for _, x := range list {
			t.Rows = append(t.Rows, []string{x.Standard, x.StandardTitle, x.Point, x.Title, strconv.Itoa(x.Items), strconv.Itoa(x.Deducted),
				strconv.FormatFloat(x.Rate(), 'f', 4, 64), strconv.FormatFloat(x.MeanDeducted, 'f', 2, 64)})
		}
	} else {
		list, err := s.c.PassRates(r.Context(), by, p)
		if err != nil {
			s.notFound(w, r)
			return
		}
		t.Header = []string{by, "name", "attempts", "passed", "rate", "first", "first_passed", "resits", "resits_passed", "mean_score"}
		for _, x := range list {
			t.Rows = append(t.Rows, []string{x.Key, x.Label, strconv.Itoa(x.Attempts), strconv.Itoa(x.Passed), strconv.FormatFloat(x.Rate(), 'f', 4, 64),
				strconv.Itoa(x.First), strconv.Itoa(x.FirstPassed), strconv.Itoa(x.Resits), strconv.Itoa(x.ResitPassed), strconv.FormatFloat(x.MeanScore, 'f', 2, 64)})
		}
	}
	s.audit(r.Context(), r.sess.Staff.Name, "download analytics", fmt.Sprintf("%s %s to %s", by, p.From, p.To), r.remote)
	name := fmt.Sprintf("analytics-%s-%s-%s.csv", by, p.From, p.To)
	w.Header().Set("Content-Type", "text/csv; charset=utf-8")
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if _, err := t.WriteCSV(w); err != nil {
		s.log.Error("analytics csv", "err", err)
	}
}

// consistencyTable fills t with each examiner's consistency over p, as
// the page's table shows it (differences in points).
func (s *Server) consistencyTable(r *request, p centre.Period, t *centre.Table) error {
	list, err := s.c.ExaminerConsistency(r.Context(), p)
	if err != nil {
		return err
	}
	t.Header = []string{"examiner", "name", "sheets", "pairs", "mean_difference", "mean_abs_difference", "reviews", "points_both_judge", "examiner_only", "sensors_only", "disagreement"}
	f := func(x float64, n int) string { return strconv.FormatFloat(x, 'f', n, 64) }
	for _, x := range list {
		t.Rows = append(t.Rows, []string{x.Examiner, x.Name, strconv.Itoa(x.Sheets), strconv.Itoa(x.Pairs), f(x.MeanDiff, 2), f(x.MeanAbsDiff, 2),
			strconv.Itoa(x.Reviews), strconv.Itoa(x.BothPoints), strconv.Itoa(x.ExaminerOnly), strconv.Itoa(x.SensorOnly), f(x.Disagreement(), 4)})
	}
	return nil
}
