package sync_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"shicao/standards"
	examsync "shicao/sync"
)

// fakeKeys is a registry of station keys.
type fakeKeys map[string]string

func (k fakeKeys) StationKey(_ context.Context, name string) (string, error) {
	if v, ok := k[name]; ok {
		return v, nil
	}
	return "", examsync.ErrUnknownStation
}

// fakeNonces remembers every nonce.
type fakeNonces struct {
	mu   sync.Mutex
	seen map[string]bool
}

func (n *fakeNonces) UseNonce(_ context.Context, station, nonce string, _ time.Time) (bool, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	if n.seen == nil {
		n.seen = map[string]bool{}
	}
	if n.seen[station+" "+nonce] {
		return false, nil
	}
	n.seen[station+" "+nonce] = true
	return true, nil
}

// holdIngester answers every result with "receipt", after telling
// entered (if not nil) and once hold is closed (if not nil).
type holdIngester struct {
	entered chan string
	hold    chan struct{}
}

func (h *holdIngester) Ingest(_ context.Context, station string, body []byte) ([]byte, error) {
	if h.entered != nil {
		h.entered <- station
	}
	if h.hold != nil {
		<-h.hold
	}
	return []byte("receipt"), nil
}

// fakeLog serves a checkpoint of "cp".
type fakeLog struct{}

func (fakeLog) Checkpoint(context.Context) ([]byte, error) { return []byte("cp"), nil }
func (fakeLog) Consistency(context.Context, int64, int64) (*examsync.Consistency, error) {
	return &examsync.Consistency{}, nil
}

// stations makes n registered stations S1..Sn and returns their signer
// keys by name.
func stations(t *testing.T, names ...string) (fakeKeys, map[string]string) {
	t.Helper()
	keys, signers := fakeKeys{}, map[string]string{}
	for _, n := range names {
		signer, verifier, err := standards.GenerateKey("station-" + n)
		if err != nil {
			t.Fatal(err)
		}
		keys[n], signers[n] = verifier, signer
	}
	return keys, signers
}

// countingBody is a request body of size bytes made as it is read (an
// attacker's 60 MB costs the test nothing), counting what was read.
type countingBody struct {
	left int64
	read atomic.Int64
}

func (b *countingBody) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), b.left))
	for i := range p[:n] {
		p[i] = 'x'
	}
	b.left -= int64(n)
	b.read.Add(int64(n))
	return n, nil
}

func (b *countingBody) Close() error { return nil }

func refusalOf(t *testing.T, rec *httptest.ResponseRecorder) examsync.Refusal {
	t.Helper()
	var ref examsync.Refusal
	if err := json.Unmarshal(rec.Body.Bytes(), &ref); err != nil {
		t.Fatalf("answer %d %q: %v", rec.Code, rec.Body, err)
	}
	return ref
}

// TestServer_Skew: a request too far from the centre's
// clock is refused with a message that says which way the station's
// clock is off, and by how much.
func TestServer_Skew(t *testing.T) {
	keys, signers := stations(t, "S1")
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		off  time.Duration
		want string
	}{
		{"Ahead", 6 * time.Minute, "the request's time 2026-11-28T09:06:00Z is 6m0s ahead of the centre's 2026-11-28T09:00:00Z"},
		{"Behind", -6 * time.Minute, "the request's time 2026-11-28T08:54:00Z is 6m0s behind the centre's 2026-11-28T09:00:00Z"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req := httptest.NewRequest("GET", "/v1/plans", nil)
			if err := examsync.SignRequest(req, nil, "S1", mustSigner(t, signers["S1"]), now.Add(tt.off)); err != nil {
				t.Fatal(err)
			}
			rec := httptest.NewRecorder()
			(&examsync.Server{Keys: keys, Nonces: &fakeNonces{}, Now: func() time.Time { return now }}).Handler().ServeHTTP(rec, req)
			ref := refusalOf(t, rec)
			if rec.Code != 401 || ref.Code != examsync.CodeStale {
				t.Fatalf("got %d %s, want 401 stale", rec.Code, ref.Code)
			}
			if !strings.Contains(ref.Reason, tt.want) {
				t.Errorf("reason %q, want it to say %q", ref.Reason, tt.want)
			}
		})
	}
}

