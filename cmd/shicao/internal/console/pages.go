package console

import (
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
)

// pageSize is how many results or audit entries a page lists.
const pageSize = 50

var funcs = template.FuncMap{
	"ms":  func(ms int64) string { return time.UnixMilli(ms).Format("2006-01-02 15:04:05") },
	"dur": fmtDuration,
}

// fmtDuration writes a time into an item as m:ss.mmm.
func fmtDuration(ms int64) string {
	sign := ""
	if ms < 0 {
		sign, ms = "-", -ms
	}
	return fmt.Sprintf("%s%d:%02d.%03d", sign, ms/60000, ms/1000%60, ms%1000)
}

func (s *Server) signinPage(w http.ResponseWriter, r *http.Request) {
	req := &request{Request: r, lang: langOf(r), remote: remoteOf(r)}
	tok := randomToken()
	s.setCookie(w, preCookie, tok, time.Hour)
	notice := ""
	if r.URL.Query().Get("expired") != "" {
		notice = text(req.lang, "signin.expired")
	}
	s.render(w, req, "signin", map[string]any{"Pre": tok, "Notice": notice})
}

func (s *Server) signin(w http.ResponseWriter, r *http.Request) {
	req := &request{Request: r, lang: langOf(r), remote: remoteOf(r)}
	ck, err := r.Cookie(preCookie)
	if err != nil || !sameToken(r.PostFormValue("csrf"), ck.Value) {
		s.refuse(w, req, http.StatusForbidden, "err.csrf", "csrf refused", "POST /signin")
		return
	}
	name := strings.TrimSpace(r.PostFormValue("name"))
	sess, err := s.c.SignIn(r.Context(), name, r.PostFormValue("password"))
	if err != nil {
		msg := ""
		var locked *centre.LockedError
		switch {
		case errors.As(err, &locked):
			msg = text(req.lang, "signin.locked") + " " + locked.Until.Format("2006-01-02 15:04:05")
		case errors.Is(err, centre.ErrBadSignIn):
			msg = text(req.lang, "signin.bad")
		default:
			s.fail(w, req, err)
			return
		}
		s.audit(r.Context(), name, "sign-in refused", err.Error(), req.remote)
		tok := randomToken()
		s.setCookie(w, preCookie, tok, time.Hour)
		s.renderStatus(w, req, http.StatusUnauthorized, "signin", map[string]any{"Pre": tok, "Message": msg, "Name": name})
		return
	}
	s.audit(r.Context(), name, "sign-in", "role "+sess.Staff.Role, req.remote)
	s.setCookie(w, sessionCookie, sess.ID, centre.SessionDuration)
	s.setCookie(w, preCookie, "", -time.Second)
	http.Redirect(w, r, "/", http.StatusSeeOther)
}

func (s *Server) signout(w http.ResponseWriter, r *request) {
	if err := s.c.SignOut(r.Context(), r.sess.ID); err != nil {
		s.fail(w, r, err)
		return
	}
	s.audit(r.Context(), r.sess.Staff.Name, "sign-out", "", r.remote)
	s.setCookie(w, sessionCookie, "", -time.Second)
	http.Redirect(w, r.Request, "/signin", http.StatusSeeOther)
}

// setLang switches the language (a cookie) and goes back to the page.
func (s *Server) setLang(w http.ResponseWriter, r *http.Request) {
	to := "zh"
	if r.URL.Query().Get("to") == "en" {
		to = "en"
	}
	http.SetCookie(w, &http.Cookie{Name: langCookie, Value: to, Path: "/", SameSite: http.SameSiteStrictMode, MaxAge: 365 * 24 * 3600, Secure: s.secure})
	back := r.URL.Query().Get("back")
	// Only a path of this console: never another site.
	if !strings.HasPrefix(back, "/") || strings.HasPrefix(back, "//") || strings.HasPrefix(back, "/\\") {
		back = "/"
	}
	http.Redirect(w, r, back, http.StatusSeeOther)
}

