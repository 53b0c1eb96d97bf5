// Package console is the exam centre's console in a browser
// (docs/console.md): staff sign in, watch the stations live, find and
// read results with their evidence, re-verify them, and read the audit
// trail of what every staff member did. Pages are html/template
// (contextual escaping) over assets embedded in the binary: no CDN, no
// external fonts; the one script (the live grid's, embedded too) only
// swaps in what the server rendered, and every page works without it.
// Chinese by default, English by a switch; every state is written, not
// only coloured.
//
// Security: sessions are server-side (the cookie holds a random id,
// HttpOnly, SameSite=Strict); every POST carries the session's CSRF
// token (the sign-in form a per-browser one) and is refused with 403
// without it; roles are checked on the server for every action; every
// staff action is appended to the audit trail with the remote address.
package console

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/hex"
	"errors"
	"html/template"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	"shicao/cmd/shicao/internal/centre"
)

//go:embed templates/*.html templates/parts/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// Cookie names.
const (
	sessionCookie = "shicao_session"
	preCookie     = "shicao_pre" // the sign-in form's CSRF token, before a session exists
	langCookie    = "shicao_lang"
)

// Server is the console over a centre.
type Server struct {
	c      *centre.Centre
	log    *slog.Logger
	pages  map[string]*template.Template
	secure bool // cookies marked Secure (behind TLS)
	// newTicker starts the live grid's ticker (Options.NewTicker).
	newTicker func(d time.Duration) (<-chan time.Time, func())
	done      chan struct{} // closed by Close: the live streams end
	closeOnce gosync.Once
}

// Options tune a Server.
type Options struct {
	Logger *slog.Logger
	Secure bool // the console is served over TLS: cookies are Secure
	// NewTicker starts the ticker with which the live grid's event
	// streams look for stations fallen silent (tests inject one); nil
	// is time.NewTicker.
	NewTicker func(d time.Duration) (c <-chan time.Time, stop func())
}