// TestServer_BodyUnreadUntilAuthenticated: a request whose headers do
// not authenticate is answered without reading a byte of its body, and
// a signed body over the cap is refused from its Content-Length alone,
// or after at most the cap when it is sent without one.
func TestServer_BodyUnreadUntilAuthenticated(t *testing.T) {
	keys, signers := stations(t, "S1")
	_, other := stations(t, "S1")
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	const attack = 60 << 20
	srv := &examsync.Server{Keys: keys, Nonces: &fakeNonces{}, Results: &holdIngester{}, Log: fakeLog{}, Now: func() time.Time { return now }}
	h := srv.Handler()
	sign := func(req *http.Request, station, signer string, at time.Time) {
		if err := examsync.SignRequest(req, []byte("a result"), station, mustSigner(t, signer), at); err != nil {
			t.Fatal(err)
		}
	}
	replayed := httptest.NewRequest("POST", "/v1/results", strings.NewReader("a result"))
	sign(replayed, "S1", signers["S1"], now)
	h.ServeHTTP(httptest.NewRecorder(), replayed)

	tests := []struct {
		name     string
		headers  func(*http.Request)
		length   int64 // the Content-Length sent; -1 for none (chunked)
		status   int
		code     string
		maxRead  int64
		contains string
	}{
		{"Unsigned", func(*http.Request) {}, attack, 401, examsync.CodeUnsigned, 0, "not signed"},
		{"UnsignedChunked", func(*http.Request) {}, -1, 401, examsync.CodeUnsigned, 0, "not signed"},
		{"UnknownStation", func(r *http.Request) { sign(r, "S9", other["S1"], now) }, attack, 401, examsync.CodeUnknownStation, 0, "S9"},
		{"BadSignature", func(r *http.Request) { sign(r, "S1", other["S1"], now) }, attack, 401, examsync.CodeBadSignature, 0, "does not verify"},
		{"Stale", func(r *http.Request) { sign(r, "S1", signers["S1"], now.Add(-time.Hour)) }, attack, 401, examsync.CodeStale, 0, "behind"},
		{"Replay", func(r *http.Request) { r.Header = replayed.Header.Clone() }, attack, 401, examsync.CodeReplay, 0, "replay"},
		{"SignedTooLarge", func(r *http.Request) { sign(r, "S1", signers["S1"], now) }, attack, 413, "too-large", 0, "larger than 16777216 bytes"},
		{"SignedTooLargeChunked", func(r *http.Request) { sign(r, "S1", signers["S1"], now) }, -1, 413, "too-large", 16<<20 + 64<<10, "larger than 16777216 bytes"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body := &countingBody{left: attack}
			req := httptest.NewRequest("POST", "/v1/results", body)
			req.ContentLength = tt.length
			tt.headers(req)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, req)
			ref := refusalOf(t, rec)
			if rec.Code != tt.status || ref.Code != tt.code || !strings.Contains(ref.Reason, tt.contains) {
				t.Fatalf("got %d %s %q, want %d %s saying %q", rec.Code, ref.Code, ref.Reason, tt.status, tt.code, tt.contains)
			}
			if n := body.read.Load(); n > tt.maxRead {
				t.Errorf("the centre read %d bytes of the body, want at most %d", n, tt.maxRead)
			}
		})
	}
	t.Run("GetWithBody", func(t *testing.T) {
		req := httptest.NewRequest("GET", "/v1/log/checkpoint", bytes.NewReader([]byte("x")))
		if err := examsync.SignRequest(req, []byte("x"), "S1", mustSigner(t, signers["S1"]), now); err != nil {
			t.Fatal(err)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if ref := refusalOf(t, rec); rec.Code != 413 || ref.Code != "too-large" {
			t.Fatalf("a GET with a body: %d %s", rec.Code, ref.Code)
		}
	})
}

// TestServer_BodySlots: bodies are read a few at a time, per station and
// in all; a request over either bound is answered at once with 429 or
// 503 and Retry-After, and the station's uploader keeps the result
// queued for after Retry-After.
func TestServer_BodySlots(t *testing.T) {
	keys, signers := stations(t, "S1", "S2", "S3")
	ing := &holdIngester{entered: make(chan string, 8), hold: make(chan struct{})}
	srv := httptest.NewServer((&examsync.Server{Keys: keys, Nonces: &fakeNonces{}, Results: ing, MaxBodies: 3, MaxStationBodies: 2}).Handler())
	defer srv.Close()
	clients := map[string]*examsync.Client{}
	for name, signer := range signers {
		c, err := examsync.NewClient(srv.URL, name, signer, nil)
		if err != nil {
			t.Fatal(err)
		}
		clients[name] = c
	}
	upload := func(station string) chan error {
		done := make(chan error, 1)
		go func() {
			_, err := clients[station].Upload(context.Background(), []byte(`{"result":"`+station+`"}`))
			done <- err
		}()
		return done
	}
	// Two from S1 and one from S2 are read and held in Ingest.
	var held []chan error
	for _, st := range []string{"S1", "S1", "S2"} {
		held = append(held, upload(st))
		<-ing.entered
	}
	refused := func(station string, status int) {
		t.Helper()
		err := <-upload(station)
		ref, ok := err.(*examsync.Refusal)
		if !ok || ref.Status != status || ref.Code != examsync.CodeBusy || ref.RetryAfter != time.Second {
			t.Fatalf("%s: got %v, want %d busy with Retry-After 1 s", station, err, status)
		}
		if !examsync.Transient(err) || examsync.StationRefused(err) {
			t.Errorf("%s: %d busy must be retried", station, status)
		}
	}
	refused("S1", http.StatusTooManyRequests)    // S1 holds its 2
	refused("S3", http.StatusServiceUnavailable) // the centre holds its 3

	// The uploader keeps a busy-refused result queued until Retry-After.
	now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
	_, centreKey, _ := standards.GenerateKey("test-centre")
	ob := &memOutbox{rows: map[string]*memRow{"r1": {Row: examsync.Row{ResultID: "r1", Body: []byte("r1")}, state: "queued"}}}
	u := &examsync.Uploader{Outbox: ob, Client: clients["S3"], CentreKey: centreKey, Now: func() time.Time { return now },
		Backoff: examsync.Backoff{Base: 100 * time.Millisecond, Cap: time.Minute, Rand: func() float64 { return 0 }}}
	if _, err := u.Round(context.Background()); err != nil {
		t.Fatal(err)
	}
	if r := ob.rows["r1"]; r.state != "queued" || r.next.Sub(now) < time.Second || !strings.Contains(r.reason, "503 busy") {
		t.Fatalf("row %s next in %s (%s), want queued for at least Retry-After", r.state, r.next.Sub(now), r.reason)
	}

	close(ing.hold)
	for _, done := range held {
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	}
	// The slots are free again.
	if err := <-upload("S3"); err != nil {
		t.Fatalf("after the held bodies: %v", err)
	}
}

func mustSigner(t *testing.T, key string) note.Signer {
	t.Helper()
	s, err := note.NewSigner(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
