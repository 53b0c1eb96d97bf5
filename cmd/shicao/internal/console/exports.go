package console

import (
	"fmt"
	"net/http"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// Exports from the browser (issue #19): the results and the examiners'
// table (考评员持证情况统计表) for a day, as CSV or XLSX, the same tables
// `shicao centre export` writes. Staff and admins only.

func (s *Server) exportsPage(w http.ResponseWriter, r *request) {
	s.render(w, r, "exports", map[string]any{"Today": s.c.Today().String()})
}

// export writes one table for download: what=results or examiners,
// ?date=YYYY-MM-DD (every result when empty, for results), ?format=csv
// or xlsx.
func (s *Server) export(w http.ResponseWriter, r *request) {
	what, format := r.PathValue("what"), r.URL.Query().Get("format")
	date := strings.TrimSpace(r.URL.Query().Get("date"))
	bad := func(why string) {
		s.renderStatus(w, r, http.StatusBadRequest, "error", map[string]any{"Message": text(r.lang, "err.bad") + " " + why, "Status": 400})
	}
	if format != "csv" && format != "xlsx" {
		bad("format=" + format)
		return
	}
	var day standards.Date
	if date != "" {
		d, err := standards.ParseDate(date)
		if err != nil {
			bad(text(r.lang, "search.datehint"))
			return
		}
		day = d
	}
	var t *centre.Table
	var err error
	switch what {
	case "results":
		t, err = s.c.ResultsTable(r.Context(), day)
	case "examiners":
		if day.IsZero() {
			day = s.c.Today()
		}
		t, err = s.c.ExaminersTable(r.Context(), day, "")
	default:
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r.sess.Staff.Name, "export "+what, fmt.Sprintf("date %s format %s: %d rows", orAll(date), format, len(t.Rows)), r.remote)
	name := what + "-" + orAll(date) + "." + format
	h := w.Header()
	h.Set("Content-Disposition", `attachment; filename="`+name+`"`)
	if format == "csv" {
		h.Set("Content-Type", "text/csv; charset=utf-8")
		err = t.WriteCSV(w)
	} else {
		h.Set("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
		err = t.WriteXLSX(w)
	}
	if err != nil {
		// The header is sent: the download ends short, and the log says why.
		s.log.Error("export", "what", what, "err", err)
	}
}

func orAll(date string) string {
	if date == "" {
		return "all"
	}
	return date
}
