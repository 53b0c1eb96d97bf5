package sync

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	gosync "sync"
	"time"
)

// The centre's side of the protocol: HTTP handlers over small interfaces
// the centre implements (package centre, SQLite). docs/api.md is the
// reference.

// Ingester accepts a station's result bundle and returns the receipt's
// bytes. It returns a *Refusal for a result it will not keep; receiving
// the same bytes again returns the same receipt.
type Ingester interface {
	Ingest(ctx context.Context, station string, body []byte) ([]byte, error)
}

// Downlink returns the signed documents a station pulls; each is a note
// signed by the centre key, made for that station only.
type Downlink interface {
	StandardsSince(ctx context.Context, station string, since int64) ([]byte, error)
	PlansFor(ctx context.Context, station string) ([]byte, error)
	RegistryFor(ctx context.Context, station string) ([]byte, error)
}

// LogProver serves the Merkle log's newest signed checkpoint and
// consistency proofs between two sizes.
type LogProver interface {
	Checkpoint(ctx context.Context) ([]byte, error)
	Consistency(ctx context.Context, old, new int64) (*Consistency, error)
}

// Reconciler checks a station's signed end-of-day reconciliation
// against what the centre holds, raising an alarm per difference, and
// returns its answer (a ReconAnswer as JSON).
type Reconciler interface {
	ReconcileDay(ctx context.Context, station string, signed []byte) ([]byte, error)
}

// ReconAnswer is the centre's answer to a reconciliation: what it
// compared and every difference it raised an alarm for.
type ReconAnswer struct {
	Date        string            `json:"date"`
	Candidates  int               `json:"candidates"`
	Results     int               `json:"results"`
	Differences []ReconDifference `json:"differences"`
}

// ReconDifference is one difference found, and the alarm raised for it.
type ReconDifference struct {
	Kind    string `json:"kind"`
	Subject string `json:"subject"`
	Detail  string `json:"detail"`
}

// MaxReconciliationBytes caps a reconciliation's body: a day of a few
// hundred candidates is tens of KB.
const MaxReconciliationBytes = 1 << 20

// Server is the centre's HTTP API.
type Server struct {
	Keys    StationKeys
	Nonces  Nonces
	Results Ingester
	Down    Downlink
	Log     LogProver
	// Recon checks end-of-day reconciliations (POST /v1/reconciliations);
	// nil answers 404.
	Recon Reconciler
	// Status keeps the stations' statuses (POST /v1/status); nil
	// answers 404.
	Status StatusSink
	// Drills serves drills (GET /v1/drills) and takes calibration
	// records (POST /v1/calibrations); nil answers 404.
	Drills DrillDesk
	// Now is the centre's clock (tests inject one).
	Now    func() time.Time
	Logger *slog.Logger
	// MaxResult bounds the body of POST /v1/results (default
	// MaxResultBytes); a GET carries no body.
	MaxResult int64
	// MaxBodies bounds the request bodies read and held at once, from
	// all stations (default 8); MaxStationBodies from one station
	// (default 2). A request over either is answered before its body is
	// read: 503 or 429 with Retry-After, which the station retries.
	// Together with MaxResult they bound the memory bodies can take:
	// MaxBodies × MaxResult (128 MiB by default), and only for requests
	// whose signature verified with a registered key.
	MaxBodies, MaxStationBodies int
	// MaxIngest bounds the results verified at once; more are answered
	// 429 with Retry-After (default 32).
	MaxIngest int

	sem    chan struct{}
	bodies bodySlots
}

