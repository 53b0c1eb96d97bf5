package station

import (
	"context"
	"time"

	"fmt"
	"shicao/cmd/shicao/internal/store"
)

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
