package station

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// Interrupted is an item that was running when the station stopped (a
// crash, a power cut): its session and where its log ends.
type Interrupted struct {
	Session  store.Session
	Events   int64
	LastT    int64     // t_ms of the last event
	LastWall time.Time // when it was written
}

// Interrupted lists the items left running.
func (s *Station) Interrupted(ctx context.Context) ([]Interrupted, error) {
	running, err := s.st.Sessions(ctx, store.SessionRunning)
	if err != nil {
		return nil, err
	}
	var out []Interrupted
	for _, sess := range running {
		evs, err := s.st.Events(ctx, sess.ID)
		if err != nil {
			return nil, err
		}
		in := Interrupted{Session: sess, Events: int64(len(evs))}
		if n := len(evs); n > 0 {
			in.LastT, in.LastWall = evs[n-1].TMs, time.UnixMilli(evs[n-1].WallMs)
		}
		out = append(out, in)
	}
	return out, nil
}

// ResumeExam reopens an interrupted attempt from what the store holds:
// the plan, the candidate, the draw, every item's log. Nothing committed
// is lost. The examiners recorded in the log must sign in again (PINs are
// never kept); then Continue goes on with the running item, or Void ends
// the attempt with a reason.
func (s *Station) ResumeExam(ctx context.Context, attemptID string) (*Exam, error) {
	sessions, err := s.st.Sessions(ctx, "")
	if err != nil {
		return nil, err
	}
	var mine []store.Session
	for _, x := range sessions {
		if x.AttemptID == attemptID {
			mine = append(mine, x)
		}
	}
	if len(mine) == 0 {
		return nil, refuse("attempt-unknown", "没有考试记录 %s", "no attempt %s is recorded here", attemptID)
	}
	plan, err := s.st.PlanByID(ctx, mine[0].PlanID)
	if err != nil {
		return nil, fmt.Errorf("attempt %s: plan %s: %w", attemptID, mine[0].PlanID, err)
	}
	bp, err := s.blueprint(ctx, plan.Blueprint)
	if err != nil {
		return nil, err
	}
	e := &Exam{s: s, plan: plan, bp: bp, items: map[string]*Item{}, attemptID: attemptID, terms: planTerms(plan.Signed)}
	for i := range plan.Candidates {
		if plan.Candidates[i].IDNumber == mine[0].Candidate {
			e.candidate = &plan.Candidates[i]
		}
	}
	if e.candidate == nil {
		return nil, fmt.Errorf("attempt %s: candidate is no longer on plan %s", attemptID, plan.ID)
	}
	for _, sess := range mine {
		it, start, seed, err := e.loadItem(ctx, sess)
		if err != nil {
			return nil, err
		}
		e.seed = seed
		e.expect = start.Examiners
		e.training = e.training || start.Purpose == examsync.PurposeTraining
		e.items[sess.Subject] = it
		if sess.State == store.SessionRunning {
			e.resuming = it
		}
	}
	// The draw is a function of the seed: redo it and check it against
	// the items the logs recorded.
	for _, subj := range bp.Subjects {
		var usable []string
		for _, id := range subj.Pool {
			if std, err := s.standard(ctx, id); err == nil && std.UsableOn(s.Today()) == nil {
				usable = append(usable, id)
			}
		}
		d := Drawn{Subject: subj.ID, Pool: usable}
		if it := e.items[subj.ID]; it != nil {
			d.Standard = it.Std
		} else if len(usable) > 0 {
			std, err := s.standard(ctx, usable[DrawIndex(e.seed, subj.ID, len(usable))])
			if err != nil {
				return nil, err
			}
			d.Standard = std
		}
		e.drawn = append(e.drawn, d)
	}
	return e, nil
}

type startData struct {
	Item      string   `json:"item"`
	Version   int      `json:"version"`
	Examiners []string `json:"examiners"`
	Purpose   string   `json:"purpose"` // examsync.PurposeTraining: a training attempt
}

