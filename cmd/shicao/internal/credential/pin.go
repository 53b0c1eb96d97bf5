package credential

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"testing"

	"golang.org/x/crypto/argon2"
)

// Cost is an argon2id cost: memory in KiB, passes and lanes.
type Cost struct {
	Memory, Time uint32
	Threads      uint8
}

// OWASP is the OWASP minimum for argon2id, the cost of every PIN and
// password hash a shicao binary makes: encoded
// "argon2id$v=19$m=19456,t=2,p=1$salt$hash". The centre hashes; stations
// verify.
var OWASP = Cost{Memory: 19 * 1024, Time: 2, Threads: 1}

// testCost is the cost of the hashes a test binary makes. Tests make and
// check hundreds of examiners' PINs and staff passwords, and at the OWASP
// minimum (19 MiB filled twice per hash) that was half the CPU of the
// centre's tests. A hash carries its cost, so one made cheap is checked
// as cheaply, and a test binary still checks the OWASP cost's hashes.
var testCost = Cost{Memory: 64, Time: 1, Threads: 1}

// CostOf is the cost of new hashes: OWASP, or testCost in a test binary
// (testing.Testing: a program built by go test, never by go build).
func CostOf(inTest bool) Cost {
	if inTest {
		return testCost
	}
	return OWASP
}

const hashKeyLen = 32

// MinPINDigits is the shortest PIN an examiner may have: with 6 digits a
// stolen station.db costs 10^6 argon2id hashes per examiner to search
// (docs/security.md), and the lockouts keep guessing at the station slow.
const MinPINDigits = 6

// ErrPINShort is returned for a PIN that is not at least MinPINDigits
// digits.
var ErrPINShort = fmt.Errorf("a PIN must be at least %d digits (0-9)", MinPINDigits)

// ValidPIN returns ErrPINShort unless pin is at least MinPINDigits digits.
func ValidPIN(pin string) error {
	if len(pin) < MinPINDigits || strings.Trim(pin, "0123456789") != "" {
		return ErrPINShort
	}
	return nil
}

// HashPIN returns the encoded argon2id hash of a PIN. It returns
// ErrPINShort for a PIN ValidPIN refuses: every PIN set anywhere is set
// through it.
func HashPIN(pin string) (string, error) {
	if err := ValidPIN(pin); err != nil {
		return "", err
	}
	return Hash(pin)
}

// Hash returns the encoded argon2id hash of a secret (a PIN, a staff
// password) at the cost of new hashes (CostOf).
func Hash(secret string) (string, error) {
	return HashWith(CostOf(testing.Testing()), secret)
}

// HashWith returns the encoded argon2id hash of secret at cost c.
func HashWith(c Cost, secret string) (string, error) {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(secret), salt, c.Time, c.Memory, c.Threads, hashKeyLen)
	return fmt.Sprintf("argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", c.Memory, c.Time, c.Threads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPIN reports whether pin (or a staff password) matches the
// encoded hash, at the cost the hash names.
func CheckPIN(encoded, pin string) bool {
	parts := strings.Split(encoded, "$")
	if len(parts) != 5 || parts[0] != "argon2id" {
		return false
	}
	var m, t uint32
	var p uint8
	if _, err := fmt.Sscanf(parts[2], "m=%d,t=%d,p=%d", &m, &t, &p); err != nil || m > 1<<20 || t > 10 || p == 0 {
		return false
	}
	salt, err1 := base64.RawStdEncoding.DecodeString(parts[3])
	want, err2 := base64.RawStdEncoding.DecodeString(parts[4])
	if err1 != nil || err2 != nil || len(want) == 0 {
		return false
	}
	got := argon2.IDKey([]byte(pin), salt, t, m, p, uint32(len(want)))
	return subtle.ConstantTimeCompare(got, want) == 1
}
