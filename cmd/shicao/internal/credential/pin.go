package credential

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"

	"golang.org/x/crypto/argon2"
)

// PIN hashes are argon2id, encoded "argon2id$v=19$m=19456,t=2,p=1$salt$hash"
// (the OWASP minimum for argon2id). The centre hashes; stations verify.
const (
	pinTime    = 2
	pinMemory  = 19 * 1024
	pinThreads = 1
	pinKeyLen  = 32
)

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
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		return "", err
	}
	key := argon2.IDKey([]byte(pin), salt, pinTime, pinMemory, pinThreads, pinKeyLen)
	return fmt.Sprintf("argon2id$v=19$m=%d,t=%d,p=%d$%s$%s", pinMemory, pinTime, pinThreads,
		base64.RawStdEncoding.EncodeToString(salt), base64.RawStdEncoding.EncodeToString(key)), nil
}

// CheckPIN reports whether pin matches the encoded hash.
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
