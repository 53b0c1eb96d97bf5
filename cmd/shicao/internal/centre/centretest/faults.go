package centretest

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// The faults a Faults transport injects.
const (
	FaultDropRequest   = "drop-request"     // never sent: the station sees a network error
	FaultDropResponse  = "drop-response"    // sent and answered (committed), the answer lost
	FaultDuplicate     = "duplicate"        // sent twice: the copy must be refused as a replay
	FaultDelay         = "delay"            // sent late
	Fault5xx           = "5xx"              // a proxy's 502/503 instead of the centre's answer
	FaultTruncRequest  = "truncate-request" // the body cut short on the way
	FaultTruncResponse = "truncate-response"
)

var allFaults = []string{FaultDropRequest, FaultDropResponse, FaultDuplicate, FaultDelay, Fault5xx, FaultTruncRequest, FaultTruncResponse}

// Faults is an http.RoundTripper that injects network faults into a
// fraction of requests, as a bad link or a broken proxy would. It counts
// what it did, and checks that every duplicated request's copy was
// refused as a replay.
type Faults struct {
	Next     http.RoundTripper
	Rate     float64       // the fraction of requests faulted
	MaxDelay time.Duration // for FaultDelay

	mu     sync.Mutex
	rng    *rand.Rand
	counts map[string]int
	total  int
	// ReplaysAccepted counts duplicate copies the centre did not refuse as
	// replays: it must stay 0.
	ReplaysAccepted int
}

// NewFaults returns a Faults over next with a seeded random source.
func NewFaults(next http.RoundTripper, rate float64, seed uint64) *Faults {
	if next == nil {
		next = http.DefaultTransport
	}
	return &Faults{Next: next, Rate: rate, MaxDelay: 20 * time.Millisecond, rng: rand.New(rand.NewPCG(seed, seed^0x5eed)), counts: map[string]int{}}
}

// Counts returns how many requests went through and each fault's count.
func (f *Faults) Counts() (total int, counts map[string]int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string]int{}
	for k, v := range f.counts {
		out[k] = v
	}
	return f.total, out
}

// String summarises the counts.
func (f *Faults) String() string {
	total, counts := f.Counts()
	var keys []string
	faulted := 0
	for k, v := range counts {
		keys = append(keys, k+"="+strconv.Itoa(v))
		faulted += v
	}
	sort.Strings(keys)
	return strconv.Itoa(total) + " requests, " + strconv.Itoa(faulted) + " faulted (" + strings.Join(keys, " ") + ")"
}

func (f *Faults) pick() (string, float64) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.total++
	if f.rng.Float64() >= f.Rate {
		return "", 0
	}
	k := allFaults[f.rng.IntN(len(allFaults))]
	f.counts[k]++
	return k, f.rng.Float64()
}

var errInjected = errors.New("injected fault: connection reset")

// RoundTrip sends req, perhaps with a fault.
func (f *Faults) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	with := func(b []byte) *http.Request {
		r := req.Clone(req.Context())
		r.Body = io.NopCloser(bytes.NewReader(b))
		r.ContentLength = int64(len(b))
		return r
	}
	kind, x := f.pick()
	switch kind {
	case FaultDropRequest:
		return nil, errInjected
	case FaultDelay:
		select {
		case <-time.After(time.Duration(x * float64(f.MaxDelay))):
		case <-req.Context().Done():
			return nil, req.Context().Err()
		}
	case Fault5xx:
		status := []int{502, 503, 504}[int(x*3)%3]
		return &http.Response{StatusCode: status, Status: http.StatusText(status), Header: http.Header{}, Body: io.NopCloser(strings.NewReader("bad gateway")),
			ContentLength: 11, Request: req, Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1}, nil
	case FaultTruncRequest:
		if len(body) > 0 {
			return f.Next.RoundTrip(with(body[:int(x*float64(len(body)))]))
		}
	}
	resp, err := f.Next.RoundTrip(with(body))
	if err != nil {
		return nil, err
	}
	switch kind {
	case FaultDropResponse:
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		return nil, errInjected
	case FaultDuplicate:
		first, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		resp.Body = io.NopCloser(bytes.NewReader(first))
		again, err := f.Next.RoundTrip(with(body))
		if err == nil {
			copyAns, _ := io.ReadAll(again.Body)
			again.Body.Close()
			if again.StatusCode != http.StatusUnauthorized || !bytes.Contains(copyAns, []byte(`"replay"`)) {
				f.mu.Lock()
				f.ReplaysAccepted++
				f.mu.Unlock()
			}
		}
	case FaultTruncResponse:
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		cut := b[:int(x*float64(len(b)))]
		resp.Body = io.NopCloser(bytes.NewReader(cut))
		resp.ContentLength = int64(len(cut))
		resp.Header.Set("Content-Length", strconv.Itoa(len(cut)))
	}
	return resp, nil
}
