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
	// The rows stream from the database into the download: the download's
	// headers go out with its first bytes, so that a query that fails
	// before them still gets the error page, and the audit counts the rows
	// once they are written.
	name := what + "-" + orAll(date) + "." + format
	dl := &download{w: w, name: name, contentType: "text/csv; charset=utf-8"}
	var n int
	if format == "csv" {
		n, err = t.WriteCSV(dl)
	} else {
		dl.contentType = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
		n, err = t.WriteXLSX(dl)
	}
	if err != nil && !dl.sent {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r.sess.Staff.Name, "export "+what, fmt.Sprintf("date %s format %s: %d rows", orAll(date), format, n), r.remote)
	if err != nil {
		// The header is sent: the download ends short, and the log says why.
		s.log.Error("export", "what", what, "err", err)
	}
}

// download is a file download's response: it sets the download's headers
// on its first write.
type download struct {
	w                 http.ResponseWriter
	name, contentType string
	sent              bool
}

func (d *download) Write(p []byte) (int, error) {
	if !d.sent {
		d.sent = true
		h := d.w.Header()
		h.Set("Content-Disposition", `attachment; filename="`+d.name+`"`)
		h.Set("Content-Type", d.contentType)
	}
	return d.w.Write(p)
}

func orAll(date string) string {
	if date == "" {
		return "all"
	}
	return date
}