// resultsData is the search page's.
type resultsData struct {
	Q        centre.ResultQuery
	Searched bool
	Rows     []centre.ResultRow
	Next     string // the next page's query, "" on the last
	First    string // the first page's query, "" on it
	Error    string
	Desc     string // the query as the audit trail writes it
}

func (s *Server) results(w http.ResponseWriter, r *request) {
	v := r.URL.Query()
	q := centre.ResultQuery{IDNumber: v.Get("id_number"), Name: v.Get("name"), Date: v.Get("date"), Site: v.Get("site"),
		Category: v.Get("category"), Station: v.Get("station"), Examiner: v.Get("examiner")}
	before := int64(-1)
	if b := v.Get("before"); b != "" {
		n, err := strconv.ParseInt(b, 10, 64)
		if err != nil || n < 0 {
			s.renderStatus(w, r, http.StatusBadRequest, "error", map[string]any{"Message": text(r.lang, "err.bad") + " before=" + b, "Status": 400})
			return
		}
		before = n
	}
	rows, more, err := s.c.SearchResults(r.Context(), q, before, pageSize)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := resultsData{Q: q, Rows: rows, Searched: q != (centre.ResultQuery{}), Desc: describeQuery(q)}
	if d.Searched {
		s.audit(r.Context(), r.sess.Staff.Name, "search", describeQuery(q), r.remote)
	}
	base := url.Values{}
	for k, x := range v {
		if k != "before" && len(x) > 0 && x[0] != "" {
			base.Set(k, x[0])
		}
	}
	if more {
		n := url.Values{}
		for k, x := range base {
			n[k] = x
		}
		n.Set("before", strconv.FormatInt(rows[len(rows)-1].Index, 10))
		d.Next = "/results?" + n.Encode()
	}
	if before >= 0 {
		d.First = "/results?" + base.Encode()
	}
	s.render(w, r, "search", d)
}

func describeQuery(q centre.ResultQuery) string {
	var parts []string
	for _, f := range []struct{ k, v string }{{"id_number", q.IDNumber}, {"name", q.Name}, {"date", q.Date}, {"site", q.Site},
		{"category", q.Category}, {"station", q.Station}, {"examiner", q.Examiner}} {
		if f.v != "" {
			parts = append(parts, f.k+"="+f.v)
		}
	}
	return strings.Join(parts, " ")
}

func (s *Server) result(w http.ResponseWriter, r *request) {
	s.showResult(w, r, nil)
}

// verdict is the outcome of a re-verification shown on a result page.
type verdict struct {
	OK     bool
	Check  *centre.ResultCheck
	Reason string
}

