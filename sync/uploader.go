package sync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	gosync "sync"
	"time"
)

// Row is a result waiting in the station's outbox: its id and the exact
// bytes to send. Body is nil when the outbox is a BodyReader: the
// uploader reads the bytes when it sends the row.
type Row struct {
	ResultID string
	Body     []byte
	Attempts int // failed attempts so far
}

// Outbox is the station's durable queue of results (the store implements
// it). A row leaves the queue only by MarkSent, with a verified receipt,
// or by Park, with the centre's reason.
type Outbox interface {
	Due(ctx context.Context, now time.Time) ([]Row, error)
	Retry(ctx context.Context, resultID string, next time.Time, reason string) error
	Park(ctx context.Context, resultID, reason string) error
	MarkSent(ctx context.Context, resultID string, receipt []byte, index int64) error
}

// BodyReader is an Outbox whose Due leaves Row.Body nil and reads a
// row's bytes on demand, so that a round holds the body it is sending,
// not every queued body (a station holds thousands of results of
// hundreds of KB).
type BodyReader interface {
	Body(ctx context.Context, resultID string) ([]byte, error)
}

// Backoff is capped exponential backoff with jitter: the n-th retry
// waits between half and all of min(Cap, Base·2^n), so stations that lost
// the centre together do not come back together.
type Backoff struct {
	Base, Cap time.Duration
	// Rand returns a number in [0, 1) (tests inject one).
	Rand func() float64
}

// DefaultBackoff starts at 2 s and never waits more than 5 minutes.
var DefaultBackoff = Backoff{Base: 2 * time.Second, Cap: 5 * time.Minute}

// Delay returns the wait before retry number attempts+1.
func (b Backoff) Delay(attempts int) time.Duration {
	d := b.Cap
	if attempts < 32 && b.Base<<attempts < b.Cap && b.Base<<attempts > 0 {
		d = b.Base << attempts
	}
	r := rand.Float64
	if b.Rand != nil {
		r = b.Rand
	}
	return d/2 + time.Duration(r()*float64(d/2))
}

// Uploader sends the outbox to the centre. It sends the stored bytes,
// retries transient failures with Backoff (the next time is stored in the
// outbox, so it survives a restart), parks results the centre refuses for
// good with its reason, and marks a result sent only when the centre's
// receipt verifies against the centre key.
type Uploader struct {
	Outbox    Outbox
	Client    *Client
	CentreKey string
	Backoff   Backoff
	// Now is the clock (tests inject one).
	Now    func() time.Time
	Logger *slog.Logger
	// Eager tries every queued row, whatever its retry time: a person
	// asked for a round now (shicao station sync).
	Eager bool
	// Parallel is how many uploads are in flight at once once the centre
	// has answered (DefaultParallel when 0).
	Parallel int
	// Poke, if set, starts a round of Run at once when it receives (a
	// person pressed "retry now"), whatever Run was waiting for.
	Poke <-chan struct{}
	// OnRound, if set, is told by Run of every round's report and error
	// before it waits for the next: the station's status (online, last
	// sync, last error) and its clock measure come from it. It runs on
	// Run's goroutine; the next round waits for it.
	OnRound func(ctx context.Context, rep *Report, err error)
}

// Sent is a result the centre logged, with its verified receipt.
type Sent struct {
	ResultID   string
	Index      int64
	Checkpoint *Checkpoint
}

// Failed is a result not sent this time, and why.
type Failed struct {
	ResultID string
	Reason   string    // the text stored with the row
	Next     time.Time // for a retry
	// Err is the cause, for callers that branch on it with errors.As
	// (a *Refusal from the centre; a transport error such as
	// x509.UnknownAuthorityError when the centre's TLS is not trusted).
	Err error
}

// Report is what one round did.
type Report struct {
	Sent     []Sent
	Retrying []Failed
	Parked   []Failed
	// Unanswered counts the rows the round left queued because the
	// centre did not answer: the rows whose upload got no answer (they
	// are in Retrying too) and the due rows after them, which the round
	// did not try. It is 0 when every request was answered.
	Unanswered int
}

// Latest returns the largest checkpoint among the receipts, or nil.
func (r *Report) Latest() *Checkpoint {
	var cp *Checkpoint
	for _, s := range r.Sent {
		if cp == nil || s.Checkpoint.Size > cp.Size {
			cp = s.Checkpoint
		}
	}
	return cp
}

func (u *Uploader) now() time.Time {
	if u.Now != nil {
		return u.Now()
	}
	return time.Now()
}