// MaxResultBytes is the default cap on a result bundle's size, from
// what stations send. Measured (centretest, the demo paper of 4 items):
// a bundle is about 100 KB before its events (the signed result, the
// standards' texts, the examiners' confirmations), then about 127 bytes
// per event; a 2,000-event result is 354 KB. The busiest log is the CPR
// item's: the manikin reports a raw depth sample at 25 Hz
// (docs/devices.md), 1,500 events a minute, so a 5-minute item is
// 7,500 events, about 1 MB, and a whole paper under 1.5 MB. 16 MiB is
// 10 times that: an hour of 25 Hz samples in one item (90,000 events,
// about 11.5 MB) still fits. A larger bundle is refused 413 and parked
// at the station with that reason. With MaxBodies (8) bodies at once,
// the bodies of authenticated stations take at most 128 MiB.
const MaxResultBytes = 16 << 20

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.MaxResult == 0 {
		s.MaxResult = MaxResultBytes
	}
	if s.MaxBodies == 0 {
		s.MaxBodies = 8
	}
	if s.MaxStationBodies == 0 {
		s.MaxStationBodies = 2
	}
	if s.MaxIngest == 0 {
		s.MaxIngest = 32
	}
	s.sem = make(chan struct{}, s.MaxIngest)
	s.bodies = bodySlots{max: s.MaxBodies, perStation: s.MaxStationBodies, held: map[string]int{}}
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/results", s.signedBody(s.MaxResult, s.postResult))
	if s.Recon != nil {
		mux.HandleFunc("POST /v1/reconciliations", s.signedBody(MaxReconciliationBytes, func(ctx context.Context, st string, _ *http.Request, body []byte) ([]byte, string, error) {
			answer, err := s.Recon.ReconcileDay(ctx, st, body)
			return answer, jsonType, err
		}))
	}
	if s.Status != nil {
		mux.HandleFunc("POST /v1/status", s.postStatus)
	}
	if s.Drills != nil {
		mux.HandleFunc("GET /v1/drills", s.signed(func(ctx context.Context, st string, _ *http.Request, _ []byte) ([]byte, string, error) {
			b, err := s.Drills.DrillsFor(ctx, st)
			return b, noteType, err
		}))
		mux.HandleFunc("POST /v1/calibrations", s.signedBody(MaxCalibrationBytes, func(ctx context.Context, st string, _ *http.Request, body []byte) ([]byte, string, error) {
			answer, err := s.Drills.Calibrate(ctx, st, body)
			return answer, jsonType, err
		}))
	}
	mux.HandleFunc("GET /v1/standards", s.signed(s.getStandards))
	mux.HandleFunc("GET /v1/plans", s.signed(func(ctx context.Context, st string, r *http.Request, _ []byte) ([]byte, string, error) {
		b, err := s.Down.PlansFor(ctx, st)
		return b, noteType, err
	}))
	mux.HandleFunc("GET /v1/registry", s.signed(func(ctx context.Context, st string, r *http.Request, _ []byte) ([]byte, string, error) {
		b, err := s.Down.RegistryFor(ctx, st)
		return b, noteType, err
	}))
	mux.HandleFunc("GET /v1/log/checkpoint", s.signed(func(ctx context.Context, _ string, r *http.Request, _ []byte) ([]byte, string, error) {
		b, err := s.Log.Checkpoint(ctx)
		return b, noteType, err
	}))
	mux.HandleFunc("GET /v1/log/consistency", s.signed(s.getConsistency))
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeRefusal(w, Refuse(http.StatusNotFound, "not-found", "no such endpoint: %s %s (see docs/api.md)", r.Method, r.URL.Path))
	})
	return stampTime(mux, s.Now)
}

// stampTime puts the centre's time, to the millisecond, on every answer,
// twice: when the request arrived (ReceivedHeader) and when the answer
// is written (TimeHeader). The station measures its clock offset from
// them as NTP does, so the seconds the centre may take to check an
// upload cancel out instead of showing a station under load as seconds
// off (see Client.ClockOffset).
func stampTime(h http.Handler, now func() time.Time) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&stampWriter{ResponseWriter: w, now: now, arrived: now()}, r)
	})
}

type stampWriter struct {
	http.ResponseWriter
	now     func() time.Time
	arrived time.Time
	stamped bool
}

