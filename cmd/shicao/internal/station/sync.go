package station

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// Client returns a client for the centre at url, signing every request
// with the station's key. hc may be nil (a 60 s timeout).
func (s *Station) Client(url string, hc *http.Client) (*examsync.Client, error) {
	return examsync.NewClient(url, s.cfg.Name, s.cfg.SignerKey, hc)
}

// SyncOptions is what a person asks of one sync round.
type SyncOptions struct {
	// CA is the CA file the client trusts for the centre's TLS ("" for
	// the system's); it is remembered with the URL once the centre has
	// answered, so that a later round reaches the same centre the same
	// way.
	CA string
	// Since, if not negative, pulls the standards published after this
	// number instead of after where the last pull stopped.
	Since int64
	// CentreRestored: the centre was restored from a backup and lost
	// results (its operator says so); send every result again and start
	// from its log as it is now.
	CentreRestored bool
}

// SyncReport is what one sync round did, step by step; a step the round
// did not reach is zero (nil).
type SyncReport struct {
	// Restored: the round started over from a restored centre
	// (SyncOptions.CentreRestored), putting Resent results back on the
	// queue.
	Restored bool
	Resent   int
	// Upload is the outbox's round (nil if it could not start).
	Upload *examsync.Report
	// Log is the checkpoint of the centre's log the station holds now,
	// verified to extend the one it held.
	Log *examsync.Checkpoint
	// ClockOffset is the station's offset from the centre's clock
	// (centre minus station), when ClockMeasured.
	ClockOffset   time.Duration
	ClockMeasured bool
	// Pull is what came down: standards, plans, the registry.
	Pull *examsync.PullReport
	// Drills is what came of calibration drills: drills installed,
	// calibration records sent (drill_sync.go).
	Drills *DrillSync
	// Queued counts the results still queued after the round.
	Queued int
}

// Changed counts what the round changed: results sent or parked, a
// vocabulary and standards installed, plans received, a registry
// installed.
func (r *SyncReport) Changed() int {
	n := 0
	if r.Upload != nil {
		n += len(r.Upload.Sent) + len(r.Upload.Parked)
	}
	if r.Pull != nil {
		n += len(r.Pull.Installed) + len(r.Pull.Plans)
		if r.Pull.Registry != 0 {
			n++
		}
		if r.Pull.Vocabulary != 0 {
			n++
		}
	}
	if r.Drills != nil {
		n += len(r.Drills.Installed) + r.Drills.Sent + r.Drills.Refused
	}
	return n
}

// ErrNoCentreKey is returned by Sync when no centre key is pinned.
var ErrNoCentreKey = errors.New("the exam centre's key is not pinned: run shicao station centre set KEY.pub")

