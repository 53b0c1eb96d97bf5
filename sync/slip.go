package sync

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// A score slip carries a code, printed as a QR code and as text, that
// names the result and proves the station issued the slip (docs/slip.md):
//
//	SC1:ID:SHA256:TOTAL:P|F:KEYHASH:SIG
//
// ID is the result id (the centre's key for the result), SHA256 the hex
// SHA-256 of the exact result bundle the station sent (the sha256 the
// centre's Merkle log records for the result, sync.Record), TOTAL the
// paper total and P or F pass or fail as printed, KEYHASH the station
// key's note key hash (8 hex digits), and SIG the station's Ed25519
// signature (base64url, unpadded) over SlipMessage. Anyone with the
// station's verifier key checks the code offline; with the bundle, that
// the slip is that result's; with the centre, that the result was logged.
// Forging a code needs the station's private key: changing any field
// breaks the signature.

// SlipCode is a slip's code, parsed.
type SlipCode struct {
	ID      string
	SHA256  string // hex, of the result bundle's bytes
	Total   string // the paper total as printed ("92.5")
	Passed  bool
	KeyHash uint32 // the signing key's note key hash
	Sig     []byte // Ed25519 over SlipMessage
}

// slipPrefix names the code's version.
const slipPrefix = "SC1"

// ErrBadSlip is a slip code that is malformed or does not verify.
var ErrBadSlip = errors.New("the slip's code does not verify")

// SlipMessage is what the station signs for a slip: its own text, so that
// a slip signature is never a result's or a request's.
func SlipMessage(id, sha256Hex, total string, passed bool) []byte {
	return fmt.Appendf(nil, "shicao-slip/1\nid %s\nsha256 %s\ntotal %s\npassed %t\n", id, sha256Hex, total, passed)
}

// SignSlip returns the code of a slip for the result bundle body with id,
// total and passed, signed by signer (the station's key). It returns an
// error when a field cannot be carried or the signer fails.
func SignSlip(signer note.Signer, id string, body []byte, total string, passed bool) (string, error) {
	c := SlipCode{ID: id, SHA256: BundleSHA256(body), Total: total, Passed: passed, KeyHash: signer.KeyHash()}
	if err := c.check(); err != nil {
		return "", err
	}
	sig, err := signer.Sign(SlipMessage(c.ID, c.SHA256, c.Total, c.Passed))
	if err != nil {
		return "", fmt.Errorf("sign slip: %w", err)
	}
	c.Sig = sig
	return c.String(), nil
}

// String formats the code.
func (c *SlipCode) String() string {
	pf := "F"
	if c.Passed {
		pf = "P"
	}
	return strings.Join([]string{slipPrefix, c.ID, c.SHA256, c.Total, pf, fmt.Sprintf("%08x", c.KeyHash), base64.RawURLEncoding.EncodeToString(c.Sig)}, ":")
}

// ParseSlip reads a code without checking its signature. Errors wrap
// ErrBadSlip and say which field is wrong.
func ParseSlip(code string) (*SlipCode, error) {
	f := strings.Split(strings.TrimSpace(code), ":")
	if len(f) != 7 || f[0] != slipPrefix {
		return nil, fmt.Errorf("%w: not a shicao slip code (want %s: and 7 fields separated by ':')", ErrBadSlip, slipPrefix)
	}
	c := &SlipCode{ID: f[1], SHA256: f[2], Total: f[3]}
	switch f[4] {
	case "P":
		c.Passed = true
	case "F":
	default:
		return nil, fmt.Errorf("%w: pass field %q: want P or F", ErrBadSlip, f[4])
	}
	kh, err := strconv.ParseUint(f[5], 16, 32)
	if err != nil || len(f[5]) != 8 {
		return nil, fmt.Errorf("%w: key hash %q: want 8 hex digits", ErrBadSlip, f[5])
	}
	c.KeyHash = uint32(kh)
	sig, err := base64.RawURLEncoding.DecodeString(f[6])
	if err != nil || len(sig) != 64 {
		return nil, fmt.Errorf("%w: the signature is not 64 bytes of base64url", ErrBadSlip)
	}
	c.Sig = sig
	if err := c.check(); err != nil {
		return nil, err
	}
	return c, nil
}

// check validates the fields a code carries.
func (c *SlipCode) check() error {
	if c.ID == "" || len(c.ID) > 64 || strings.Trim(c.ID, "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_") != "" {
		return fmt.Errorf("%w: result id %q", ErrBadSlip, c.ID)
	}
	if b, err := hex.DecodeString(c.SHA256); err != nil || len(b) != sha256.Size || strings.ToLower(c.SHA256) != c.SHA256 {
		return fmt.Errorf("%w: sha256 %q: want 64 lower-case hex digits", ErrBadSlip, c.SHA256)
	}
	if whole, frac, _ := strings.Cut(c.Total, "."); whole == "" || len(c.Total) > 8 ||
		strings.Trim(whole, "0123456789") != "" || strings.Trim(frac, "0123456789") != "" || strings.HasSuffix(c.Total, ".") {
		return fmt.Errorf("%w: total %q", ErrBadSlip, c.Total)
	}
	return nil
}

// VerifySlip parses a code and checks its signature with one of the
// station keys given (note verifier keys). Errors wrap ErrBadSlip: a code
// signed by a key not given, and one whose fields were altered after
// signing, are told apart.
func VerifySlip(code string, stationKeys []string) (*SlipCode, error) {
	c, err := ParseSlip(code)
	if err != nil {
		return nil, err
	}
	for _, k := range stationKeys {
		v, err := note.NewVerifier(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("station key: %w", err)
		}
		if v.KeyHash() != c.KeyHash {
			continue
		}
		if !v.Verify(SlipMessage(c.ID, c.SHA256, c.Total, c.Passed), c.Sig) {
			return nil, fmt.Errorf("%w: the signature of %s does not match the code's fields: the code was altered or forged", ErrBadSlip, v.Name())
		}
		return c, nil
	}
	return nil, fmt.Errorf("%w: signed by key %08x, not by the station key given", ErrBadSlip, c.KeyHash)
}

// BundleSHA256 is the hex SHA-256 of a result bundle's bytes: what a slip
// code carries and the centre's log records.
func BundleSHA256(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