func (u *Uploader) logger() *slog.Logger {
	if u.Logger != nil {
		return u.Logger
	}
	return slog.New(slog.DiscardHandler)
}

// DefaultParallel is how many uploads a round keeps in flight once the
// centre has answered: enough to overlap one upload's network and the
// centre's verification with the next, few enough that a station never
// floods its centre (300 stations share one).
const DefaultParallel = 4

// Round tries every due row once. It stops early, returning the error,
// when the context ends, the outbox cannot be read or written, or the
// centre refuses the station itself (StationRefused): no result is
// parked for a fault that is not the result's. It also stops, without an
// error, when an upload gets no answer at all (a transport error or a
// timeout, not a refusal): the rest of the round would only wait for the
// same timeout once per row. That row is rescheduled like any transient
// failure; the rows not tried keep their retry times; Report.Unanswered
// counts both.
//
// The first upload of a round goes alone; once the centre has answered,
// up to Parallel uploads are in flight (each reads its row's body when
// it starts, so a round holds at most Parallel bodies). Outcomes are
// taken in the outbox's order: rows are marked sent, rescheduled or
// parked in that order, and a row after one that got no answer is tried
// only if it was already in flight.
func (u *Uploader) Round(ctx context.Context) (*Report, error) {
	rep := &Report{}
	if u.Backoff.Base == 0 {
		u.Backoff = DefaultBackoff
	}
	due := u.now()
	if u.Eager {
		due = time.Unix(1<<40, 0)
	}
	rows, err := u.Outbox.Due(ctx, due)
	if err != nil {
		return rep, fmt.Errorf("read the outbox: %w", err)
	}
	parallel := u.Parallel
	if parallel <= 0 {
		parallel = DefaultParallel
	}
	type outcome struct {
		sent    *sentReceipt
		err     error
		readErr error // the outbox could not give the row's body
	}
	outcomes := make([]chan outcome, len(rows))
	upCtx, cancel := context.WithCancel(ctx)
	var inFlight gosync.WaitGroup
	defer func() { cancel(); inFlight.Wait() }()
	launch := func(i int) {
		outcomes[i] = make(chan outcome, 1)
		inFlight.Add(1)
		go func(row Row) {
			defer inFlight.Done()
			if br, ok := u.Outbox.(BodyReader); ok && row.Body == nil {
				var err error
				if row.Body, err = br.Body(upCtx, row.ResultID); err != nil {
					outcomes[i] <- outcome{readErr: err}
					return
				}
			}
			sent, err := u.send(upCtx, row)
			outcomes[i] <- outcome{sent, err, nil}
		}(rows[i])
	}
	limit, launched, stopped := 1, 0, false
	for i, row := range rows {
		if err := ctx.Err(); err != nil {
			return rep, err
		}
		for ; !stopped && launched < len(rows) && launched-i < limit; launched++ {
			launch(launched)
		}
		if i >= launched {
			break // the round stopped before this row was tried
		}
		o := <-outcomes[i]
		if o.readErr != nil {
			return rep, fmt.Errorf("read %s from the outbox: %w", row.ResultID, o.readErr)
		}
		var na *noAnswer
		if !errors.As(o.err, &na) {
			limit = parallel // the centre answers
		}
		if err := u.settle(ctx, row, o.sent, o.err, rep); err != nil {
			return rep, err
		}
		if na != nil {
			rep.Unanswered++
			stopped = true
		}
	}
	if stopped {
		rep.Unanswered += len(rows) - launched
		u.logger().Warn("the centre did not answer: round stopped", "queued", rep.Unanswered)
	}
	return rep, nil
}

