package station

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"golang.org/x/crypto/argon2"

	"shicao/cmd/shicao/internal/store"
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

// The lockout policy's defaults (Config): 5 wrong PINs in a row lock an
// examiner out for 5 minutes; each further lockout before a right PIN
// doubles it (10, 20, 40 minutes...), up to 1 hour. The count and the
// lockout are kept in the station's database, so a restart changes
// nothing. At the cap a guesser gets 5 tries an hour: 10^6 six-digit PINs
// take 200,000 hours to try.
const (
	defaultMaxPINFailures = 5
	defaultLockout        = 5 * time.Minute
	defaultMaxLockout     = time.Hour
)

// lockoutFor returns how long the n-th lockout (1: the first) lasts.
func (s *Station) lockoutFor(n int) time.Duration {
	d := s.cfg.Lockout
	for i := 1; i < n && d < s.cfg.MaxLockout; i++ {
		d *= 2
	}
	return min(d, s.cfg.MaxLockout)
}

// pinLocked reports whether an examiner is locked out, and until when.
func (s *Station) pinLocked(ctx context.Context, id string) (bool, time.Time, error) {
	now := s.now()
	st, err := s.st.PINStateOf(ctx, id)
	if err != nil {
		return false, time.Time{}, fmt.Errorf("read the examiner's wrong PINs: %w", err)
	}
	if now.Before(st.LockedUntil) {
		return true, st.LockedUntil, nil
	}
	return false, time.Time{}, nil
}

// pinFailed counts a wrong PIN. It returns the tries left before a
// lockout, or the lockout's length when this failure started one.
func (s *Station) pinFailed(ctx context.Context, id string) (left int, locked time.Duration, err error) {
	now := s.now()
	_, err = s.st.UpdatePINState(ctx, id, func(st *store.PINState) {
		st.Failures++
		left = s.cfg.MaxPINFailures - st.Failures
		if left <= 0 {
			st.Lockouts++
			locked = s.lockoutFor(st.Lockouts)
			st.Failures, st.LockedUntil = 0, now.Add(locked)
		}
	})
	if err != nil {
		return 0, 0, fmt.Errorf("count the wrong PIN: %w", err)
	}
	if locked > 0 {
		_ = s.st.Alarm(ctx, "pin-locked", id, fmt.Sprintf("%d wrong PINs in a row: locked out for %s", s.cfg.MaxPINFailures, locked))
	}
	return left, locked, nil
}

// pinOK clears an examiner's wrong PINs and lockouts after a right PIN.
func (s *Station) pinOK(ctx context.Context, id string) error {
	_, err := s.st.UpdatePINState(ctx, id, func(st *store.PINState) { *st = store.PINState{} })
	return err
}
