package station

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
)

// Config is a station's identity and policy.
type Config struct {
	Name string // station name, as the centre registered it
	Site string // the accepted exam site it stands at
	// SignerKey is the station's note signer key (station.key).
	SignerKey string
	// Now is the wall clock (dates, the log's wall_ms, how long the
	// station was down); tests and replays inject one.
	Now func() time.Time
	// ExamClock, if set, is the clock items are timed by (t_ms); the
	// demo runs it at the simulators' speed while Now stays the wall
	// clock, so a restart neither loses the outage nor puts the date or
	// the log's wall times out of step. Default: Now.
	ExamClock func() time.Time
	// MaxPINFailures wrong PINs in a row lock an examiner out for
	// Lockout; each further lockout before a right PIN lasts twice as
	// long, up to MaxLockout (defaults: 5, 5 minutes, 1 hour).
	MaxPINFailures int
	Lockout        time.Duration
	MaxLockout     time.Duration
	// OnAppend, if set, is told of every event once it is durable (the
	// script driver's --trace, which the kill campaign reads).
	OnAppend func(session, seq int64)
	// Live, if set, is the equipment wiring: told the item device
	// readings now belong to when one starts or continues after a
	// restart, and nil when it ends. The station calls it, so the TUI and
	// the script driver cannot differ (a resumed item that never got its
	// readings did).
	Live func(*Item)
	// Printer prints score slips (nil: none; slips queue).
	Printer SlipPrinter
	// ClockMaxAge, if set, makes the readiness gate check the clock: the
	// offset from the centre the last sync measured (RecordClockOffset)
	// must be at most this old and under MaxClockOffset. Zero: the clock
	// is not checked (tests, tools that run no exam).
	ClockMaxAge time.Duration
	// Training asks for training mode (Station.SetTraining): refused on
	// an exam day at an accepted exam site. A training institution's
	// station runs in training mode whatever it says.
	Training bool
}

// Station is one exam station: its store, keys and rules.
type Station struct {
	st     *store.Store
	cfg    Config
	signer note.Signer

	mu     sync.Mutex
	parsed map[string]any // sha256 -> *standards.Standard | *standards.Blueprint
	live   *Item          // the item Config.Live was last told of

	refMu   sync.Mutex // guards refExam and the exams' reference checks
	refExam *Exam      // the exam whose reference check is armed

	trainingMu   sync.Mutex // guards trainingSite and trainingMode
	trainingSite bool       // the registry says the site is a training institution's
	trainingMode bool       // switched to training mode (SetTraining)
}

// New returns a Station over an open store.
func New(st *store.Store, cfg Config) (*Station, error) {
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.MaxPINFailures == 0 {
		cfg.MaxPINFailures = defaultMaxPINFailures
	}
	if cfg.Lockout == 0 {
		cfg.Lockout = defaultLockout
	}
	if cfg.MaxLockout == 0 {
		cfg.MaxLockout = max(defaultMaxLockout, cfg.Lockout)
	}
	if cfg.Name == "" || cfg.Site == "" {
		return nil, errors.New("station: name and site are required (shicao station init)")
	}
	s := &Station{st: st, cfg: cfg, parsed: map[string]any{}}
	if cfg.SignerKey != "" {
		signer, err := note.NewSigner(strings.TrimSpace(cfg.SignerKey))
		if err != nil {
			return nil, fmt.Errorf("station key: %w", err)
		}
		s.signer = signer
	}
	return s, nil
}

// Store returns the station's store.
func (s *Station) Store() *store.Store { return s.st }

// Name returns the station's name.
func (s *Station) Name() string { return s.cfg.Name }

// Site returns the station's exam site.
func (s *Station) Site() string { return s.cfg.Site }

// Today returns the exam date by the station's clock.
func (s *Station) Today() standards.Date { return standards.DateOf(s.cfg.Now()) }

