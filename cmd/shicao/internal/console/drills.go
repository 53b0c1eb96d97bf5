package console

import (
	"net/http"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// The calibration drills page (issue 22 §3): each examiner's deviation
// from the panel per 评分项 over the drills they marked, those over the
// tolerance first and marked 超差 — the same summary as `shicao centre
// drill report`. Kept to one table: the rest of the console is another's.

func init() {
	for k, v := range map[string][2]string{
		"nav.drills":      {"校准演练", "Drills"},
		"drills.title":    {"考评员校准演练", "Examiner calibration drills"},
		"drills.intro":    {"每位考评员在每个评分项上与专家组扣分的偏差（所做全部演练）；超出容差者在前。", "Each examiner's deviation from the panel on each 评分项, over every drill they marked; those over the tolerance first."},
		"drills.none":     {"尚无校准记录：考评员在考站上做完演练并同步后出现在这里。", "No calibration records yet: they appear once examiners mark a drill at a station and it syncs."},
		"drills.state":    {"状态", "State"},
		"drills.examiner": {"考评员", "Examiner"},
		"drills.item":     {"评分项", "Item"},
		"drills.count":    {"演练次数", "Drills"},
		"drills.mean":     {"平均偏差", "Mean |dev|"},
		"drills.bias":     {"倾向", "Bias"},
		"drills.max":      {"最大偏差", "Max"},
		"drills.tol":      {"容差", "Tolerance"},
		"drills.last":     {"最近", "Last"},
		"drills.over":     {"超差", "OVER"},
		"drills.ok":       {"正常", "ok"},
		"drills.summary":  {"超出容差的考评员-评分项", "Examiner-item pairs over the tolerance"},
	} {
		catalogue[k] = v
	}
}

// drillRow is one line of the page.
type drillRow struct {
	centre.Calibrated
	Bias string
}

func (s *Server) drills(w http.ResponseWriter, r *request) {
	rows, err := s.c.CalibrationRows(r.Context(), 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var out []drillRow
	over := 0
	for _, c := range centre.Summarize(rows, 0) {
		if c.Over {
			over++
		}
		out = append(out, drillRow{Calibrated: c, Bias: signedPoints(c.Bias)})
	}
	s.render(w, r, "drills", map[string]any{"Rows": out, "Over": over})
}

func signedPoints(p standards.Points) string {
	if p > 0 {
		return "+" + p.String()
	}
	return p.String()
}
