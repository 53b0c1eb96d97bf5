package sync

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	gosync "sync"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Client is a station's connection to the centre: every request signed
// with the station's key.
type Client struct {
	BaseURL string // e.g. https://centre.example:8443
	Station string
	Signer  note.Signer
	HTTP    *http.Client
	// Now is the station's clock (tests inject one).
	Now func() time.Time
	// MaxResponse bounds a response body (default 64 MiB).
	MaxResponse int64

	clockMu  gosync.Mutex
	offset   time.Duration // centre minus station, at the last answer
	offsetAt time.Time     // station time of that answer; zero: none yet
}

// ClockOffset returns the station's clock offset from the centre's
// (centre minus station) measured at the last answer, and when (station
// time); ok is false before any answer carried the centre's time. With
// the centre's two stamps (request arrived, answer written) it is NTP's
// estimate, ((arrived − sent) + (written − got)) / 2: the centre's time
// checking the request cancels, and the error is at most half the time
// the request and answer spent on the way. With Shicao-Time alone the
// centre's time is taken as of the middle of the round trip; with only
// Date (whole seconds), up to a second more.
func (c *Client) ClockOffset() (offset time.Duration, at time.Time, ok bool) {
	c.clockMu.Lock()
	defer c.clockMu.Unlock()
	return c.offset, c.offsetAt, !c.offsetAt.IsZero()
}

// measureClock records the offset from an answer's time headers.
func (c *Client) measureClock(h http.Header, sent, got time.Time) {
	var offset time.Duration
	written, err := time.Parse(time.RFC3339Nano, h.Get(TimeHeader))
	switch arrived, err2 := time.Parse(time.RFC3339Nano, h.Get(ReceivedHeader)); {
	case err == nil && err2 == nil && !written.Before(arrived):
		offset = (arrived.Sub(sent) + written.Sub(got)) / 2
	case err == nil:
		offset = written.Sub(sent.Add(got.Sub(sent) / 2))
	default:
		date, err := http.ParseTime(h.Get("Date"))
		if err != nil {
			return
		}
		offset = date.Sub(sent.Add(got.Sub(sent) / 2))
	}
	c.clockMu.Lock()
	c.offset, c.offsetAt = offset, got
	c.clockMu.Unlock()
}

// NewClient returns a client for the station with the given note signer
// key. hc may be nil (a client with a 60 s timeout).
func NewClient(baseURL, station, signerKey string, hc *http.Client) (*Client, error) {
	signer, err := note.NewSigner(strings.TrimSpace(signerKey))
	if err != nil {
		return nil, fmt.Errorf("station key: %w", err)
	}
	if hc == nil {
		hc = &http.Client{Timeout: 60 * time.Second}
	}
	return &Client{BaseURL: strings.TrimSuffix(baseURL, "/"), Station: station, Signer: signer, HTTP: hc, Now: time.Now}, nil
}

// do sends one signed request and returns the body of a 200 answer; any
// other answer is a *Refusal (with the centre's code and reason when its
// body says so), and a failure to get a whole answer is the transport's
// error.
func (c *Client) do(ctx context.Context, method, pathQuery string, body []byte) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+pathQuery, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	if err := SignRequest(req, body, c.Station, c.Signer, now()); err != nil {
		return nil, err
	}
	if body != nil {
		req.Header.Set("Content-Type", jsonType)
	}
	sent := now()
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, pathQuery, err)
	}
	defer resp.Body.Close()
	c.measureClock(resp.Header, sent, now())
	limit := c.MaxResponse
	if limit == 0 {
		limit = 64 << 20
	}
	out, err := io.ReadAll(io.LimitReader(resp.Body, limit))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, pathQuery, err)
	}
	if resp.StatusCode == http.StatusOK {
		return out, nil
	}
	ref := &Refusal{Status: resp.StatusCode}
	if json.Unmarshal(out, ref) != nil || ref.Code == "" {
		ref.Code, ref.Reason = CodeNotCentre, fmt.Sprintf("%s, not from the centre (check the centre URL: http or https, host, port): %.200s", resp.Status, out)
	}
	ref.RetryAfter = parseRetryAfter(resp.Header.Get("Retry-After"), now())
	return nil, ref
}

// Upload sends a result bundle's exact bytes and returns the receipt's
// bytes, unverified: see VerifyReceipt.
func (c *Client) Upload(ctx context.Context, bundle []byte) ([]byte, error) {
	return c.do(ctx, http.MethodPost, "/v1/results", bundle)
}

// Reconcile sends the station's signed end-of-day reconciliation and
// returns the centre's answer.
func (c *Client) Reconcile(ctx context.Context, signed []byte) (*ReconAnswer, error) {
	b, err := c.do(ctx, http.MethodPost, "/v1/reconciliations", signed)
	if err != nil {
		return nil, err
	}
	var a ReconAnswer
	if err := json.Unmarshal(b, &a); err != nil {
		return nil, fmt.Errorf("the centre's answer to the reconciliation: %w", err)
	}
	return &a, nil
}

// Standards returns the signed list of standards published after since.
func (c *Client) Standards(ctx context.Context, since int64) ([]byte, error) {
	return c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/standards?since=%d", since), nil)
}

// Plans returns the signed list of this station's plans.
func (c *Client) Plans(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/v1/plans", nil)
}

// Registry returns the signed registry of this station's site.
func (c *Client) Registry(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/v1/registry", nil)
}

// Checkpoint returns the log's newest signed checkpoint.
func (c *Client) Checkpoint(ctx context.Context) ([]byte, error) {
	return c.do(ctx, http.MethodGet, "/v1/log/checkpoint", nil)
}

// Consistency returns the proof that the log of size old is a prefix of
// the log of size new.
func (c *Client) Consistency(ctx context.Context, old, new int64) (*Consistency, error) {
	b, err := c.do(ctx, http.MethodGet, fmt.Sprintf("/v1/log/consistency?old=%d&new=%d", old, new), nil)
	if err != nil {
		return nil, err
	}
	var p Consistency
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("consistency proof: %w", err)
	}
	return &p, nil
}
