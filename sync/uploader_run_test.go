package sync_test

import (
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"shicao/standards"
	examsync "shicao/sync"
)

// centreFunc is a centre in memory: a RoundTripper answering with
// status and body (no network, so that it runs in a synctest bubble).
type centreFunc func(*http.Request) (int, []byte)

func (f centreFunc) RoundTrip(r *http.Request) (*http.Response, error) {
	code, body := f(r)
	return &http.Response{StatusCode: code, Status: http.StatusText(code), Header: http.Header{},
		Body: io.NopCloser(bytes.NewReader(body)), Request: r}, nil
}

// TestUploader_Run: the loop the station and the demo run. A centre that
// refuses the station itself is asked again only after the backoff's cap,
// not every poll, and no result is parked or counted for it; a poke
// starts a round at once; OnRound is told of every round.
func TestUploader_Run(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		centreSigner, centreKey, _ := standards.GenerateKey("test-centre")
		stationSigner, _, _ := standards.GenerateKey("station-S1")
		body := []byte(`{"result":"r1"}`)
		var refuse atomic.Bool
		var requests atomic.Int32
		refuse.Store(true)
		centre := centreFunc(func(*http.Request) (int, []byte) {
			requests.Add(1)
			if refuse.Load() {
				return http.StatusUnauthorized, []byte(`{"code":"unknown-station","reason":"not registered"}`)
			}
			return http.StatusOK, oneRecordReceipt(t, centreSigner, "r1", "S1", body)
		})
		client, err := examsync.NewClient("http://centre.test", "S1", stationSigner, &http.Client{Transport: centre})
		if err != nil {
			t.Fatal(err)
		}
		ob := &memOutbox{rows: map[string]*memRow{"r1": {Row: examsync.Row{ResultID: "r1", Body: body}, state: "queued"}}}
		type round struct {
			sent int
			err  error
		}
		var mu sync.Mutex
		var rounds []round
		poke := make(chan struct{}, 1)
		u := &examsync.Uploader{Outbox: ob, Client: client, CentreKey: centreKey, Poke: poke,
			Backoff: examsync.Backoff{Base: 2 * time.Second, Cap: time.Minute, Rand: func() float64 { return 0.5 }},
			OnRound: func(_ context.Context, rep *examsync.Report, err error) {
				mu.Lock()
				rounds = append(rounds, round{len(rep.Sent), err})
				mu.Unlock()
			}}
		last := func() (int, round) {
			mu.Lock()
			defer mu.Unlock()
			return len(rounds), rounds[len(rounds)-1]
		}
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error, 1)
		const poll = 5 * time.Second
		go func() { done <- u.Run(ctx, poll) }()

		synctest.Wait()
		if n, r := last(); n != 1 || !examsync.StationRefused(r.err) {
			t.Fatalf("after the first round: %d rounds, last error %v; want 1, the station refused", n, r.err)
		}
		time.Sleep(poll * 6)
		synctest.Wait()
		if n := requests.Load(); n != 1 {
			t.Fatalf("a refused station asked the centre %d times in %s (poll %s); want once until the cap (%s)", n, poll*6, poll, time.Minute)
		}
		time.Sleep(time.Minute - poll*6 + time.Second)
		synctest.Wait()
		if n := requests.Load(); n != 2 {
			t.Fatalf("after the cap: %d requests, want 2", n)
		}
		if r := ob.rows["r1"]; r.state != "queued" || r.Attempts != 0 {
			t.Fatalf("row %s after %d attempts; a refused station must not count against its results", r.state, r.Attempts)
		}

		// The person fixed the registration and pressed retry: at once.
		refuse.Store(false)
		poke <- struct{}{}
		synctest.Wait()
		if n, r := last(); n != 3 || r.err != nil || r.sent != 1 {
			t.Fatalf("after the poke: %d rounds, last sent %d, error %v; want 3 rounds, 1 sent", n, r.sent, r.err)
		}
		if r := ob.rows["r1"]; r.state != "sent" {
			t.Fatalf("row %s, want sent", r.state)
		}
		// An accepted station waits poll, not the cap.
		time.Sleep(poll + time.Second)
		synctest.Wait()
		if n, _ := last(); n != 4 {
			t.Fatalf("a poll after a good round: %d rounds, want 4", n)
		}
		cancel()
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("Run returned %v, want context.Canceled", err)
		}
	})
}

// TestUploader_Round_UntrustedTLS: a centre whose TLS certificate the
// station does not trust leaves the row queued, and the report carries
// the typed cause (x509.UnknownAuthorityError) for the station to say
// what to do, without matching the error's text.
func TestUploader_Round_UntrustedTLS(t *testing.T) {
	_, centreKey, _ := standards.GenerateKey("test-centre")
	stationSigner, _, _ := standards.GenerateKey("station-S1")
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	client, err := examsync.NewClient(srv.URL, "S1", stationSigner, &http.Client{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	ob := threeRows()
	u := &examsync.Uploader{Outbox: ob, Client: client, CentreKey: centreKey, Eager: true}
	rep, err := u.Round(context.Background())
	if err != nil {
		t.Fatalf("round: %v, want the rows rescheduled", err)
	}
	if len(rep.Retrying) != 1 {
		t.Fatalf("%d retrying, want 1 (the round stops at the first unanswered upload)", len(rep.Retrying))
	}
	var ua x509.UnknownAuthorityError
	if !errors.As(rep.Retrying[0].Err, &ua) {
		t.Fatalf("cause %T %v, want an x509.UnknownAuthorityError", rep.Retrying[0].Err, rep.Retrying[0].Err)
	}
}
