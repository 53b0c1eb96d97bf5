package station

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// LinkOptions is how a running station reaches its centre.
type LinkOptions struct {
	URL string
	// CentreKey is the centre's verifier key (default: the pinned one).
	CentreKey string
	// HTTP is the client (nil: a 20 s timeout, the system's CAs).
	HTTP *http.Client
	// Now signs requests (nil: the real time); the demo's centre runs on
	// the station's scaled clock.
	Now func() time.Time
	// Every is the pause between rounds when nothing pokes.
	Every  time.Duration
	Logger *slog.Logger
}

// A Link is a running station's connection to its centre: the outbox
// sent by examsync.Uploader.Run in the background, a round every
// LinkOptions.Every and whenever RetryNow asks, and the status the
// screens show (it implements the TUI's SyncStatus). Each round also
// measures the clock against the centre for the readiness gate.
type Link struct {
	url    string
	poke   chan struct{}
	first  chan struct{} // closed when the first round is over
	client *examsync.Client

	mu     sync.Mutex
	online bool
	last   time.Time
	err    string
	rounds chan struct{} // closed and replaced at the end of every round
}

// StartLink starts the station's link to its centre; it runs until ctx
// ends. It returns ErrNoCentreKey when no key is given or pinned.
func (s *Station) StartLink(ctx context.Context, opt LinkOptions) (*Link, error) {
	if opt.CentreKey == "" {
		k, err := s.st.CentreKey(ctx)
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNoCentreKey
		}
		if err != nil {
			return nil, err
		}
		opt.CentreKey = k
	}
	if opt.HTTP == nil {
		opt.HTTP = &http.Client{Timeout: 20 * time.Second}
	}
	if opt.Logger == nil {
		opt.Logger = slog.New(slog.DiscardHandler)
	}
	client, err := s.Client(opt.URL, opt.HTTP)
	if err != nil {
		return nil, err
	}
	if opt.Now != nil {
		client.Now = opt.Now
	}
	l := &Link{url: opt.URL, client: client, poke: make(chan struct{}, 1), rounds: make(chan struct{}), first: make(chan struct{})}
	// Eager: a person is watching the outbox; every queued row goes.
	up := &examsync.Uploader{Outbox: s.st.SyncOutbox(), Client: client, CentreKey: opt.CentreKey, Eager: true, Logger: opt.Logger, Poke: l.poke}
	var began time.Time
	rounds := 0
	up.OnRound = func(ctx context.Context, rep *examsync.Report, err error) {
		online := err == nil && rep.Unanswered == 0
		if cerr := s.measureClock(ctx, client, began, opt.Logger); cerr != nil && err == nil {
			err, online = cerr, false
		}
		if err != nil {
			opt.Logger.Warn("sync round", "err", err)
		}
		l.roundOver(online, err)
		if rounds++; rounds == 1 {
			close(l.first)
		}
		began = client.Now()
	}
	began = client.Now()
	go up.Run(ctx, opt.Every)
	return l, nil
}

// measureClock records the clock offset from the centre for the
// readiness gate: the round's answers measured it (began is the round's
// start); a round that sent nothing asks for the checkpoint, since any
// answer carries the centre's time. The error is the checkpoint's, when
// the centre did not answer it.
func (s *Station) measureClock(ctx context.Context, c *examsync.Client, began time.Time, log *slog.Logger) error {
	var err error
	if _, at, ok := c.ClockOffset(); !ok || at.Before(began) {
		_, err = c.Checkpoint(ctx)
	}
	if off, at, ok := c.ClockOffset(); ok {
		if cerr := s.RecordClockOffset(ctx, off, at); cerr != nil {
			log.Warn("record clock offset", "err", cerr)
		}
	}
	return err
}

func (l *Link) roundOver(online bool, err error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.online = online
	if err == nil {
		l.last, l.err = time.Now(), ""
	} else {
		l.err = err.Error()
	}
	close(l.rounds)
	l.rounds = make(chan struct{})
}

// URL is the centre's URL.
func (l *Link) URL() string { return l.url }

// Online reports whether the centre answered the last round.
func (l *Link) Online() bool { l.mu.Lock(); defer l.mu.Unlock(); return l.online }

// LastSync is when the last round that went through ended.
func (l *Link) LastSync() time.Time { l.mu.Lock(); defer l.mu.Unlock(); return l.last }

// LastError is the last round's error, "" when it went through.
func (l *Link) LastError() string { l.mu.Lock(); defer l.mu.Unlock(); return l.err }

// First is closed when the first round is over (the clock is measured).
func (l *Link) First() <-chan struct{} { return l.first }

// RoundDone returns a channel closed at the end of the next round (or of
// the round in progress).
func (l *Link) RoundDone() <-chan struct{} { l.mu.Lock(); defer l.mu.Unlock(); return l.rounds }

// RetryNow asks for a round at once.
func (l *Link) RetryNow() {
	select {
	case l.poke <- struct{}{}:
	default:
	}
}
