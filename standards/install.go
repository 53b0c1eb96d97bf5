package standards

import (
	"errors"
	"fmt"
)

// Errors of the install decision.
var (
	ErrRollback     = errors.New("older than the version already installed")
	ErrEquivocation = errors.New("same version as one already seen but different text: possible forgery, report it")
	ErrInstalled    = errors.New("already installed")
	ErrSelfTest     = errors.New("its own test vectors fail")
	ErrNotEffective = errors.New("not yet in effect")
)

// Seen is the highest version of one standard id a station has accepted,
// with the hash of its text. The station persists it in the same
// transaction as the install, so rollback protection survives a crash.
type Seen struct {
	Version int
	SHA256  string
}

// Candidate is a signed standard or blueprint that verified and parsed.
type Candidate struct {
	ID        string
	Version   int
	SHA256    string
	Signers   []string
	Standard  *Standard // one of Standard and Blueprint is set
	Blueprint *Blueprint
}

// SelfTest runs a standard's or blueprint's own vectors; package scoring
// provides it (standards cannot score).
type SelfTest func(*Candidate) error

// Admit decides whether a station may install signed: the trusted keys meet
// the threshold, the text parses and compiles, the version is higher than
// the highest seen for its id (the same version with other bytes is an
// equivocation alarm), and its own vectors pass. seen returns the highest
// version seen for an id. Admit is pure: persisting the decision is the
// caller's, in one transaction with the new highest version. With
// ErrInstalled and ErrRollback it returns the candidate too: a caller that
// keeps every version can tell an older version it holds, byte for byte,
// from a rollback.
func Admit(signed []byte, file string, trust *Trust, seen func(id string) (Seen, bool), test SelfTest) (*Candidate, error) {
	return AdmitWith(DefaultVocabulary(), signed, file, trust, seen, test)
}

// AdmitWith is Admit type-checking the standard against v (the base
// vocabulary extended by the installed vocabulary document).
func AdmitWith(v *Vocabulary, signed []byte, file string, trust *Trust, seen func(id string) (Seen, bool), test SelfTest) (*Candidate, error) {
	o, err := trust.Open(signed)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	c, err := ParseAnyWith(v, file, o.Text)
	if err != nil {
		return nil, err
	}
	c.Signers = o.Signers
	if prev, ok := seen(c.ID); ok {
		switch {
		case c.Version < prev.Version:
			return c, fmt.Errorf("%s: %s version %d: %w (%d)", file, c.ID, c.Version, ErrRollback, prev.Version)
		case c.Version == prev.Version && c.SHA256 != prev.SHA256:
			return nil, fmt.Errorf("%s: %s version %d: %w", file, c.ID, c.Version, ErrEquivocation)
		case c.Version == prev.Version:
			return c, fmt.Errorf("%s: %s version %d: %w", file, c.ID, c.Version, ErrInstalled)
		}
	}
	if test != nil {
		if err := test(c); err != nil {
			return nil, fmt.Errorf("%s: %s version %d: %w: %v", file, c.ID, c.Version, ErrSelfTest, err)
		}
	}
	return c, nil
}

// ParseAny parses a standard or a blueprint, telling them apart by their
// fields: a blueprint has subjects, a standard has items.
func ParseAny(file string, text []byte) (*Candidate, error) {
	return ParseAnyWith(DefaultVocabulary(), file, text)
}

// ParseAnyWith is ParseAny with a standard type-checked against v.
func ParseAnyWith(v *Vocabulary, file string, text []byte) (*Candidate, error) {
	if IsBlueprint(text) {
		b, err := ParseBlueprint(file, text)
		if err != nil {
			return nil, err
		}
		return &Candidate{ID: b.ID, Version: b.Version, SHA256: b.SHA256(), Blueprint: b}, nil
	}
	s, err := ParseWith(v, file, text)
	if err != nil {
		return nil, err
	}
	return &Candidate{ID: s.ID, Version: s.Version, SHA256: s.SHA256(), Standard: s}, nil
}

// UsableOn reports whether the standard may score an exam on day d by
// its own dates: in effect (effective <= d, else ErrNotEffective) and not
// expired (d <= expires, else ErrExpired). Whether a newer version
// superseded it is StateOn's question, which needs the other versions.
func (s *Standard) UsableOn(d Date) error { return s.Span().usableOn(s.ID, d) }

// UsableOn reports whether the blueprint may be used on day d by its own
// dates, as Standard.UsableOn.
func (b *Blueprint) UsableOn(d Date) error { return b.Span().usableOn(b.ID, d) }

func (s Span) usableOn(id string, d Date) error {
	if d.Before(s.Effective) {
		return fmt.Errorf("%s version %d: %w until %s", id, s.Version, ErrNotEffective, s.Effective)
	}
	if s.ExpiredOn(d) {
		return fmt.Errorf("%s version %d: %w after %s", id, s.Version, ErrExpired, s.Expires)
	}
	return nil
}
