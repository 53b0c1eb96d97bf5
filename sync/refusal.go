package sync

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Refusal is the centre's answer to a request it will not serve: the HTTP
// status, a stable code for programs and a reason for people. Response
// bodies carry it as JSON {"code": ..., "reason": ...}.
type Refusal struct {
	Status int    `json:"-"`
	Code   string `json:"code"`
	Reason string `json:"reason"`
	// RetryAfter is the centre's Retry-After, if it sent one.
	RetryAfter time.Duration `json:"-"`
}

func (r *Refusal) Error() string {
	return fmt.Sprintf("the centre refused (%d %s): %s", r.Status, r.Code, r.Reason)
}

// Refuse returns a Refusal.
func Refuse(status int, code, format string, args ...any) *Refusal {
	return &Refusal{Status: status, Code: code, Reason: fmt.Sprintf(format, args...)}
}

// The refusal codes a station acts on (docs/api.md lists them all).
const (
	CodeUnsigned       = "unsigned"        // 401: the request carries no valid signature headers
	CodeUnknownStation = "unknown-station" // 401: no station of that name is registered
	CodeBadSignature   = "bad-signature"   // 401: the request's signature does not verify
	CodeStale          = "stale"           // 401: the request's time is too far from the centre's clock
	CodeReplay         = "replay"          // 401: the nonce was used before
	CodeBodyDamaged    = "body-damaged"    // 408: the body is not the one the station signed
	CodeDuplicate      = "duplicate-id"    // 409: a result with this id but other bytes is held
	CodeBusy           = "busy"            // 429 or 503: try later
	// CodeNotCentre marks an answer that is not the centre's: no JSON
	// refusal in the body (a proxy's 404 or 413, a plain-HTTP request
	// sent to the centre's TLS port). It says nothing about the result.
	CodeNotCentre = "http"
)

// Transient reports whether err is worth retrying with the same bytes: a
// network failure, a 5xx, a 408 (the body arrived damaged), a 429, or a
// refusal of the request's freshness (stale time, replayed nonce), which a
// new signature with a new nonce cures, or an answer that is not the
// centre's own (CodeNotCentre): a misconfigured URL or proxy must not
// park results that a person would then have to requeue one by one.
// Everything else the centre refused is permanent for that request.
func Transient(err error) bool {
	var r *Refusal
	if !errors.As(err, &r) {
		// No answer from the centre, or an answer that did not parse or
		// verify (a damaged response): the centre may or may not have
		// committed, and resending the same bytes is safe either way.
		return true
	}
	switch {
	case r.Status >= 500, r.Status == http.StatusRequestTimeout, r.Status == http.StatusTooManyRequests, r.Code == CodeNotCentre:
		return true
	case r.Status == http.StatusUnauthorized && (r.Code == CodeStale || r.Code == CodeReplay):
		return true
	}
	return false
}

// StationRefused reports whether the centre refused the station itself
// (unknown, or its key does not verify): no request will succeed until a
// person fixes the registration, so the uploader stops the round instead
// of parking results that are not at fault.
func StationRefused(err error) bool {
	var r *Refusal
	return errors.As(err, &r) && (r.Status == http.StatusUnauthorized || r.Status == http.StatusForbidden) && !Transient(err)
}

// retryAfter returns the centre's Retry-After for err, or 0.
func retryAfter(err error) time.Duration {
	var r *Refusal
	if errors.As(err, &r) {
		return r.RetryAfter
	}
	return 0
}

// parseRetryAfter reads a Retry-After header: seconds or an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	if v == "" {
		return 0
	}
	if s, err := strconv.Atoi(v); err == nil && s >= 0 {
		return time.Duration(s) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil && t.After(now) {
		return t.Sub(now)
	}
	return 0
}
