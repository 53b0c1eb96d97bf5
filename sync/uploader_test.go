package sync_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"shicao/standards"
	examsync "shicao/sync"
)

// memOutbox is an in-memory Outbox.
type memOutbox struct {
	mu   sync.Mutex
	rows map[string]*memRow
}

type memRow struct {
	examsync.Row
	state, reason string
	next          time.Time
	receipt       []byte
}

func (o *memOutbox) Due(_ context.Context, now time.Time) ([]examsync.Row, error) {
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []examsync.Row
	for _, r := range o.rows {
		if r.state == "queued" && !r.next.After(now) {
			out = append(out, r.Row)
		}
	}
	return out, nil
}

func (o *memOutbox) Retry(_ context.Context, id string, next time.Time, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	r := o.rows[id]
	r.Attempts, r.next, r.reason = r.Attempts+1, next, reason
	return nil
}

func (o *memOutbox) Park(_ context.Context, id, reason string) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rows[id].state, o.rows[id].reason = "parked", reason
	return nil
}

func (o *memOutbox) MarkSent(_ context.Context, id string, receipt []byte, _ int64) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.rows[id].state, o.rows[id].receipt = "sent", receipt
	return nil
}

// oneRecordReceipt is a genuine receipt for a log holding only this
// result: the root is the record's hash, the proof empty.
func oneRecordReceipt(t *testing.T, signerKey, id, station string, body []byte) []byte {
	t.Helper()
	signer, err := note.NewSigner(signerKey)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(body)
	hexSum := hex.EncodeToString(sum[:])
	leaf := tlog.RecordHash(examsync.Record(id, station, hexSum))
	cp, err := examsync.SignText(examsync.CheckpointText(signer.Name(), 1, leaf), signer)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := json.Marshal(examsync.Receipt{Kind: examsync.KindReceipt, Result: id, Station: station, SHA256: hexSum, Index: 0, Checkpoint: string(cp), Proof: []string{}})
	return b
}