func (s *Server) verify(w http.ResponseWriter, r *request) {
	id := r.PathValue("id")
	check, err := s.c.VerifyResult(r.Context(), id)
	if errors.Is(err, centre.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	v := &verdict{OK: err == nil, Check: check}
	if err != nil {
		v.Reason = err.Error()
		s.audit(r.Context(), r.sess.Staff.Name, "re-verify", "result "+id+": NOT verified: "+err.Error(), r.remote)
	} else {
		s.audit(r.Context(), r.sess.Staff.Name, "re-verify", "result "+id+": verified", r.remote)
	}
	s.showResult(w, r, v)
}

func (s *Server) notFound(w http.ResponseWriter, r *request) {
	s.renderStatus(w, r, http.StatusNotFound, "error", map[string]any{"Message": text(r.lang, "err.notfound"), "Status": 404})
}

func (s *Server) showResult(w http.ResponseWriter, r *request, v *verdict) {
	id := r.PathValue("id")
	row, err := s.c.ResultByID(r.Context(), id)
	if errors.Is(err, centre.ErrNotFound) {
		s.notFound(w, r)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	body, err := s.c.ResultBody(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	rcpt, err := s.c.ResultReceipt(r.Context(), id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	view, err := buildResultView(row, body, rcpt, r.lang)
	if err != nil {
		s.fail(w, r, fmt.Errorf("result %s: %w", id, err))
		return
	}
	view.Verdict = v
	if v == nil {
		s.audit(r.Context(), r.sess.Staff.Name, "read result", "result "+id, r.remote)
	}
	s.render(w, r, "result", view)
}

func (s *Server) auditPage(w http.ResponseWriter, r *request) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	entries, err := s.c.AuditTrail(r.Context(), before, pageSize+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(entries) > pageSize {
		entries = entries[:pageSize]
		next = "/audit?before=" + strconv.FormatInt(entries[len(entries)-1].ID, 10)
	}
	s.render(w, r, "audit", map[string]any{"Entries": entries, "Next": next})
}

func (s *Server) sites(w http.ResponseWriter, r *request) {
	s.showSites(w, r, http.StatusOK, "", "")
}

func (s *Server) showSites(w http.ResponseWriter, r *request, status int, msg, errMsg string) {
	list, err := s.c.Sites(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderStatus(w, r, status, "sites", map[string]any{"Sites": list, "Message": msg, "Error": errMsg, "CanChange": r.sess.Staff.CanChange()})
}

func (s *Server) addSite(w http.ResponseWriter, r *request) {
	site := centre.Site{ID: strings.TrimSpace(r.PostFormValue("id")), Name: strings.TrimSpace(r.PostFormValue("name")), Accepted: r.PostFormValue("kind") == "accepted"}
	if site.ID == "" || site.Name == "" {
		s.showSites(w, r, http.StatusUnprocessableEntity, "", text(r.lang, "err.bad")+" "+text(r.lang, "sites.id")+", "+text(r.lang, "sites.name"))
		return
	}
	if err := s.c.AddSite(r.Context(), site); err != nil {
		s.audit(r.Context(), r.sess.Staff.Name, "register site refused", site.ID+": "+err.Error(), r.remote)
		s.showSites(w, r, http.StatusUnprocessableEntity, "", err.Error())
		return
	}
	s.audit(r.Context(), r.sess.Staff.Name, "register site", fmt.Sprintf("%s %s accepted=%v", site.ID, site.Name, site.Accepted), r.remote)
	s.showSites(w, r, http.StatusOK, text(r.lang, "sites.added"), "")
}

func (s *Server) alarms(w http.ResponseWriter, r *request) {
	s.showAlarms(w, r, http.StatusOK, "", "")
}

func (s *Server) showAlarms(w http.ResponseWriter, r *request, status int, msg, errMsg string) {
	before, _ := strconv.ParseInt(r.URL.Query().Get("before"), 10, 64)
	list, err := s.c.AlarmPage(r.Context(), before, pageSize+1)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	next := ""
	if len(list) > pageSize {
		list = list[:pageSize]
		next = "/alarms?before=" + strconv.FormatInt(list[len(list)-1].ID, 10)
	}
	s.renderStatus(w, r, status, "alarms", map[string]any{"Alarms": list, "Next": next, "Message": msg, "Error": errMsg, "CanChange": r.sess.Staff.CanChange()})
}

func (s *Server) ackAlarm(w http.ResponseWriter, r *request) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil {
		s.notFound(w, r)
		return
	}
	note := r.PostFormValue("note")
	err = s.c.AckAlarm(r.Context(), id, r.sess.Staff.Name, note)
	switch {
	case errors.Is(err, centre.ErrNotFound):
		s.notFound(w, r)
	case errors.Is(err, centre.ErrNoNote), errors.Is(err, centre.ErrAcked):
		s.showAlarms(w, r, http.StatusUnprocessableEntity, "", err.Error())
	case err != nil:
		s.fail(w, r, err)
	default:
		s.audit(r.Context(), r.sess.Staff.Name, "acknowledge alarm", fmt.Sprintf("alarm %d: %s", id, strings.TrimSpace(note)), r.remote)
		s.showAlarms(w, r, http.StatusOK, text(r.lang, "alarms.done"), "")
	}
}