// Now returns the station's wall clock (what the screen's clock shows).
func (s *Station) Now() time.Time { return s.cfg.Now() }

func (s *Station) now() time.Time { return s.cfg.Now() }

// examNow is the clock items are timed by.
func (s *Station) examNow() time.Time {
	if s.cfg.ExamClock != nil {
		return s.cfg.ExamClock()
	}
	return s.cfg.Now()
}

// Trust returns the pinned province keys and the threshold.
func (s *Station) Trust(ctx context.Context) (*standards.Trust, error) {
	keys, err := s.st.TrustRoots(ctx)
	if err != nil {
		return nil, err
	}
	if len(keys) == 0 {
		return nil, refuse("no-trust", "本站尚未设置省厅验证公钥，不能安装评分标准", "no province verifier key is pinned: run shicao station trust add")
	}
	threshold := 1
	if n, err := s.st.TrustThreshold(ctx); err == nil && n > 0 {
		threshold = n
	}
	return standards.NewTrust(threshold, keys...)
}

// Install verifies a signed standard or blueprint against the pinned keys,
// refuses an older version than the newest installed (unless it is that
// very text, installed already: ErrInstalled), an equivocating one or one
// whose own vectors fail, and stores it with the new highest version in
// one transaction. Every installed version is kept. An equivocation is
// also kept as an alarm for people.
func (s *Station) Install(ctx context.Context, file string, signed []byte) (*standards.Candidate, error) {
	trust, err := s.Trust(ctx)
	if err != nil {
		return nil, err
	}
	var seenErr error
	seen := func(id string) (standards.Seen, bool) {
		v, ok, err := s.st.Seen(ctx, id)
		if err != nil {
			seenErr = err
		}
		return v, ok
	}
	vocab, _, err := s.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	c, err := standards.AdmitWith(vocab, signed, file, trust, seen, scoring.SelfTest)
	if seenErr != nil {
		return nil, seenErr
	}
	if errors.Is(err, standards.ErrRollback) {
		// Older than the newest, but every version is kept: the very
		// text installed again is not an error, another text under a
		// version held is an equivocation, and one never held a rollback.
		if have, herr := s.st.StandardVersion(ctx, c.ID, c.Version); herr == nil {
			why := standards.ErrInstalled
			if (&standards.Standard{Source: standards.SplitNote(have)}).SHA256() != c.SHA256 {
				why = standards.ErrEquivocation
			}
			err = fmt.Errorf("%s: %s version %d: %w", file, c.ID, c.Version, why)
		}
	}
	if err != nil {
		if errors.Is(err, standards.ErrEquivocation) || errors.Is(err, standards.ErrBadSignature) {
			_ = s.st.Alarm(ctx, "standard", file, err.Error())
		}
		return c, err
	}
	if err := s.st.Install(ctx, c, signed); err != nil {
		if errors.Is(err, standards.ErrEquivocation) {
			_ = s.st.Alarm(ctx, "standard", file, err.Error())
		}
		return c, err
	}
	return c, nil
}

// standard returns the version of a standard in force today.
func (s *Station) standard(ctx context.Context, id string) (*standards.Standard, error) {
	c, err := s.inForce(ctx, id, s.Today())
	if err != nil {
		return nil, err
	}
	if c.Standard == nil {
		return nil, fmt.Errorf("%s is a blueprint, not an item standard", id)
	}
	return c.Standard, nil
}

// StandardVersion returns an exact installed version (for resume and verify).
func (s *Station) StandardVersion(ctx context.Context, id string, version int) (*standards.Standard, error) {
	c, err := s.installed(ctx, id, version)
	if err != nil {
		return nil, err
	}
	if c.Standard == nil {
		return nil, fmt.Errorf("%s is a blueprint, not an item standard", id)
	}
	return c.Standard, nil
}

