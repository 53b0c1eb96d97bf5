package sync

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
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

// Server is the centre's HTTP API.
type Server struct {
	Keys    StationKeys
	Nonces  Nonces
	Results Ingester
	Down    Downlink
	Log     LogProver
	// Now is the centre's clock (tests inject one).
	Now    func() time.Time
	Logger *slog.Logger
	// MaxBody bounds a request body (default 64 MiB).
	MaxBody int64
	// MaxIngest bounds the results verified at once; more are answered
	// 429 with Retry-After (default 32).
	MaxIngest int

	sem chan struct{}
}

// Handler returns the API's routes.
func (s *Server) Handler() http.Handler {
	if s.Now == nil {
		s.Now = time.Now
	}
	if s.Logger == nil {
		s.Logger = slog.New(slog.DiscardHandler)
	}
	if s.MaxBody == 0 {
		s.MaxBody = 64 << 20
	}
	if s.MaxIngest == 0 {
		s.MaxIngest = 32
	}
	s.sem = make(chan struct{}, s.MaxIngest)
	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/results", s.signed(s.postResult))
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
	return mux
}

const (
	noteType = "text/plain; charset=utf-8" // signed notes
	jsonType = "application/json"
)

type endpoint func(ctx context.Context, station string, r *http.Request, body []byte) ([]byte, string, error)

// signed reads the body, authenticates the station and runs f.
func (s *Server) signed(f endpoint) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBody))
		if err != nil {
			var tooBig *http.MaxBytesError
			if errors.As(err, &tooBig) {
				writeRefusal(w, Refuse(http.StatusRequestEntityTooLarge, "too-large", "the body is larger than %d bytes", s.MaxBody))
				return
			}
			writeRefusal(w, Refuse(http.StatusRequestTimeout, CodeBodyDamaged, "the body could not be read whole: %v", err))
			return
		}
		station, err := Authenticate(ctx, r, body, s.Keys, s.Nonces, s.Now())
		if err != nil {
			s.fail(w, r, "", err)
			return
		}
		out, ctype, err := f(ctx, station, r, body)
		if err != nil {
			s.fail(w, r, station, err)
			return
		}
		w.Header().Set("Content-Type", ctype)
		w.Header().Set("Content-Length", strconv.Itoa(len(out)))
		w.Write(out)
	}
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
