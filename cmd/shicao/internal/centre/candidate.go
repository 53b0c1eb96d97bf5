package centre

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"time"

	examsync "shicao/sync"
)

// A candidate sees their own record by two things only they hold: their
// 身份证号 and their slip's code (SC1, docs/slip.md). The code names the
// result and is signed by the station that examined them; the centre
// checks that signature with the station's registered key, that the code
// is about the exact bytes the log holds, and that the result is the
// candidate's. Whatever is wrong, the answer is the same ErrNoRecord, so
// that a stranger learns nothing of which ID numbers or results exist.
// Failed tries are limited per client address and per ID number.

// ErrNoRecord is the one refusal of a candidate lookup: the ID number
// and the slip's code do not name the same result held here.
var ErrNoRecord = errors.New("no record matches this ID number and slip code")

// CandidateRecord is what a candidate may see: their result, its body
// (the bundle as received), its receipt and the appeal's standing.
type CandidateRecord struct {
	Row      *ResultRow
	Body     []byte
	Receipt  []byte
	Code     string // the slip code that opened it, as the QR code carries it
	Standing *Standing
}

// CandidateRecord returns the result that the slip code names if it is
// the candidate's with idNumber. It returns ErrNoRecord when the code is
// malformed, forged, signed by a key not registered for the result's
// station, about other bytes than those held, or names another
// candidate's result, and when no such result is held.
func (c *Centre) CandidateRecord(ctx context.Context, idNumber, code string) (*CandidateRecord, error) {
	idNumber = NormalizeIDNumber(idNumber)
	sc, err := examsync.ParseSlip(code)
	if err != nil || idNumber == "" {
		return nil, ErrNoRecord
	}
	row, err := c.ResultByID(ctx, sc.ID)
	if errors.Is(err, ErrNotFound) {
		return nil, ErrNoRecord
	}
	if err != nil {
		return nil, err
	}
	key, err := c.StationKey(ctx, row.Station)
	if errors.Is(err, examsync.ErrUnknownStation) {
		return nil, ErrNoRecord
	}
	if err != nil {
		return nil, err
	}
	if _, err := examsync.VerifySlip(code, []string{key}); err != nil {
		return nil, ErrNoRecord
	}
	// Every check is done whatever the earlier ones found; the ID number
	// is compared in constant time.
	same := subtle.ConstantTimeCompare([]byte(row.Candidate), []byte(idNumber)) & subtle.ConstantTimeCompare([]byte(row.SHA256), []byte(sc.SHA256))
	if same != 1 {
		return nil, ErrNoRecord
	}
	rec := &CandidateRecord{Row: row, Code: strings.TrimSpace(code)}
	if rec.Body, err = c.ResultBody(ctx, row.ID); err != nil {
		return nil, fmt.Errorf("candidate record %s: %w", row.ID, err)
	}
	if rec.Receipt, err = c.ResultReceipt(ctx, row.ID); err != nil {
		return nil, fmt.Errorf("candidate record %s: %w", row.ID, err)
	}
	if rec.Standing, err = c.AppealStanding(ctx, row.ID); err != nil {
		return nil, fmt.Errorf("candidate record %s: %w", row.ID, err)
	}
	return rec, nil
}

// NormalizeIDNumber is a typed 身份证号 as stored: spaces dropped, the
// check character x upper-cased.
func NormalizeIDNumber(s string) string {
	return strings.ToUpper(strings.Join(strings.Fields(s), ""))
}

// MaskIDNumber shows the first 6 and last 4 characters of an ID number,
// as the slip prints it.
func MaskIDNumber(s string) string {
	r := []rune(s)
	if len(r) <= 10 {
		return strings.Repeat("*", len(r))
	}
	return string(r[:6]) + strings.Repeat("*", len(r)-10) + string(r[len(r)-4:])
}

// TryLimiter limits failed tries per key (a client address, an ID
// number) to Max in any Window. A try is taken before it is made and
// given back if it did not fail, so that tries sent all at once cannot
// pass the limit together. It is kept in memory: a restart of the centre
// starts every count afresh.
type TryLimiter struct {
	Max    int
	Window time.Duration
	Now    func() time.Time

	mu    gosync.Mutex
	tries map[string][]time.Time // per key, the tries counted inside the window, oldest first
}

// NewTryLimiter returns a limiter of max failures per window.
func NewTryLimiter(max int, window time.Duration, now func() time.Time) *TryLimiter {
	if now == nil {
		now = time.Now
	}
	return &TryLimiter{Max: max, Window: window, Now: now, tries: map[string][]time.Time{}}
}

// Take counts a try under every key and reports true, unless one of
// the keys has Max tries in the window: then it counts nothing and
// reports how long until that key may try again.
func (l *TryLimiter) Take(keys ...string) (ok bool, retryAfter time.Duration) {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.Now()
	for _, k := range keys {
		f := l.prune(k, now)
		if len(f) >= l.Max {
			if wait := f[len(f)-l.Max].Add(l.Window).Sub(now); wait > retryAfter {
				retryAfter = wait
			}
		}
	}
	if retryAfter > 0 {
		return false, retryAfter
	}
	for _, k := range keys {
		l.tries[k] = append(l.tries[k], now)
	}
	// Forget keys whose tries all left the window, so that the map does
	// not grow with every address ever seen.
	if len(l.tries) > 10000 {
		for k := range l.tries {
			l.prune(k, now)
		}
	}
	return true, 0
}

// Refund gives back a try that Take counted and that did not fail.
func (l *TryLimiter) Refund(keys ...string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, k := range keys {
		if f := l.tries[k]; len(f) > 0 {
			l.tries[k] = f[:len(f)-1]
		}
	}
}

// prune drops key's tries older than the window; l.mu is held.
func (l *TryLimiter) prune(key string, now time.Time) []time.Time {
	f := l.tries[key]
	i := 0
	for i < len(f) && !f[i].Add(l.Window).After(now) {
		i++
	}
	f = f[i:]
	if len(f) == 0 {
		delete(l.tries, key)
		return nil
	}
	l.tries[key] = f
	return f
}