// blueprint returns the version of a blueprint in force today.
func (s *Station) blueprint(ctx context.Context, id string) (*standards.Blueprint, error) {
	c, err := s.inForce(ctx, id, s.Today())
	if err != nil {
		return nil, err
	}
	if c.Blueprint == nil {
		return nil, fmt.Errorf("%s is an item standard, not a blueprint", id)
	}
	return c.Blueprint, nil
}

// inForce returns the installed version of a standard or blueprint in
// force on day d (the notice: score by the standard in force): the newest
// whose effective date has come, unless it expired. Every installed
// version is kept, so a version published ahead of its date does not hide
// the one in force today. The refusal says why none is.
func (s *Station) inForce(ctx context.Context, id string, d standards.Date) (*standards.Candidate, error) {
	list, err := s.st.Versions(ctx, id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, refuse("no-standard", "本站未安装评分标准 %s", "standard %s is not installed at this station", id)
	}
	spans := make([]standards.Span, len(list))
	for i, x := range list {
		if spans[i], err = x.Span(); err != nil {
			return nil, err
		}
	}
	v, ok := standards.InForceOn(spans, d)
	if !ok {
		// Oldest first: the first version is the earliest to take
		// effect unless one already has, and the newest that has is
		// the one that expired.
		for i := len(spans) - 1; i >= 0; i-- {
			if sp := spans[i]; !d.Before(sp.Effective) {
				return nil, refuse("standard-not-in-force", "%s 第%d版已于 %s 后废止，本站没有更新的版本", "%s version %d expired after %s and no newer version is installed",
					id, sp.Version, sp.Expires)
			}
		}
		return nil, refuse("standard-not-in-force", "%s 在 %s 没有施行的版本：已安装的第%d版 %s 起施行", "%s has no version in force on %s: version %d installed takes effect on %s",
			id, d, spans[0].Version, spans[0].Effective)
	}
	return s.installed(ctx, id, v.Version)
}

// installed parses (once, cached by hash) one installed version.
func (s *Station) installed(ctx context.Context, id string, version int) (*standards.Candidate, error) {
	signed, err := s.st.StandardVersion(ctx, id, version)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse("no-standard-version", "本站未安装评分标准 %s 第%d版", "standard %s version %d is not installed at this station", id, version)
	}
	if err != nil {
		return nil, err
	}
	text := standards.SplitNote(signed)
	sum := (&standards.Standard{Source: text}).SHA256()
	s.mu.Lock()
	cached, ok := s.parsed[sum]
	s.mu.Unlock()
	if ok {
		switch v := cached.(type) {
		case *standards.Standard:
			return &standards.Candidate{ID: v.ID, Version: v.Version, SHA256: sum, Standard: v}, nil
		case *standards.Blueprint:
			return &standards.Candidate{ID: v.ID, Version: v.Version, SHA256: sum, Blueprint: v}, nil
		}
	}
	vocab, _, err := s.Vocabulary(ctx)
	if err != nil {
		return nil, err
	}
	c, err := standards.ParseAnyWith(vocab, id, text)
	if err != nil {
		return nil, fmt.Errorf("installed %s version %d no longer parses: %w", id, version, err)
	}
	s.mu.Lock()
	if c.Standard != nil {
		s.parsed[sum] = c.Standard
	} else {
		s.parsed[sum] = c.Blueprint
	}
	s.mu.Unlock()
	return c, nil
}

// setLive tells the equipment wiring that readings now belong to it.
func (s *Station) setLive(it *Item) {
	s.mu.Lock()
	s.live = it
	s.mu.Unlock()
	if s.cfg.Live != nil {
		s.cfg.Live(it)
	}
}

// endLive tells the equipment wiring that it has ended, if it is the
// item readings go to.
func (s *Station) endLive(it *Item) {
	s.mu.Lock()
	was := s.live == it
	if was {
		s.live = nil
	}
	s.mu.Unlock()
	if was && s.cfg.Live != nil {
		s.cfg.Live(nil)
	}
}