// New returns the console over c. It returns an error only if an
// embedded template does not parse (a build defect).
func New(c *centre.Centre, opts Options) (*Server, error) {
	s := &Server{c: c, log: opts.Logger, secure: opts.Secure, pages: map[string]*template.Template{}, newTicker: opts.NewTicker, done: make(chan struct{})}
	if s.log == nil {
		s.log = slog.New(slog.DiscardHandler)
	}
	if s.newTicker == nil {
		s.newTicker = func(d time.Duration) (<-chan time.Time, func()) {
			t := time.NewTicker(d)
			return t.C, t.Stop
		}
	}
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		return nil, err
	}
	for _, n := range names {
		base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html")
		if base == "layout" {
			continue
		}
		t, err := template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/parts/*.html", n)
		if err != nil {
			return nil, err
		}
		s.pages[base] = t
	}
	return s, nil
}

// Handler returns the console's routes.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(staticFS, "static")
	mux.Handle("GET /static/", http.StripPrefix("/static/", http.FileServerFS(static)))
	mux.HandleFunc("GET /signin", s.signinPage)
	mux.HandleFunc("POST /signin", s.signin)
	mux.HandleFunc("GET /lang", s.setLang)
	mux.Handle("POST /signout", s.staff(s.signout, false))
	mux.Handle("GET /{$}", s.staff(s.dashboard, false))
	mux.Handle("GET /results", s.staff(s.results, false))
	mux.Handle("GET /results/{id}", s.staff(s.result, false))
	mux.Handle("POST /results/{id}/verify", s.staff(s.verify, false))
	mux.Handle("GET /audit", s.staff(s.auditPage, false))
	mux.Handle("GET /alarms", s.staff(s.alarms, false))
	mux.Handle("POST /alarms/{id}/ack", s.staff(s.ackAlarm, true))
	mux.Handle("GET /live", s.staff(s.live, false))
	mux.Handle("GET /live/events", s.staff(s.liveEvents, false))
	mux.Handle("GET /sites", s.staff(s.sites, false))
	mux.Handle("POST /sites", s.staff(s.addSite, true))
	mux.Handle("GET /oversight", s.staff(s.oversight, false))
	mux.Handle("POST /oversight/draw", s.roles(s.draw, centre.RoleAdmin, centre.RoleStaff))
	mux.Handle("POST /oversight/draws/{id}/inspect", s.roles(s.inspect, centre.RoleAdmin, centre.RoleInspector))
	mux.Handle("GET /drills", s.staff(s.drills, false))
	mux.Handle("GET /analytics", s.staff(s.analytics, false))
	mux.Handle("GET /analytics.csv", s.staff(s.analyticsCSV, false))
	mux.Handle("GET /exports", s.roles(s.exportsPage, centre.RoleAdmin, centre.RoleStaff))
	mux.Handle("GET /exports/{what}", s.roles(s.export, centre.RoleAdmin, centre.RoleStaff))
	mux.Handle("GET /run", s.roles(s.runPage, centre.RoleAdmin, centre.RoleStaff))
	mux.Handle("POST /run/plans", s.staff(s.importPlans, true))
	mux.Handle("POST /run/examiners", s.staff(s.importExaminers, true))
	mux.Handle("POST /run/standards", s.staff(s.publishStandards, true))
	mux.Handle("POST /run/stations", s.staff(s.addStation, true))
	mux.Handle("POST /run/equipment", s.staff(s.addEquipment, true))
	return headers(mux)
}

// request is what a staff handler gets.
type request struct {
	*http.Request
	sess   *centre.Session
	lang   string
	remote string
}

// staff wraps a handler that needs a signed-in staff member: no session
// redirects to the sign-in page (a POST is refused with 403); a POST
// without the session's CSRF token is refused with 403; change marks the
// actions inspectors may not do (403). Refusals are in the audit trail.
func (s *Server) staff(h func(http.ResponseWriter, *request), change bool) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		req := &request{Request: r, lang: langOf(r), remote: remoteOf(r)}
		ck, err := r.Cookie(sessionCookie)
		if err == nil {
			req.sess, err = s.c.SessionByID(r.Context(), ck.Value)
		}
		if err != nil {
			if !errors.Is(err, http.ErrNoCookie) && !errors.Is(err, centre.ErrNoSession) {
				s.fail(w, req, err)
				return
			}
			if r.Method != http.MethodGet {
				s.refuse(w, req, http.StatusForbidden, "err.csrf", "post without a session", r.URL.Path)
				return
			}
			http.Redirect(w, r, "/signin?expired=1", http.StatusSeeOther)
			return
		}
		if r.Method == http.MethodPost && tooLarge(r) {
			s.audit(r.Context(), req.sess.Staff.Name, "upload refused", "larger than the limit: "+r.URL.Path, req.remote)
			s.renderStatus(w, req, http.StatusRequestEntityTooLarge, "error", map[string]any{"Message": text(req.lang, "err.toolarge"), "Status": http.StatusRequestEntityTooLarge})
			return
		}
		if r.Method == http.MethodPost && !sameToken(r.PostFormValue("csrf"), req.sess.CSRF) {
			s.refuse(w, req, http.StatusForbidden, "err.csrf", "csrf refused", r.URL.Path)
			return
		}
		if change && !req.sess.Staff.CanChange() {
			s.refuse(w, req, http.StatusForbidden, "err.forbidden", "role refused", r.Method+" "+r.URL.Path)
			return
		}
		h(w, req)
	})
}

func sameToken(got, want string) bool {
	return got != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// remoteOf is the address the request came from. The console does not
// trust forwarding headers: behind a proxy, the proxy's address is what
// is known for certain.
func remoteOf(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

func langOf(r *http.Request) string {
	if ck, err := r.Cookie(langCookie); err == nil && ck.Value == "en" {
		return "en"
	}
	return "zh"
}

func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b) // never fails (crypto/rand documents it)
	return hex.EncodeToString(b)
}

func (s *Server) setCookie(w http.ResponseWriter, name, value string, maxAge time.Duration) {
	http.SetCookie(w, &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, Secure: s.secure,
		SameSite: http.SameSiteStrictMode, MaxAge: int(maxAge / time.Second)})
}

// audit appends to the audit trail; a failure to write it is logged
// (the action itself is done or refused already).
func (s *Server) audit(ctx context.Context, who, action, detail, remote string) {
	if err := s.c.Audit(ctx, who, action, detail, remote); err != nil {
		s.log.Error("audit", "staff", who, "action", action, "err", err)
	}
}

// refuse answers a refused request with status and a page saying why,
// and records the refusal.
func (s *Server) refuse(w http.ResponseWriter, r *request, status int, msgKey, action, detail string) {
	who := "-"
	if r.sess != nil {
		who = r.sess.Staff.Name
	}
	s.audit(r.Context(), who, action, detail, r.remote)
	s.renderStatus(w, r, status, "error", map[string]any{"Message": text(r.lang, msgKey), "Status": status})
}

// fail answers an internal error: the detail goes to the log only.
func (s *Server) fail(w http.ResponseWriter, r *request, err error) {
	s.log.Error("console", "path", r.URL.Path, "err", err)
	s.renderStatus(w, r, http.StatusInternalServerError, "error", map[string]any{"Message": text(r.lang, "err.internal"), "Status": 500})
}

// page is what every template gets.
type page struct {
	Lang  string
	Sess  *centre.Session
	Path  string // the page's path and query, for the language switch
	Title string
	Data  any
}

// T returns the catalogue's text for key in the page's language.
func (p page) T(key string) string { return text(p.Lang, key) }

// CSRF returns the session's form token.
func (p page) CSRF() string {
	if p.Sess == nil {
		return ""
	}
	return p.Sess.CSRF
}

// render writes a page whole: it is rendered first, so that a template
// failing half-way sends no half page.
func (s *Server) render(w http.ResponseWriter, r *request, name string, data any) {
	s.renderStatus(w, r, http.StatusOK, name, data)
}

// renderStatus is render with a status other than 200.
func (s *Server) renderStatus(w http.ResponseWriter, r *request, status int, name string, data any) {
	t := s.pages[name]
	p := page{Lang: r.lang, Sess: r.sess, Path: r.URL.RequestURI(), Title: text(r.lang, name+".title"), Data: data}
	var buf bytes.Buffer
	if err := t.ExecuteTemplate(&buf, "layout.html", p); err != nil {
		s.log.Error("render", "page", name, "err", err)
		http.Error(w, text(r.lang, "err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}
