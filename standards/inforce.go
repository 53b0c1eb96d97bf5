package standards

import (
	"errors"
	"fmt"
)

// ErrExpired is the error of a standard or blueprint used after its
// expires date.
var ErrExpired = errors.New("expired")

// Span is when one version of a standard or blueprint may score: from
// its effective date through its expires date (the last day; zero for no
// end), unless a newer version takes effect first.
type Span struct {
	Version   int
	Effective Date
	Expires   Date // zero: until superseded
}

// Span returns the standard's dates.
func (s *Standard) Span() Span { return Span{s.Version, s.Effective, s.Expires} }

// Span returns the blueprint's dates.
func (b *Blueprint) Span() Span { return Span{b.Version, b.Effective, b.Expires} }

// Span returns the candidate's dates.
func (c *Candidate) Span() Span {
	if c.Standard != nil {
		return c.Standard.Span()
	}
	return c.Blueprint.Span()
}

// ExpiredOn reports whether d is past the span's expires date.
func (s Span) ExpiredOn(d Date) bool { return !s.Expires.IsZero() && s.Expires.Before(d) }

// State is what one version of a standard is on a given day.
type State int

// The states of a version on a day. Exactly one version of an id is in
// force on a day, or none (its newest effective version expired, or none
// took effect yet).
const (
	InForce    State = iota + 1 // the version to draw and score by
	Scheduled                   // its effective date has not come
	Superseded                  // a newer version took effect
	Expired                     // the newest effective version, past its expires date
)

// String returns the state in English, as lists show it.
func (s State) String() string {
	switch s {
	case InForce:
		return "in force"
	case Scheduled:
		return "scheduled"
	case Superseded:
		return "superseded"
	case Expired:
		return "expired"
	}
	return "unknown"
}

// StateOn returns the state of version v of an id on day d, among every
// version of that id the caller knows (v may be among them or not), and
// for a superseded version the newest version that took effect by d. The
// rule (the notice: score by the standard in force) is: a version is in
// force from its effective date until the next version's effective date,
// and never after its expires date; an expired newest version does not
// bring back an older one.
func StateOn(versions []Span, v Span, d Date) (State, Span) {
	// A newer version in effect supersedes v even if v's own date has
	// not come (a province that dated versions out of order).
	var newer Span
	for _, w := range versions {
		if w.Version > v.Version && !d.Before(w.Effective) && w.Version > newer.Version {
			newer = w
		}
	}
	if newer.Version != 0 {
		return Superseded, newer
	}
	if d.Before(v.Effective) {
		return Scheduled, Span{}
	}
	if v.ExpiredOn(d) {
		return Expired, Span{}
	}
	return InForce, Span{}
}

// InForceOn returns the version in force on day d among versions of one
// id: the newest whose effective date has come, unless it has expired.
// ok is false when no version is in force.
func InForceOn(versions []Span, d Date) (Span, bool) {
	var best Span
	for _, v := range versions {
		if !d.Before(v.Effective) && v.Version > best.Version {
			best = v
		}
	}
	if best.Version == 0 || best.ExpiredOn(d) {
		return Span{}, false
	}
	return best, true
}

// NotInForce says why version v of id may not score an exam on day d, in
// English, or "" when it is in force.
func NotInForce(id string, versions []Span, v Span, d Date) string {
	switch st, newer := StateOn(versions, v, d); st {
	case Scheduled:
		return fmt.Sprintf("%s version %d is not in force on %s: it takes effect on %s", id, v.Version, d, v.Effective)
	case Superseded:
		return fmt.Sprintf("%s version %d is not in force on %s: version %d took effect on %s", id, v.Version, d, newer.Version, newer.Effective)
	case Expired:
		return fmt.Sprintf("%s version %d is not in force on %s: it expired after %s", id, v.Version, d, v.Expires)
	}
	return ""
}
