package console

import (
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
	examsync "shicao/sync"
)

// Run the day (issue #19, ask 4): what `shicao centre plan import`,
// `examiner import`, `standard publish`, `station add` and `equipment
// add` do, from the browser. An import is the command's: the same
// all-or-nothing checks, and every problem with its row, listed on the
// page. Admins and staff only: an inspector's post is refused (403) and
// the refusal is in the audit trail.

// uploadLimit bounds a request to /run/: a province's roster for a
// month is a few hundred kilobytes as XLSX, a few megabytes as CSV.
const uploadLimit = 16 << 20

// runData is the Run-the-day page's.
type runData struct {
	Form     string   // the form the answer is about: plans, examiners, standards, station, equipment
	Done     []string // what was done, a line each
	Warnings []string
	Refused  string   // a refusal's summary ("" when none)
	Problems []string // its located problems, one a line
	Sites    []centre.SiteSummary
	Stations []centre.Station
	Devices  []examsync.Equipment
	Plans    []centre.PlanSummary // today's
	Kinds    []string
	Today    string
	// The station and equipment forms refilled after a refusal.
	Station   centre.Station
	Equipment examsync.Equipment
}

// refused splits an import's error into its summary and its located
// problems (the centre writes one a line, indented under the summary).
func (d *runData) refused(err error) {
	lines := strings.Split(err.Error(), "\n")
	d.Refused = strings.TrimSpace(lines[0])
	for _, l := range lines[1:] {
		if l = strings.TrimSpace(l); l != "" {
			d.Problems = append(d.Problems, l)
		}
	}
}

func (s *Server) runPage(w http.ResponseWriter, r *request) {
	s.showRun(w, r, http.StatusOK, &runData{})
}

// showRun renders the page with the registry's lists under the forms.
func (s *Server) showRun(w http.ResponseWriter, r *request, status int, d *runData) {
	ctx := r.Context()
	var err error
	d.Today = s.c.Today().String()
	d.Kinds = standards.DefaultVocabulary().DeviceKinds()
	if d.Sites, err = s.c.Sites(ctx); err == nil {
		if d.Stations, err = s.c.Stations(ctx, ""); err == nil {
			if d.Devices, err = s.c.Equipment(ctx, ""); err == nil {
				d.Plans, err = s.c.Plans(ctx, d.Today)
			}
		}
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "run", d)
}

// upload returns the uploaded files of the form's field "file", each
// with its name as the browser gave it (no directory).
func upload(r *request) ([]uploaded, error) {
	if r.MultipartForm == nil {
		return nil, errNoFile
	}
	var out []uploaded
	for _, fh := range r.MultipartForm.File["file"] {
		b, err := readPart(fh)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", fh.Filename, err)
		}
		out = append(out, uploaded{name: fh.Filename, body: b})
	}
	if len(out) == 0 {
		return nil, errNoFile
	}
	return out, nil
}

var errNoFile = errors.New("no file chosen")

type uploaded struct {
	name string
	body []byte
}

func readPart(fh *multipart.FileHeader) ([]byte, error) {
	f, err := fh.Open()
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// importPlans issues the plans of an uploaded roster, all or none.
func (s *Server) importPlans(w http.ResponseWriter, r *request) {
	d := &runData{Form: "plans"}
	files, err := upload(r)
	if err != nil {
		s.runRefused(w, r, d, "import plans refused", err)
		return
	}
	f := files[0]
	rows, err := centre.PlanRowsFromUpload(f.name, f.body)
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("%s: no row under the header: nothing imported", f.name)
	}
	var ids []string
	if err == nil {
		if ids, err = s.c.ImportPlans(r.Context(), rows); err != nil {
			err = fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err != nil {
		s.runRefused(w, r, d, "import plans refused", err)
		return
	}
	for _, id := range ids {
		p, _, err := s.c.PlanByID(r.Context(), id)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		d.Done = append(d.Done, fmt.Sprintf("%s %s %s %s %s: %d %s, %d %s", text(r.lang, "run.issued"), p.ID, p.Date, p.Category, p.Station,
			len(p.Candidates), text(r.lang, "run.candidates"), len(p.Examiners), text(r.lang, "run.examiners")))
	}
	s.audit(r.Context(), r.sess.Staff.Name, "import plans", fmt.Sprintf("%s: %d rows: plans %s", f.name, len(rows), strings.Join(ids, ", ")), r.remote)
	s.showRun(w, r, http.StatusOK, d)
}

// importExaminers imports an uploaded examiner table, all or none.
func (s *Server) importExaminers(w http.ResponseWriter, r *request) {
	d := &runData{Form: "examiners"}
	files, err := upload(r)
	if err != nil {
		s.runRefused(w, r, d, "import examiners refused", err)
		return
	}
	f := files[0]
	rows, err := centre.ExaminerRowsFromUpload(f.name, f.body)
	if err == nil && len(rows) == 0 {
		err = fmt.Errorf("%s: no row under the header: nothing imported", f.name)
	}
	if err == nil {
		if err = s.c.ImportExaminers(r.Context(), rows); err != nil {
			err = fmt.Errorf("%s: %w", f.name, err)
		}
	}
	if err != nil {
		s.runRefused(w, r, d, "import examiners refused", err)
		return
	}
	d.Done = append(d.Done, fmt.Sprintf("%s %d", text(r.lang, "run.examinerrows"), len(rows)))
	warn, err := s.c.Unexaminable(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	for _, p := range warn {
		d.Warnings = append(d.Warnings, p+": "+text(r.lang, "run.unexaminable"))
	}
	s.audit(r.Context(), r.sess.Staff.Name, "import examiners", fmt.Sprintf("%s: %d rows", f.name, len(rows)), r.remote)
	s.showRun(w, r, http.StatusOK, d)
}

// runRefused shows a refused form's problems on the page (422) and
// records the refusal.
func (s *Server) runRefused(w http.ResponseWriter, r *request, d *runData, action string, err error) {
	if errors.Is(err, errNoFile) {
		d.Refused = text(r.lang, "run.nofile")
	} else {
		d.refused(err)
	}
	s.audit(r.Context(), r.sess.Staff.Name, action, err.Error(), r.remote)
	s.showRun(w, r, http.StatusUnprocessableEntity, d)
}