// TestUploader_Round: how each answer of the centre is handled.
func TestUploader_Round(t *testing.T) {
	centreSigner, centreKey, _ := standards.GenerateKey("test-centre")
	otherSigner, _, _ := standards.GenerateKey("test-centre")
	stationSigner, _, _ := standards.GenerateKey("station-S1")
	body := []byte(`{"result":"r1"}`)
	tests := []struct {
		name      string
		answer    func(w http.ResponseWriter)
		state     string
		minNext   time.Duration
		maxNext   time.Duration
		reason    string
		roundFail bool
	}{
		{"OK", func(w http.ResponseWriter) { w.Write(oneRecordReceipt(t, centreSigner, "r1", "S1", body)) }, "sent", 0, 0, "", false},
		{"ServerError", func(w http.ResponseWriter) { http.Error(w, "down", http.StatusServiceUnavailable) }, "queued", time.Second, 2 * time.Second, "503", false},
		{"TooManyRequests", func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "120")
			w.WriteHeader(429)
		}, "queued", 120 * time.Second, 120 * time.Second, "429", false},
		{"Refused", func(w http.ResponseWriter) {
			w.WriteHeader(422)
			w.Write([]byte(`{"code":"examiner","reason":"examiner X holds no certificate"}`))
		}, "parked", 0, 0, "examiner: examiner X holds no certificate", false},
		// Not the centre's answer (plain HTTP to the TLS port, a proxy):
		// retried, never parked.
		{"NotTheCentre", func(w http.ResponseWriter) { http.Error(w, "Client sent an HTTP request to an HTTPS server.", 400) }, "queued", time.Second, 2 * time.Second, "not from the centre", false},
		{"ProxyNotFound", func(w http.ResponseWriter) { http.Error(w, "404 page not found", 404) }, "queued", time.Second, 2 * time.Second, "404", false},
		{"Damaged", func(w http.ResponseWriter) { w.Write(oneRecordReceipt(t, centreSigner, "r1", "S1", body)[:40]) }, "queued", time.Second, 2 * time.Second, "does not verify", false},
		{"ReceiptByAnotherKey", func(w http.ResponseWriter) { w.Write(oneRecordReceipt(t, otherSigner, "r1", "S1", body)) }, "queued", time.Second, 2 * time.Second, "does not verify", false},
		{"ReceiptForOtherBytes", func(w http.ResponseWriter) { w.Write(oneRecordReceipt(t, centreSigner, "r1", "S1", []byte("x"))) }, "queued", time.Second, 2 * time.Second, "other bytes", false},
		{"StationUnknown", func(w http.ResponseWriter) {
			w.WriteHeader(401)
			w.Write([]byte(`{"code":"unknown-station","reason":"not registered"}`))
		}, "queued", 0, 0, "", true},
		{"Replay", func(w http.ResponseWriter) {
			w.WriteHeader(401)
			w.Write([]byte(`{"code":"replay","reason":"seen"}`))
		}, "queued", time.Second, 2 * time.Second, "replay", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { tt.answer(w) }))
			defer srv.Close()
			client, err := examsync.NewClient(srv.URL, "S1", stationSigner, nil)
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
			ob := &memOutbox{rows: map[string]*memRow{"r1": {Row: examsync.Row{ResultID: "r1", Body: body}, state: "queued"}}}
			u := &examsync.Uploader{Outbox: ob, Client: client, CentreKey: centreKey, Now: func() time.Time { return now },
				Backoff: examsync.Backoff{Base: 2 * time.Second, Cap: time.Minute, Rand: func() float64 { return 0.5 }}}
			_, err = u.Round(context.Background())
			if (err != nil) != tt.roundFail {
				t.Fatalf("round error %v, want failure %v", err, tt.roundFail)
			}
			row := ob.rows["r1"]
			if row.state != tt.state {
				t.Fatalf("state %s (%s), want %s", row.state, row.reason, tt.state)
			}
			if !strings.Contains(row.reason, tt.reason) {
				t.Errorf("reason %q, want it to contain %q", row.reason, tt.reason)
			}
			if tt.state == "queued" && !tt.roundFail {
				if d := row.next.Sub(now); d < tt.minNext || d > tt.maxNext {
					t.Errorf("next try in %s, want %s to %s", d, tt.minNext, tt.maxNext)
				}
			}
			if tt.roundFail && row.Attempts != 0 {
				t.Error("a refused station counted against the result")
			}
		})
	}
}

func TestBackoff_Delay(t *testing.T) {
	b := examsync.Backoff{Base: time.Second, Cap: 30 * time.Second}
	for attempts := 0; attempts < 100; attempts++ {
		want := 30 * time.Second // 2^5 s > the cap
		if attempts < 5 {
			want = time.Second << attempts
		}
		for range 20 {
			d := b.Delay(attempts)
			if d < want/2 || d > want {
				t.Fatalf("attempt %d: %s, want %s..%s", attempts, d, want/2, want)
			}
		}
	}
}

// threeRows is an outbox of three queued results, none tried yet.
func threeRows() *memOutbox {
	ob := &memOutbox{rows: map[string]*memRow{}}
	for _, id := range []string{"r1", "r2", "r3"} {
		ob.rows[id] = &memRow{Row: examsync.Row{ResultID: id, Body: []byte(`{"result":"` + id + `"}`)}, state: "queued"}
	}
	return ob
}

