package sync

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"golang.org/x/mod/sumdb/note"
)

// Every station request is signed with the station's key (the note signer
// key made by `shicao station init`, Ed25519). The signature covers the
// method, the path with its query, the station's name, the time, a nonce
// and the body's SHA-256, so a captured request can be neither altered,
// moved to another path, nor replayed.
const (
	HeaderStation   = "Shicao-Station"
	HeaderTime      = "Shicao-Time"  // Unix milliseconds
	HeaderNonce     = "Shicao-Nonce" // 128 random bits, hex
	HeaderBodyHash  = "Shicao-Content-Sha256"
	HeaderSignature = "Shicao-Signature" // base64 Ed25519 signature of RequestText
)

// MaxSkew is how far a request's time may be from the centre's clock. A
// nonce need only be remembered this long: an older request is stale.
const MaxSkew = 5 * time.Minute

// RequestText is what a station signs for a request.
func RequestText(method, pathQuery, station string, ms int64, nonce, bodySHA256 string) []byte {
	return fmt.Appendf(nil, "shicao-request/1\n%s\n%s\n%s\n%d\n%s\n%s\n", method, pathQuery, station, ms, nonce, bodySHA256)
}

// SignRequest adds the signature headers to req for body.
func SignRequest(req *http.Request, body []byte, station string, signer note.Signer, now time.Time) error {
	var n [16]byte
	if _, err := rand.Read(n[:]); err != nil {
		return err
	}
	sum := sha256.Sum256(body)
	nonce, bodyHash, ms := hex.EncodeToString(n[:]), hex.EncodeToString(sum[:]), now.UnixMilli()
	sig, err := signer.Sign(RequestText(req.Method, req.URL.RequestURI(), station, ms, nonce, bodyHash))
	if err != nil {
		return fmt.Errorf("sign request: %w", err)
	}
	req.Header.Set(HeaderStation, station)
	req.Header.Set(HeaderTime, strconv.FormatInt(ms, 10))
	req.Header.Set(HeaderNonce, nonce)
	req.Header.Set(HeaderBodyHash, bodyHash)
	req.Header.Set(HeaderSignature, base64.StdEncoding.EncodeToString(sig))
	return nil
}

// ErrUnknownStation is returned by a StationKeys when no station has the name.
var ErrUnknownStation = errors.New("no station of that name is registered")

// StationKeys finds a registered station's verifier key.
type StationKeys interface {
	StationKey(ctx context.Context, name string) (string, error)
}

// Nonces remembers the nonces of accepted requests. UseNonce reports
// false if the station used the nonce before. at is the request's signed
// time; a nonce may be forgotten once at is more than MaxSkew in the past.
type Nonces interface {
	UseNonce(ctx context.Context, station, nonce string, at time.Time) (fresh bool, err error)
}

// Signed is a request whose signature headers verified: the station
// that signed it and the body's SHA-256 it signed.
type Signed struct {
	Station    string
	BodySHA256 string // hex
}

// AuthenticateHeaders checks a station request's signature headers,
// before a byte of its body is read, and spends its nonce. The checks run
// cheapest and least revealing first: the headers' form, the station's
// registration, the signature, the time, then the nonce.
//
// The nonce is spent here, once the headers are authenticated and before
// the body is read: a signed set of headers buys at most one read of a
// body. A captured request's headers sent again, with its body or with
// any other, are refused as a replay at once, so a replay can neither
// make the centre read a body nor race the original for it. A request
// refused after this point (a body damaged on the way, too large, a busy
// centre) has spent its nonce, which costs the station nothing: it signs
// every attempt anew with a fresh nonce. The body is checked against
// BodySHA256 by the caller as it is read (see CheckBody).
func AuthenticateHeaders(ctx context.Context, r *http.Request, keys StationKeys, nonces Nonces, now time.Time) (*Signed, error) {
	station, tstr, nonce, bodyHash, sigB64 := r.Header.Get(HeaderStation), r.Header.Get(HeaderTime), r.Header.Get(HeaderNonce), r.Header.Get(HeaderBodyHash), r.Header.Get(HeaderSignature)
	if station == "" || tstr == "" || nonce == "" || bodyHash == "" || sigB64 == "" {
		return nil, Refuse(http.StatusUnauthorized, CodeUnsigned, "the request is not signed: every station request carries the %s headers", strings.Join([]string{HeaderStation, HeaderTime, HeaderNonce, HeaderBodyHash, HeaderSignature}, ", "))
	}
	ms, err := strconv.ParseInt(tstr, 10, 64)
	if err != nil || len(nonce) != 32 || len(bodyHash) != 64 || len(station) > 256 {
		return nil, Refuse(http.StatusUnauthorized, CodeUnsigned, "malformed signature headers")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return nil, Refuse(http.StatusUnauthorized, CodeBadSignature, "the signature is not base64")
	}
	key, err := keys.StationKey(ctx, station)
	if errors.Is(err, ErrUnknownStation) {
		return nil, Refuse(http.StatusUnauthorized, CodeUnknownStation, "station %q is not registered with this centre: register it with `shicao centre station add`", station)
	}
	if err != nil {
		return nil, err
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return nil, fmt.Errorf("station %s verifier key: %w", station, err)
	}
	if !v.Verify(RequestText(r.Method, r.URL.RequestURI(), station, ms, nonce, bodyHash), sig) {
		return nil, Refuse(http.StatusUnauthorized, CodeBadSignature, "the request's signature does not verify with station %s's registered key", station)
	}
	at := time.UnixMilli(ms)
	if err := checkSkew(at, now); err != nil {
		return nil, err
	}
	fresh, err := nonces.UseNonce(ctx, station, nonce, at)
	if err != nil {
		return nil, err
	}
	if !fresh {
		return nil, Refuse(http.StatusUnauthorized, CodeReplay, "this request was received before (nonce %s): a replay is refused", nonce)
	}
	return &Signed{Station: station, BodySHA256: bodyHash}, nil
}

// checkSkew refuses a request time more than MaxSkew from the centre's
// clock, saying which way the station's clock is off.
func checkSkew(at, now time.Time) error {
	d := at.Sub(now)
	if d <= MaxSkew && d >= -MaxSkew {
		return nil
	}
	way := "ahead of"
	if d < 0 {
		way, d = "behind", -d
	}
	return Refuse(http.StatusUnauthorized, CodeStale, "the request's time %s is %s %s the centre's %s (at most %s either way): check the station's clock",
		at.UTC().Format(time.RFC3339), d.Round(time.Second), way, now.UTC().Format(time.RFC3339), MaxSkew)
}

// CheckBody compares the SHA-256 of the body received (n bytes) with the
// signed one. A body whose hash differs is refused 408
// (CodeBodyDamaged): the signature proves the station sent other bytes,
// so the body was damaged on the way and the station should send it
// again.
func (s *Signed) CheckBody(sum [sha256.Size]byte, n int64) error {
	if hex.EncodeToString(sum[:]) != s.BodySHA256 {
		return Refuse(http.StatusRequestTimeout, CodeBodyDamaged, "the body received (%d bytes) is not the one the station signed: send it again", n)
	}
	return nil
}