// loadItem rebuilds an item from its stored log.
func (e *Exam) loadItem(ctx context.Context, sess store.Session) (*Item, startData, string, error) {
	var start startData
	std, err := e.s.StandardVersion(ctx, sess.Standard, sess.Version)
	if err != nil {
		return nil, start, "", err
	}
	evs, err := e.s.st.Events(ctx, sess.ID)
	if err != nil {
		return nil, start, "", err
	}
	if _, err := e.s.st.VerifyChain(ctx, sess.ID); err != nil {
		return nil, start, "", err
	}
	it := &Item{exam: e, Subject: sess.Subject, Std: std, Session: sess.ID, score: scoring.NewSession(std), confirmed: map[string]bool{}}
	seed := ""
	for _, a := range evs {
		if err := it.score.Add(&a.Event); err != nil {
			return nil, start, "", fmt.Errorf("session %d: %w", sess.ID, err)
		}
		it.lastT = a.TMs
		switch a.Type {
		case standards.TypeSessionStart:
			_ = json.Unmarshal(a.Data, &start)
		case "draw":
			var d struct{ Seed string }
			_ = json.Unmarshal(a.Data, &d)
			seed = d.Seed
		case "identity.card", "identity.manual":
			var id examsync.Identity
			if json.Unmarshal(a.Data, &id) == nil {
				e.identity = &id
			}
		case "device.status":
			var d struct{ Kind, Model, Serial, Firmware string }
			_ = json.Unmarshal(a.Data, &d)
			it.Devices = append(it.Devices, Device{Kind: d.Kind, Model: d.Model, Serial: d.Serial, Firmware: d.Firmware, Connected: true})
		case standards.TypeSessionEnd:
			it.ended = true
		case standards.TypeMark, standards.TypeMarkUndo, standards.TypeReviewResolve:
			it.sheetChanged() // as when it was recorded
		case "confirm":
			var d struct{ Examiner string }
			_ = json.Unmarshal(a.Data, &d)
			it.confirmed[d.Examiner] = true
		case standards.TypeCandidateAck:
			var d struct{ Accepted bool }
			_ = json.Unmarshal(a.Data, &d)
			acc := d.Accepted
			it.acked = &acc
		}
	}
	it.done = sess.State == store.SessionFinished
	it.base, it.started = it.lastT, e.s.examNow()
	return it, start, seed, nil
}

// Resuming returns the item that was running when the station stopped.
func (e *Exam) Resuming() *Item { return e.resuming }

// ExpectedExaminers returns who must sign in again to resume.
func (e *Exam) ExpectedExaminers() []string { return e.expect }

// Continue goes on with the interrupted item once its examiners have
// signed in again. The log records the interruption (session.resume with
// how long the station was down); the item's clock resumes where its log
// ended, so the candidate is not charged for the outage.
func (e *Exam) Continue(ctx context.Context) (*Item, error) {
	it := e.resuming
	if it == nil {
		return nil, refuse("nothing-to-resume", "没有中断的考题", "no item was interrupted")
	}
	for _, id := range e.expect {
		if !slices.ContainsFunc(e.examiners, func(x SignedIn) bool { return x.Examiner.ID == id }) {
			return nil, refuse("resume-signin", "继续考试前，本题的考评员须重新登录（%s 未登录）", "the item's examiners must sign in again before it continues (%s has not)", id)
		}
	}
	evs, err := e.s.st.Events(ctx, it.Session)
	if err != nil {
		return nil, err
	}
	down := int64(0)
	if n := len(evs); n > 0 {
		down = max(e.s.now().UnixMilli()-evs[n-1].WallMs, 0)
	}
	it.mu.Lock()
	defer it.mu.Unlock()
	it.base, it.started = it.lastT, e.s.examNow()
	it.startScorer()
	if _, err := it.append(ctx, "session.resume", "system", map[string]any{"down_ms": down, "reason": "station restarted"}); err != nil {
		return nil, err
	}
	it.down = time.Duration(down) * time.Millisecond
	e.resuming = nil
	e.s.setLive(it)
	return it, nil
}

// Down returns how long the station was down before Continue resumed
// the item, by the wall clock (0 for an item never interrupted).
func (it *Item) Down() time.Duration {
	it.mu.Lock()
	defer it.mu.Unlock()
	return it.down
}

// Void ends the interrupted attempt without a result: the running item's
// log is closed with the reason and the session marked voided. The
// candidate is examined again later under the plan.
func (e *Exam) Void(ctx context.Context, reason string) error {
	if reason == "" {
		return refuse("reason-missing", "作废须写明理由", "voiding needs a written reason")
	}
	it := e.resuming
	if it == nil {
		return refuse("nothing-to-resume", "没有中断的考题", "no item was interrupted")
	}
	it.mu.Lock()
	it.startScorer()
	err := it.finishLocked(ctx, "voided: "+reason)
	it.stopScorer()
	it.mu.Unlock()
	if err != nil {
		return err
	}
	for _, x := range e.items {
		if !x.Done() {
			if err := e.s.st.SetSessionState(ctx, x.Session, store.SessionVoided, reason); err != nil {
				return err
			}
		}
	}
	e.resuming = nil
	return nil
}