// TestUploader_Round_NoAnswer: a centre that does not answer (killed:
// connection refused; frozen: the request times out) costs one request
// per round, not one per queued result. The row tried is rescheduled as
// any transient failure; the others are not touched.
func TestUploader_Round_NoAnswer(t *testing.T) {
	_, centreKey, _ := standards.GenerateKey("test-centre")
	stationSigner, _, _ := standards.GenerateKey("station-S1")
	tests := []struct {
		name   string
		server func(t *testing.T, requests *atomic.Int32) string // the centre's URL
		reason string
	}{
		{"Killed", func(t *testing.T, requests *atomic.Int32) string {
			srv := httptest.NewServer(http.NotFoundHandler())
			srv.Close()
			return srv.URL
		}, "connection refused"},
		{"Frozen", func(t *testing.T, requests *atomic.Int32) string {
			release := make(chan struct{})
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				select {
				case <-release:
				case <-r.Context().Done():
				}
			}))
			t.Cleanup(srv.Close)
			t.Cleanup(func() { close(release) })
			return srv.URL
		}, "Client.Timeout exceeded"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			url := tt.server(t, &requests)
			client, err := examsync.NewClient(url, "S1", stationSigner, &http.Client{Timeout: 200 * time.Millisecond})
			if err != nil {
				t.Fatal(err)
			}
			now := time.Date(2026, 11, 28, 9, 0, 0, 0, time.UTC)
			ob := threeRows()
			u := &examsync.Uploader{Outbox: ob, Client: client, CentreKey: centreKey, Now: func() time.Time { return now }, Eager: true,
				Backoff: examsync.Backoff{Base: 2 * time.Second, Cap: time.Minute, Rand: func() float64 { return 0.5 }}}
			rep, err := u.Round(context.Background())
			if err != nil {
				t.Fatalf("round: %v, want no error (the rows stay queued)", err)
			}
			if rep.Unanswered != 3 || len(rep.Retrying) != 1 || len(rep.Sent)+len(rep.Parked) != 0 {
				t.Fatalf("report: %d unanswered, %d retrying, %d sent, %d parked; want 3 unanswered, 1 retrying", rep.Unanswered, len(rep.Retrying), len(rep.Sent), len(rep.Parked))
			}
			if n := requests.Load(); tt.name == "Frozen" && n != 1 {
				t.Errorf("the frozen centre got %d requests, want 1", n)
			}
			tried := 0
			for id, row := range ob.rows {
				if row.state != "queued" {
					t.Errorf("%s is %s, want queued", id, row.state)
				}
				if row.Attempts == 0 {
					if !row.next.IsZero() || row.reason != "" {
						t.Errorf("%s was not tried but its retry changed: next %s, reason %q", id, row.next, row.reason)
					}
					continue
				}
				tried++
				if id != rep.Retrying[0].ResultID {
					t.Errorf("%s was tried, the report says %s", id, rep.Retrying[0].ResultID)
				}
				if d := row.next.Sub(now); d != 1500*time.Millisecond {
					t.Errorf("%s: next try in %s, want the backoff's 1.5s", id, d)
				}
				if !strings.Contains(row.reason, tt.reason) {
					t.Errorf("%s: reason %q, want it to contain %q", id, row.reason, tt.reason)
				}
			}
			if tried != 1 {
				t.Fatalf("%d rows tried, want 1", tried)
			}
		})
	}
}