// settle records one upload's outcome in the outbox and in rep: sent
// with its receipt, rescheduled (a transient failure) or parked (the
// centre refused the result). It returns the error that ends the round:
// the context's, a refused station (StationRefused), or the outbox's.
func (u *Uploader) settle(ctx context.Context, row Row, sent *sentReceipt, err error, rep *Report) error {
	if err == nil {
		if err := u.Outbox.MarkSent(ctx, row.ResultID, sent.receipt, sent.Index); err != nil {
			return fmt.Errorf("mark %s sent: %w", row.ResultID, err)
		}
		rep.Sent = append(rep.Sent, sent.Sent)
		u.logger().Info("result sent", "result", row.ResultID, "index", sent.Index)
		return nil
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	if StationRefused(err) {
		return err
	}
	if Transient(err) {
		next := u.now().Add(max(u.Backoff.Delay(row.Attempts), retryAfter(err)))
		if err := u.Outbox.Retry(ctx, row.ResultID, next, err.Error()); err != nil {
			return fmt.Errorf("reschedule %s: %w", row.ResultID, err)
		}
		rep.Retrying = append(rep.Retrying, Failed{ResultID: row.ResultID, Reason: err.Error(), Next: next, Err: err})
		u.logger().Warn("result not sent, will retry", "result", row.ResultID, "attempts", row.Attempts+1, "next", next, "err", err)
		return nil
	}
	reason := err.Error()
	var ref *Refusal
	if errors.As(err, &ref) {
		reason = ref.Code + ": " + ref.Reason
	}
	if err := u.Outbox.Park(ctx, row.ResultID, reason); err != nil {
		return fmt.Errorf("park %s: %w", row.ResultID, err)
	}
	rep.Parked = append(rep.Parked, Failed{ResultID: row.ResultID, Reason: reason, Err: err})
	u.logger().Error("result refused by the centre, parked", "result", row.ResultID, "reason", reason)
	return nil
}

type sentReceipt struct {
	Sent
	receipt []byte
}

// noAnswer is an upload that got no answer from the centre: the
// connection failed, the TLS handshake failed, or the request timed out.
// Its text is the transport's, unchanged (it is the row's stored reason).
type noAnswer struct{ err error }

func (e *noAnswer) Error() string { return e.err.Error() }
func (e *noAnswer) Unwrap() error { return e.err }

func (u *Uploader) send(ctx context.Context, row Row) (*sentReceipt, error) {
	receipt, err := u.Client.Upload(ctx, row.Body)
	if err != nil {
		// Client.do returns a *Refusal for every answer, whatever its
		// status; anything else (a transport failure, a timeout, or a
		// request that could not even be built) means no answer came,
		// and the next row would get none either.
		var ref *Refusal
		if !errors.As(err, &ref) {
			return nil, &noAnswer{err}
		}
		return nil, err
	}
	r, cp, err := VerifyReceipt(receipt, u.CentreKey, row.ResultID, u.Client.Station, row.Body)
	if err != nil {
		// A damaged answer, or a centre that answers with another key:
		// the row stays queued, and the log says why.
		return nil, err
	}
	return &sentReceipt{Sent{row.ResultID, r.Index, cp}, receipt}, nil
}

// Run sends the outbox until ctx ends: a round, OnRound, then a pause of
// poll or until Poke receives (rows not yet due wait in the outbox for
// their own time). A refused station (StationRefused) is logged and
// retried only after the backoff's cap, since a person must act first
// (or when poked, once they have). Run returns ctx's error.
func (u *Uploader) Run(ctx context.Context, poll time.Duration) error {
	for {
		rep, err := u.Round(ctx)
		wait := poll
		switch {
		case ctx.Err() != nil:
			return ctx.Err()
		case StationRefused(err):
			u.logger().Error("the centre refuses this station", "err", err)
			wait = max(poll, u.Backoff.Cap)
		case err != nil:
			u.logger().Error("sync round failed", "err", err)
		}
		if u.OnRound != nil {
			u.OnRound(ctx, rep, err)
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return ctx.Err()
		case <-t.C:
		case <-u.Poke:
			t.Stop()
		}
	}
}

// CheckLog verifies that the centre's log at newer extends the checkpoint
// the station holds (held, a signed checkpoint, or nil for none), with a
// consistency proof from the centre, and returns the checkpoint to hold
// from now on: the larger of the two. ErrForked means the centre rewrote
// its log.
func (c *Client) CheckLog(ctx context.Context, centreKey string, held []byte, newer *Checkpoint) (*Checkpoint, error) {
	if held == nil {
		return newer, nil
	}
	old, err := OpenCheckpoint(held, centreKey)
	if err != nil {
		return nil, fmt.Errorf("the checkpoint this station holds: %w", err)
	}
	if newer == nil || newer.Size < old.Size {
		newer, old = old, newer
		if old == nil {
			return newer, nil
		}
	}
	if old.Size == newer.Size {
		if old.Root != newer.Root {
			return nil, fmt.Errorf("%w (two roots for size %d)", ErrForked, old.Size)
		}
		return newer, nil
	}
	p, err := c.Consistency(ctx, old.Size, newer.Size)
	if err != nil {
		return nil, err
	}
	if err := VerifyConsistency(old, newer, p); err != nil {
		return nil, err
	}
	return newer, nil
}
