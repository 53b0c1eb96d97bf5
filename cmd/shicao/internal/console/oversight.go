package console

import (
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
)

// Oversight (issue #19): certificate warnings (持证上岗), the random pull
// of exam plans and of results for inspection (随机调取考试计划) and the
// inspections.
// Staff and admins draw; inspectors and admins record inspections;
// everyone signed in reads.

// defaultWithin is how many days ahead a certificate's end is warned of,
// unless the page asks for another span (?within=60).
const defaultWithin = 30

// drawsShown is how many of the latest draws the page lists.
const drawsShown = 20

// roles wraps a handler that only the given roles may use: others are
// refused with 403 and the refusal is in the audit trail. The session
// and the CSRF token of a POST are checked first, as for every page.
func (s *Server) roles(h func(http.ResponseWriter, *request), allowed ...string) http.Handler {
	return s.staff(func(w http.ResponseWriter, r *request) {
		if !slices.Contains(allowed, r.sess.Staff.Role) {
			s.refuse(w, r, http.StatusForbidden, "err.forbidden", "role refused", r.Method+" "+r.URL.Path)
			return
		}
		h(w, r)
	}, false)
}

// certWarnings is the warnings block: certificates ending within the
// span, and examiners on a coming plan whose certificate has ended.
type certWarnings struct {
	Within   int
	Expiring []centre.CertWarning
	Expired  []centre.CertWarning
}

// warnings returns the certificate warnings for the span asked for.
func (s *Server) warnings(r *request) (*certWarnings, error) {
	within := defaultWithin
	if v := r.URL.Query().Get("within"); v != "" {
		n, err := strconv.Atoi(v)
		if err == nil && n >= 1 && n <= 366 {
			within = n
		}
	}
	exp, err := s.c.ExpiringCertificates(r.Context(), within)
	if err != nil {
		return nil, err
	}
	gone, err := s.c.ExpiredAssigned(r.Context())
	if err != nil {
		return nil, err
	}
	return &certWarnings{Within: within, Expiring: exp, Expired: gone}, nil
}

type oversightData struct {
	Warnings   *certWarnings
	Draws      []centre.InspectionDraw
	CanDraw    bool
	CanInspect bool
	Date       string
	Message    string
	Error      string
	Drawn      *centre.InspectionDraw
}

func (s *Server) oversight(w http.ResponseWriter, r *request) {
	s.showOversight(w, r, http.StatusOK, &oversightData{})
}

func (s *Server) showOversight(w http.ResponseWriter, r *request, status int, d *oversightData) {
	var err error
	if d.Warnings, err = s.warnings(r); err != nil {
		s.fail(w, r, err)
		return
	}
	if d.Draws, err = s.c.InspectionDraws(r.Context(), drawsShown); err != nil {
		s.fail(w, r, err)
		return
	}
	role := r.sess.Staff.Role
	d.CanDraw = role == centre.RoleAdmin || role == centre.RoleStaff
	d.CanInspect = role == centre.RoleAdmin || role == centre.RoleInspector
	s.renderStatus(w, r, status, "oversight", d)
}

// draw pulls a plan or a result (kind=result) of the day at random;
// the seed is shown and logged.
func (s *Server) draw(w http.ResponseWriter, r *request) {
	date := strings.TrimSpace(r.PostFormValue("date"))
	kind := centre.DrawPlan
	if r.PostFormValue("kind") == centre.DrawResult {
		kind = centre.DrawResult
	}
	day, err := standards.ParseDate(date)
	if err != nil {
		s.showOversight(w, r, http.StatusUnprocessableEntity, &oversightData{Date: date, Error: text(r.lang, "err.bad") + " " + text(r.lang, "search.datehint")})
		return
	}
	var d *centre.InspectionDraw
	if kind == centre.DrawResult {
		d, err = s.c.DrawResultInspection(r.Context(), day, r.sess.Staff.Name)
	} else {
		d, err = s.c.DrawInspection(r.Context(), day, r.sess.Staff.Name)
	}
	if errors.Is(err, centre.ErrNoPlans) || errors.Is(err, centre.ErrNoResults) {
		s.audit(r.Context(), r.sess.Staff.Name, "random pull refused", "date "+day.String()+": no "+kind, r.remote)
		s.showOversight(w, r, http.StatusUnprocessableEntity, &oversightData{Date: date, Error: text(r.lang, "over.no"+kind+"s")})
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	detail := fmt.Sprintf("draw %d: %s: date %s seed %s among %d %ss: %s %s", d.ID, kind, d.Date, d.Seed, len(d.Pool), kind, kind, d.Drawn)
	s.audit(r.Context(), r.sess.Staff.Name, "random pull", detail, r.remote)
	s.log.Info("random pull", "draw", d.ID, "kind", kind, "date", d.Date, "seed", d.Seed, "pool", len(d.Pool), "drawn", d.Drawn, "staff", r.sess.Staff.Name)
	s.showOversight(w, r, http.StatusOK, &oversightData{Date: date, Drawn: d, Message: text(r.lang, "over.drawn") + " " + d.Drawn})
}

// inspect records an inspection against a draw.
func (s *Server) inspect(w http.ResponseWriter, r *request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	outcome, note := r.PostFormValue("outcome"), r.PostFormValue("note")
	err = s.c.RecordInspection(r.Context(), id, r.sess.Staff.Name, outcome, note)
	switch {
	case errors.Is(err, centre.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, centre.ErrBadOutcome):
		s.showOversight(w, r, http.StatusUnprocessableEntity, &oversightData{Error: text(r.lang, "over.badinspect")})
	case err != nil:
		s.fail(w, r, err)
	default:
		s.audit(r.Context(), r.sess.Staff.Name, "record inspection", fmt.Sprintf("draw %d: %s: %s", id, outcome, strings.TrimSpace(note)), r.remote)
		s.showOversight(w, r, http.StatusOK, &oversightData{Message: text(r.lang, "over.recorded")})
	}
}