// Sync is one sync round with the centre c reaches: upload the outbox
// (every queued row: a person asked), check that the centre's log extends
// the checkpoint the station holds, pull standards, plans and the
// registry through the station's own rules, and record the clock offset
// the answers measured. The centre's URL and opt.CA are remembered once
// the centre answered with something its key signed, so that a mistyped
// URL never replaces the one that works.
//
// It returns what it did even with an error: ErrNoCentreKey, "upload: …",
// "checkpoint: …", a log that does not extend the checkpoint held
// (examsync.ErrForked among others; an alarm is raised), or "pull: …".
func (s *Station) Sync(ctx context.Context, c *examsync.Client, opt SyncOptions) (*SyncReport, error) {
	rep := &SyncReport{}
	st := s.st
	centreKey, err := st.CentreKey(ctx)
	if errors.Is(err, store.ErrNotFound) {
		return rep, ErrNoCentreKey
	}
	if err != nil {
		return rep, err
	}
	link, err := st.CentreLink(ctx)
	if err != nil {
		return rep, err
	}
	if opt.CentreRestored {
		if rep.Resent, err = s.centreRestored(ctx, c.BaseURL, &link); err != nil {
			return rep, err
		}
		rep.Restored = true
	}
	up := &examsync.Uploader{Outbox: st.SyncOutbox(), Client: c, CentreKey: centreKey, Eager: true}
	rep.Upload, err = up.Round(ctx)
	if err != nil {
		return rep, fmt.Errorf("upload: %w", err)
	}
	if err := s.checkLog(ctx, c, centreKey, opt.CA, &link, rep); err != nil {
		return rep, err
	}
	since := link.Cursor
	if opt.Since >= 0 {
		since = opt.Since
	}
	rep.Pull, err = examsync.Pull(ctx, c, centreKey, s, heldState{st}, since)
	if rep.Pull == nil {
		rep.Pull = &examsync.PullReport{Next: since}
	}
	// The clock offset from the centre, for the readiness gate.
	if off, at, ok := c.ClockOffset(); ok {
		if cerr := s.RecordClockOffset(ctx, off, at); cerr != nil && err == nil {
			err = cerr
		}
		rep.ClockOffset, rep.ClockMeasured = off, true
	}
	link.Cursor = rep.Pull.Next
	if serr := st.SetCentreLink(ctx, link); serr != nil && err == nil {
		err = serr
	}
	if err != nil {
		return rep, fmt.Errorf("pull: %w", err)
	}
	// After the standards: a drill needs the standard it was recorded under.
	if rep.Drills, err = s.SyncDrills(ctx, c); err != nil {
		return rep, err
	}
	queued, err := st.Outbox(ctx, store.OutboxQueued)
	rep.Queued = len(queued)
	return rep, err
}

// centreRestored starts over from a centre restored from a backup: it
// forgot what came after the backup, so its log no longer extends the
// checkpoint held and every sync would stop there. A person who knows
// this sends everything again (the centre answers what it still holds
// with the same receipt and logs what it lost anew). The old checkpoint
// is kept in an alarm and the old receipts in the store, as evidence.
func (s *Station) centreRestored(ctx context.Context, url string, link *store.CentreLink) (int, error) {
	n, err := s.st.ResendAll(ctx)
	if err != nil {
		return 0, err
	}
	if err := s.st.Alarm(ctx, "centre-restored", url, fmt.Sprintf("a person said the centre was restored from a backup; %d results are sent again; the checkpoint held before:\n%s", n, link.Checkpoint)); err != nil {
		return 0, err
	}
	link.Checkpoint = nil
	return n, s.st.SetCentreLink(ctx, *link)
}

// checkLog checks that the centre's newest checkpoint (from the round's
// receipts, or asked for) extends the one held, and remembers the URL,
// the CA and the checkpoint to hold from now on.
func (s *Station) checkLog(ctx context.Context, c *examsync.Client, centreKey, ca string, link *store.CentreLink, rep *SyncReport) error {
	latest := rep.Upload.Latest()
	if latest == nil {
		b, err := c.Checkpoint(ctx)
		if err != nil {
			return fmt.Errorf("checkpoint: %w", err)
		}
		if latest, err = examsync.OpenCheckpoint(b, centreKey); err != nil {
			return err
		}
	}
	// The centre answered with something its key signed: remember how
	// it was reached.
	link.URL, link.CA = c.BaseURL, ca
	if err := s.st.SetCentreLink(ctx, *link); err != nil {
		return err
	}
	keep, err := c.CheckLog(ctx, centreKey, link.Checkpoint, latest)
	if err != nil {
		_ = s.st.Alarm(ctx, "centre-log", c.BaseURL, err.Error())
		return fmt.Errorf("the centre's log: %w; the centre lost or rewrote results this station holds receipts for: tell its operator; if it was restored from a backup, run shicao station sync --centre-restored once", err)
	}
	link.Checkpoint = keep.Signed
	if err := s.st.SetCentreLink(ctx, *link); err != nil {
		return err
	}
	rep.Log = keep
	return nil
}

// heldState tells the pull what the station holds already.
type heldState struct{ st *store.Store }

func (h heldState) PlanSigned(ctx context.Context, id string) ([]byte, error) {
	p, err := h.st.PlanByID(ctx, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return p.Signed, err
}

func (h heldState) RegistryVersion(ctx context.Context) (int64, error) {
	return h.st.RegistryVersion(ctx)
}
