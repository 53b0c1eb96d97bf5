package sync_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
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
		{"ServerError", func(w http.ResponseWriter) { http.Error(w, "down", 503) }, "queued", time.Second, 2 * time.Second, "503", false},
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
