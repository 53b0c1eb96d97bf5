package station

import (
	"context"
	"errors"
	"fmt"
	"time"

	"shicao/cmd/shicao/internal/credential"
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

// checkPIN is every sign-in's PIN check (an exam's, a drill's): a
// lockout first, then the registry, then before (refusals that do not
// depend on the PIN, so they cost no tries; nil for none), then the PIN.
// A PIN shorter than any PIN a centre sets is refused unchecked (a
// registry from before the 6-digit rule cannot be searched 4 digits at a
// time) and does not count; a wrong one counts towards a lockout; a
// right one clears the count.
func (s *Station) checkPIN(ctx context.Context, examinerID, pin string, before func(store.Examiner) error) (store.Examiner, error) {
	if locked, until, err := s.pinLocked(ctx, examinerID); err != nil {
		return store.Examiner{}, err
	} else if locked {
		return store.Examiner{}, refuse("pin-locked", "密码错误次数过多，考评员 %s 已锁定至 %s", "too many wrong PINs: examiner %s is locked out until %s", s.examinerLabel(ctx, examinerID), until.Format("15:04"))
	}
	ex, err := s.st.ExaminerByID(ctx, examinerID)
	if errors.Is(err, store.ErrNotFound) {
		return ex, refuse("examiner-unknown", "考评员 %s 不在考务中心的考评员名册中", "examiner %s is not in the centre's registry", MaskID(examinerID))
	} else if err != nil {
		return ex, err
	}
	if before != nil {
		if err := before(ex); err != nil {
			return ex, err
		}
	}
	if credential.ValidPIN(pin) != nil {
		return ex, refuse("pin-short", "密码至少%d位数字；旧的4位密码已停用，请向考务中心申请新密码", "a PIN has at least %d digits; old 4-digit PINs no longer work: ask the centre for a new one", credential.MinPINDigits)
	}
	if !credential.CheckPIN(ex.PinHash, pin) {
		left, locked, err := s.pinFailed(ctx, examinerID)
		if err != nil {
			return ex, err
		}
		if locked > 0 {
			return ex, refuse("pin-locked", "密码错误次数过多，考评员 %s 已锁定 %d 分钟", "too many wrong PINs: examiner %s is locked out for %d minutes", s.examinerLabel(ctx, examinerID), int(locked.Minutes()))
		}
		return ex, refuse("pin-wrong", "密码错误（还可尝试%d次）", "wrong PIN (%d tries left)", left)
	}
	if err := s.pinOK(ctx, examinerID); err != nil {
		return ex, fmt.Errorf("clear the examiner's wrong PINs: %w", err)
	}
	return ex, nil
}
