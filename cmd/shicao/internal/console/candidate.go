package console

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"log/slog"
	"math"
	"net/http"
	"strconv"
	"time"

	"shicao/cmd/shicao/internal/centre"
)

// The candidate page (docs/console.md): a candidate, not staff, enters
// their 身份证号 and their slip's code and reads their own record: the
// result, every sheet, every deduction with its evidence, the charts,
// the appeal's state; and downloads the same as a PDF. It is served on
// the centre's public listener (candidates are outside the staff
// network), never touches staff sessions, and offers no list and no
// search: a wrong pair, whatever is wrong in it, gets one refusal, and
// failed tries are limited per client address and per ID number.

//go:embed templates/candidate/*.html
var candidateFS embed.FS

// Candidate lookup limits: failed tries per window, per address and per
// ID number.
const (
	CandidateTries  = 5
	CandidateWindow = 10 * time.Minute
)

// Candidate serves the candidate page.
type Candidate struct {
	c     *centre.Centre
	log   *slog.Logger
	limit *centre.TryLimiter
	pages map[string]*template.Template
}

// CandidateOptions tune the candidate page.
type CandidateOptions struct {
	Logger *slog.Logger
	Now    func() time.Time // the limiter's clock (tests inject one)
}

// NewCandidate returns the candidate page over c. It returns an error
// only if an embedded template does not parse (a build defect).
func NewCandidate(c *centre.Centre, opts CandidateOptions) (*Candidate, error) {
	h := &Candidate{c: c, log: opts.Logger, limit: centre.NewTryLimiter(CandidateTries, CandidateWindow, opts.Now), pages: map[string]*template.Template{}}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, name := range []string{"form", "record"} {
		t, err := template.New("candidate_layout.html").Funcs(funcs).ParseFS(candidateFS, "templates/candidate/candidate_layout.html", "templates/candidate/candidate_"+name+".html")
		if err != nil {
			return nil, err
		}
		// The item's sections are the staff result page's (parts/item.html).
		if t, err = t.ParseFS(templateFS, "templates/parts/*.html"); err != nil {
			return nil, err
		}
		h.pages[name] = t
	}
	return h, nil
}

// Handler returns the candidate routes, under /candidate.
func (h *Candidate) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /candidate/static/", http.StripPrefix("/candidate/", http.FileServerFS(staticFS)))
	mux.HandleFunc("GET /candidate", h.form)
	mux.HandleFunc("POST /candidate", h.lookup(h.record))
	mux.HandleFunc("POST /candidate/pdf", h.lookup(h.pdf))
	return headers(mux)
}

// candidatePage is what the candidate templates get.
type candidatePage struct {
	Lang    string
	Message string // a refusal, or ""
	Data    *candidateView
	// IDNumber and Code refill the form after a refusal, and carry the
	// pair to the PDF download (a POST: never in a URL).
	IDNumber, Code string
}

// T returns the text for key in the page's language.
func (p candidatePage) T(key string) string { return candidateText(p.Lang, key) }

// Other is the other language.
func (p candidatePage) Other() string {
	if p.Lang == "en" {
		return "zh"
	}
	return "en"
}

func candidateLang(r *http.Request) string {
	if r.FormValue("lang") == "en" {
		return "en"
	}
	return "zh"
}

func (h *Candidate) form(w http.ResponseWriter, r *http.Request) {
	h.render(w, http.StatusOK, "form", candidatePage{Lang: candidateLang(r)})
}