func (w *stampWriter) stamp() {
	if !w.stamped {
		w.stamped = true
		w.Header().Set(ReceivedHeader, w.arrived.UTC().Format(time.RFC3339Nano))
		w.Header().Set(TimeHeader, w.now().UTC().Format(time.RFC3339Nano))
	}
}

func (w *stampWriter) WriteHeader(code int) { w.stamp(); w.ResponseWriter.WriteHeader(code) }

func (w *stampWriter) Write(b []byte) (int, error) { w.stamp(); return w.ResponseWriter.Write(b) }

// Unwrap lets http.ResponseController reach the connection's writer.
func (w *stampWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// TimeHeader carries the centre's clock when it wrote the answer (RFC
// 3339 with fractional seconds), ReceivedHeader when the request arrived;
// Date, with whole seconds, is the fallback.
const (
	TimeHeader     = "Shicao-Time"
	ReceivedHeader = "Shicao-Received"
)

const (
	noteType = "text/plain; charset=utf-8" // signed notes
	jsonType = "application/json"
)

type endpoint func(ctx context.Context, station string, r *http.Request, body []byte) ([]byte, string, error)

// signed authenticates a request that carries no body and runs f.
func (s *Server) signed(f endpoint) http.HandlerFunc { return s.signedBody(0, f) }

// signedBody authenticates the station from the request's headers, then
// reads a body of at most limit bytes, hashing it as it arrives, and runs
// f. Nothing of the body is read before the signature verified with a
// registered station's key and the request's nonce was spent (see
// AuthenticateHeaders): an unsigned or forged request costs the centre
// its headers only. A body is read only within a slot of s.bodies, held
// until f returns, since the body lives that long.
func (s *Server) signedBody(limit int64, f endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		req, err := AuthenticateHeaders(ctx, r, s.Keys, s.Nonces, s.Now())
		if err != nil {
			s.fail(w, r, "", err)
			return
		}
		if r.ContentLength > limit {
			s.fail(w, r, req.Station, tooLarge(r, limit))
			return
		}
		if limit > 0 {
			release, err := s.bodies.acquire(req.Station)
			if err != nil {
				s.fail(w, r, req.Station, err)
				return
			}
			defer release()
		}
		body, err := readBody(w, r, limit, req)
		if err != nil {
			s.fail(w, r, req.Station, err)
			return
		}
		out, ctype, err := f(ctx, req.Station, r, body)
		if err != nil {
			s.fail(w, r, req.Station, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.Write(out)
	}
}

func tooLarge(r *http.Request, limit int64) *Refusal {
	if limit == 0 {
		return Refuse(http.StatusRequestEntityTooLarge, "too-large", "%s %s carries no body", r.Method, r.URL.Path)
	}
	return Refuse(http.StatusRequestEntityTooLarge, "too-large", "the body is larger than %d bytes, the most %s %s takes", limit, r.Method, r.URL.Path)
}

// readBody reads at most limit bytes of r's body, hashing them as they
// arrive, and checks them against the signed hash.
func readBody(w http.ResponseWriter, r *http.Request, limit int64, req *Signed) ([]byte, error) {
	var buf bytes.Buffer
	if r.ContentLength > 0 {
		buf.Grow(int(r.ContentLength)) // at most limit: checked by the caller
	}
	h := sha256.New()
	n, err := io.Copy(io.MultiWriter(&buf, h), http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var big *http.MaxBytesError
		if errors.As(err, &big) {
			return nil, tooLarge(r, limit)
		}
		return nil, Refuse(http.StatusRequestTimeout, CodeBodyDamaged, "the body could not be read whole: %v", err)
	}
	if err := req.CheckBody([sha256.Size]byte(h.Sum(nil)), n); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// bodySlots bounds the request bodies read and held at once: in all, and
// per station, so that one station (or one stolen key) cannot take every
// slot.
type bodySlots struct {
	mu         gosync.Mutex
	max        int
	perStation int
	total      int
	held       map[string]int
}

// acquire takes a slot for station, or refuses at once: 503 when the
// centre holds its most bodies, 429 when the station holds its most.
// Both carry Retry-After and are retried by the station (Transient).
func (b *bodySlots) acquire(station string) (release func(), err error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.held[station] >= b.perStation {
		ref := Refuse(http.StatusTooManyRequests, CodeBusy, "station %s is sending %d requests at once, the most the centre reads from one station: send this one again shortly", station, b.perStation)
		ref.RetryAfter = time.Second
		return nil, ref
	}
	if b.total >= b.max {
		ref := Refuse(http.StatusServiceUnavailable, CodeBusy, "the centre is reading %d requests at once, its most: send this one again shortly", b.max)
		ref.RetryAfter = time.Second
		return nil, ref
	}
	b.total++
	b.held[station]++
	return func() {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.total--
		if b.held[station]--; b.held[station] == 0 {
			delete(b.held, station)
		}
	}, nil
}

func (s *Server) fail(w http.ResponseWriter, r *http.Request, station string, err error) {
	var ref *Refusal
	if errors.As(err, &ref) {
		s.Logger.Info("refused", "method", r.Method, "path", r.URL.Path, "station", station, "status", ref.Status, "code", ref.Code, "reason", ref.Reason)
		writeRefusal(w, ref)
		return
	}
	s.Logger.Error("request failed", "method", r.Method, "path", r.URL.Path, "station", station, "err", err)
	writeRefusal(w, Refuse(http.StatusInternalServerError, "internal", "the centre could not complete the request; it is logged, try again later"))
}

func writeRefusal(w http.ResponseWriter, r *Refusal) {
	b, _ := json.Marshal(r)
	w.Header().Set("Content-Type", jsonType)
	if r.RetryAfter > 0 {
		w.Header().Set("Retry-After", strconv.Itoa(int((r.RetryAfter+time.Second-1)/time.Second)))
	}
	w.WriteHeader(r.Status)
	w.Write(append(b, '\n'))
}

func (s *Server) postResult(ctx context.Context, station string, r *http.Request, body []byte) ([]byte, string, error) {
	select {
	case s.sem <- struct{}{}:
		defer func() { <-s.sem }()
	default:
		ref := Refuse(http.StatusTooManyRequests, CodeBusy, "the centre is verifying %d results; send this one again shortly", s.MaxIngest)
		ref.RetryAfter = time.Second
		return nil, "", ref
	}
	receipt, err := s.Results.Ingest(ctx, station, body)
	return receipt, jsonType, err
}

func (s *Server) getStandards(ctx context.Context, station string, r *http.Request, _ []byte) ([]byte, string, error) {
	since, err := queryInt(r, "since", 0)
	if err != nil {
		return nil, "", err
	}
	b, err := s.Down.StandardsSince(ctx, station, since)
	return b, noteType, err
}

func (s *Server) getConsistency(ctx context.Context, _ string, r *http.Request, _ []byte) ([]byte, string, error) {
	old, err := queryInt(r, "old", -1)
	if err != nil {
		return nil, "", err
	}
	nw, err := queryInt(r, "new", -1)
	if err != nil {
		return nil, "", err
	}
	if old < 0 || nw < old {
		return nil, "", Refuse(http.StatusBadRequest, "bad-query", "give 0 <= old <= new")
	}
	c, err := s.Log.Consistency(ctx, old, nw)
	if err != nil {
		return nil, "", err
	}
	b, err := json.Marshal(c)
	return b, jsonType, err
}

func queryInt(r *http.Request, name string, def int64) (int64, error) {
	v := r.URL.Query().Get(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		return 0, Refuse(http.StatusBadRequest, "bad-query", "%s=%q is not an integer", name, v)
	}
	return n, nil
}