// TestUploader_Round_AnsweredFailuresGoOn: a centre that answers, even
// with a failure, is still there: every row is tried, as before.
func TestUploader_Round_AnsweredFailuresGoOn(t *testing.T) {
	centreSigner, centreKey, _ := standards.GenerateKey("test-centre")
	stationSigner, _, _ := standards.GenerateKey("station-S1")
	tests := []struct {
		name   string
		answer func(w http.ResponseWriter, body []byte)
		state  string
	}{
		{"ServerError", func(w http.ResponseWriter, _ []byte) { http.Error(w, "down", http.StatusServiceUnavailable) }, "queued"},
		{"NotTheCentre", func(w http.ResponseWriter, _ []byte) { http.Error(w, "404 page not found", 404) }, "queued"},
		{"Damaged", func(w http.ResponseWriter, body []byte) {
			var b struct{ Result string }
			json.Unmarshal(body, &b)
			w.Write(oneRecordReceipt(t, centreSigner, b.Result, "S1", body)[:40])
		}, "queued"},
		{"Refused", func(w http.ResponseWriter, _ []byte) {
			w.WriteHeader(422)
			w.Write([]byte(`{"code":"examiner","reason":"examiner X holds no certificate"}`))
		}, "parked"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var requests atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				requests.Add(1)
				body, _ := io.ReadAll(r.Body)
				tt.answer(w, body)
			}))
			defer srv.Close()
			client, err := examsync.NewClient(srv.URL, "S1", stationSigner, nil)
			if err != nil {
				t.Fatal(err)
			}
			ob := threeRows()
			u := &examsync.Uploader{Outbox: ob, Client: client, CentreKey: centreKey, Eager: true}
			rep, err := u.Round(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			if n := requests.Load(); n != 3 || rep.Unanswered != 0 {
				t.Fatalf("%d requests, %d unanswered; want 3 and 0", n, rep.Unanswered)
			}
			for id, row := range ob.rows {
				if row.state != tt.state || (row.state == "queued" && row.Attempts != 1) {
					t.Errorf("%s: %s after %d attempts, want %s", id, row.state, row.Attempts, tt.state)
				}
			}
		})
	}
}

// TestUploader_Round_Parallel: once the centre has answered, a round
// keeps Parallel uploads in flight, never more, and takes every outcome.
// The centre answers the first request at once and then holds each
// request until Parallel are in flight together (or all the rest are):
// an uploader that sends one at a time gets no answer after the first.
func TestUploader_Round_Parallel(t *testing.T) {
	centreSigner, centreKey, _ := standards.GenerateKey("test-centre")
	stationSigner, _, _ := standards.GenerateKey("station-S1")
	const rows, parallel = 7, 3
	var mu sync.Mutex
	inFlight, finished, most, gen := 0, 0, 0, 0
	changed := make(chan struct{})
	// check opens the gate for every request in flight when Parallel are,
	// or when all the rest are (mu held).
	check := func() {
		if inFlight == parallel || finished+inFlight == rows {
			gen++
			close(changed)
			changed = make(chan struct{})
		}
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		inFlight++
		most = max(most, inFlight)
		arrived := gen
		first := finished == 0
		check()
		for !first && gen == arrived {
			wait := changed
			mu.Unlock()
			select {
			case <-wait:
			case <-r.Context().Done():
				mu.Lock()
				inFlight--
				mu.Unlock()
				return
			}
			mu.Lock()
		}
		var b struct{ Result string }
		json.Unmarshal(body, &b)
		w.Write(oneRecordReceipt(t, centreSigner, b.Result, "S1", body))
		inFlight--
		finished++
		check()
		mu.Unlock()
	}))
	defer srv.Close()
	// The timeout only ends a round that would otherwise wait forever
	// (an uploader without parallel uploads): a passing round never
	// waits for it.
	client, err := examsync.NewClient(srv.URL, "S1", stationSigner, &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ob := &memOutbox{rows: map[string]*memRow{}}
	for i := range rows {
		id := fmt.Sprintf("r%d", i)
		ob.rows[id] = &memRow{Row: examsync.Row{ResultID: id, Body: []byte(`{"result":"` + id + `"}`)}, state: "queued"}
	}
	u := &examsync.Uploader{Outbox: ob, Client: client, CentreKey: centreKey, Eager: true, Parallel: parallel}
	rep, err := u.Round(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.Sent) != rows || rep.Unanswered != 0 {
		t.Fatalf("%d sent, %d unanswered, %d retrying (%v); want %d sent", len(rep.Sent), rep.Unanswered, len(rep.Retrying), rep.Retrying, rows)
	}
	mu.Lock()
	defer mu.Unlock()
	if most != parallel {
		t.Errorf("at most %d uploads in flight, want %d", most, parallel)
	}
	for id, row := range ob.rows {
		if row.state != "sent" {
			t.Errorf("%s is %s, want sent", id, row.state)
		}
	}
}