// lookup checks the limits, then the pair, and hands the record to next.
func (h *Candidate) lookup(next func(http.ResponseWriter, *http.Request, candidatePage, *centre.CandidateRecord)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p := candidatePage{Lang: candidateLang(r), IDNumber: r.PostFormValue("idnumber"), Code: r.PostFormValue("code")}
		keys := []string{"addr " + remoteOf(r), "id " + centre.NormalizeIDNumber(p.IDNumber)}
		if ok, wait := h.limit.Take(keys...); !ok {
			w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
			p.Message = p.T("cand.limited")
			h.log.Warn("candidate lookup limited", "remote", remoteOf(r))
			h.render(w, http.StatusTooManyRequests, "form", p)
			return
		}
		rec, err := h.c.CandidateRecord(r.Context(), p.IDNumber, p.Code)
		if !errors.Is(err, centre.ErrNoRecord) {
			h.limit.Refund(keys...) // only failed tries count
		}
		if errors.Is(err, centre.ErrNoRecord) {
			p.Message = p.T("cand.refused")
			h.render(w, http.StatusForbidden, "form", p)
			return
		}
		if err != nil {
			h.log.Error("candidate lookup", "err", err)
			p.Message = p.T("err.internal")
			h.render(w, http.StatusInternalServerError, "form", p)
			return
		}
		next(w, r, p, rec)
	}
}

func (h *Candidate) record(w http.ResponseWriter, r *http.Request, p candidatePage, rec *centre.CandidateRecord) {
	v, err := buildCandidateView(rec, p.Lang)
	if err != nil {
		h.log.Error("candidate record", "result", rec.Row.ID, "err", err)
		p.Message = p.T("err.internal")
		h.render(w, http.StatusInternalServerError, "form", p)
		return
	}
	p.Data = v
	h.render(w, http.StatusOK, "record", p)
}

func (h *Candidate) pdf(w http.ResponseWriter, r *http.Request, p candidatePage, rec *centre.CandidateRecord) {
	v, err := buildCandidateView(rec, p.Lang)
	var buf bytes.Buffer
	if err == nil {
		err = writeCandidatePDF(&buf, v, p.Lang)
	}
	if err != nil {
		h.log.Error("candidate pdf", "result", rec.Row.ID, "err", err)
		p.Message = p.T("err.internal")
		h.render(w, http.StatusInternalServerError, "form", p)
		return
	}
	w.Header().Set("Content-Type", "application/pdf")
	w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="shicao-%s.pdf"`, rec.Row.ID))
	w.Write(buf.Bytes())
}

// render writes a page whole, rendered first.
func (h *Candidate) render(w http.ResponseWriter, status int, name string, p candidatePage) {
	var buf bytes.Buffer
	if err := h.pages[name].ExecuteTemplate(&buf, "candidate_layout.html", p); err != nil {
		h.log.Error("render", "page", "candidate "+name, "err", err)
		http.Error(w, candidateText(p.Lang, "err.internal"), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	w.Write(buf.Bytes())
}

// candidateView is the record a candidate reads: the console's result
// view of their result, their masked ID, the slip code and the appeal.
type candidateView struct {
	*resultView
	Masked   string
	Code     string
	Standing *centre.Standing
	Appeal   []appealLine
}

// appealLine is one state of the appeal, for people.
type appealLine struct {
	At, State, Detail string
	Index             int64
}

func buildCandidateView(rec *centre.CandidateRecord, lang string) (*candidateView, error) {
	rv, err := buildResultView(rec.Row, rec.Body, rec.Receipt, lang)
	if err != nil {
		return nil, err
	}
	v := &candidateView{resultView: rv, Masked: centre.MaskIDNumber(rec.Row.Candidate), Code: rec.Code, Standing: rec.Standing}
	if rec.Standing != nil {
		for _, e := range rec.Standing.History {
			l := appealLine{At: e.Doc.At, State: candidateText(lang, "appeal."+e.Doc.State), Index: e.Index}
			switch e.Doc.State {
			case centre.AppealRescored:
				l.Detail = e.Doc.Total
			case centre.AppealReexam:
				l.Detail = e.Doc.Plan
			}
			v.Appeal = append(v.Appeal, l)
		}
	}
	return v, nil
}

// StateText is the appeal's current state for people ("" without one).
func (v *candidateView) StateText(lang string) string {
	if v.Standing == nil || v.Standing.State == "" {
		return ""
	}
	return candidateText(lang, "appeal.now."+v.Standing.State)
}
