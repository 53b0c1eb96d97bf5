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

// Authenticate checks a station request's signature headers against the
// body received, and returns the station's name. The checks run cheapest
// and least revealing first; the nonce is spent last, so a request that
// fails for another reason does not burn it. A body whose hash differs
// from the signed one is refused 408 (CodeBodyDamaged): the signature
// proves the station sent other bytes, so the body was damaged on the
// way and the station should send it again.
func Authenticate(ctx context.Context, r *http.Request, body []byte, keys StationKeys, nonces Nonces, now time.Time) (string, error) {
	station, tstr, nonce, bodyHash, sigB64 := r.Header.Get(HeaderStation), r.Header.Get(HeaderTime), r.Header.Get(HeaderNonce), r.Header.Get(HeaderBodyHash), r.Header.Get(HeaderSignature)
	if station == "" || tstr == "" || nonce == "" || bodyHash == "" || sigB64 == "" {
		return "", Refuse(http.StatusUnauthorized, CodeUnsigned, "the request is not signed: every station request carries the %s headers", strings.Join([]string{HeaderStation, HeaderTime, HeaderNonce, HeaderBodyHash, HeaderSignature}, ", "))
	}
	ms, err := strconv.ParseInt(tstr, 10, 64)
	if err != nil || len(nonce) != 32 || len(bodyHash) != 64 {
		return "", Refuse(http.StatusUnauthorized, CodeUnsigned, "malformed signature headers")
	}
	sig, err := base64.StdEncoding.DecodeString(sigB64)
	if err != nil {
		return "", Refuse(http.StatusUnauthorized, CodeBadSignature, "the signature is not base64")
	}
	key, err := keys.StationKey(ctx, station)
	if errors.Is(err, ErrUnknownStation) {
		return "", Refuse(http.StatusUnauthorized, CodeUnknownStation, "station %q is not registered with this centre: register it with `shicao centre station add`", station)
	}
	if err != nil {
		return "", err
	}
	v, err := note.NewVerifier(key)
	if err != nil {
		return "", fmt.Errorf("station %s verifier key: %w", station, err)
	}
	if !v.Verify(RequestText(r.Method, r.URL.RequestURI(), station, ms, nonce, bodyHash), sig) {
		return "", Refuse(http.StatusUnauthorized, CodeBadSignature, "the request's signature does not verify with station %s's registered key", station)
	}
	at := time.UnixMilli(ms)
	if d := now.Sub(at); d > MaxSkew || d < -MaxSkew {
		return "", Refuse(http.StatusUnauthorized, CodeStale, "the request's time %s is %s from the centre's %s (at most %s): check the station's clock",
			at.UTC().Format(time.RFC3339), d.Round(time.Second), now.UTC().Format(time.RFC3339), MaxSkew)
	}
	sum := sha256.Sum256(body)
	if hex.EncodeToString(sum[:]) != bodyHash {
		return "", Refuse(http.StatusRequestTimeout, CodeBodyDamaged, "the body received (%d bytes) is not the one the station signed: send it again", len(body))
	}
	fresh, err := nonces.UseNonce(ctx, station, nonce, at)
	if err != nil {
		return "", err
	}
	if !fresh {
		return "", Refuse(http.StatusUnauthorized, CodeReplay, "this request was received before (nonce %s): a replay is refused", nonce)
	}
	return station, nil
}
