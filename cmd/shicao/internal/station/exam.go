package station

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
	examsync "shicao/sync"
)

// Exam is one candidate's attempt at a paper, from the examiners' sign-in
// to the signed result. Its methods are the workflow's steps; each refuses
// (with a *Refusal) what the rules forbid.
type Exam struct {
	s         *Station
	plan      store.Plan
	bp        *standards.Blueprint
	examiners []SignedIn
	candidate *store.Candidate
	attemptID string
	seed      string
	drawn     []Drawn
	items     map[string]*Item // by subject
	result    *Saved
	resuming  *Item    // the item left running by a crash, until Continue or Void
	expect    []string // examiners who must sign in again to resume
	identity  *examsync.Identity
	photo     []byte        // the card's photo: stays on the station
	terms     examsync.Plan // the signed plan's declarations, substitutions, institutions
	training  bool          // training mode: a training result, live feedback (training.go)

	armed     *standards.Reference // the reference check waiting for a reading (guarded by s.refMu)
	refPassed map[string]float64   // reference checks passed: their readings (guarded by s.refMu)
	refDone   chan error           // the armed check's outcome, once (StartReference; guarded by s.refMu)
	gated     bool                 // the readiness gate passed (the first item started)
}

// SignedIn is an examiner signed in for this exam, with the certificate
// that entitles them.
type SignedIn struct {
	Examiner    store.Examiner
	Certificate store.Certificate
}

// Drawn is the item drawn for one subject.
type Drawn struct {
	Subject  string
	Standard *standards.Standard
	Pool     []string
}

// NewExam opens an exam under a plan: the plan must be for this station's
// site and for today, and a version of its blueprint installed and in
// force today (the one the paper is scored by).
func (s *Station) NewExam(ctx context.Context, planID string) (*Exam, error) {
	plan, err := s.st.PlanByID(ctx, planID)
	if errors.Is(err, store.ErrNotFound) {
		return nil, refuse("plan-unknown", "考试计划 %s 不存在：请先同步或导入考试计划", "exam plan %s is not known here: sync or import the plans first", planID)
	}
	if err != nil {
		return nil, err
	}
	if plan.Site != s.cfg.Site {
		return nil, refuse("plan-site", "考试计划 %s 属于考点 %s，本站在考点 %s（考培分离：不得异地考试）", "exam plan %s is for site %s; this station stands at %s", plan.ID, plan.Site, s.cfg.Site)
	}
	training := s.Training()
	if training && !s.TrainingSite() {
		// Switched to training mode on another day, and today's plan
		// arrived since: no training on an exam day.
		if ref, err := s.examDay(ctx); err != nil {
			return nil, err
		} else if ref != nil {
			return nil, ref
		}
	}
	if today := s.Today().String(); plan.Date != today && !training {
		return nil, refuse("plan-date", "考试计划 %s 的考试日期是 %s，今天是 %s", "exam plan %s is for %s; today is %s", plan.ID, plan.Date, today)
	}
	bp, err := s.blueprint(ctx, plan.Blueprint)
	if err != nil {
		return nil, err
	}
	if ref := notUsable(bp.Span(), bp.ID, s.Today()); ref != nil {
		return nil, ref
	}
	return &Exam{s: s, plan: plan, bp: bp, items: map[string]*Item{}, terms: planTerms(plan.Signed), training: training}, nil
}

// Plan returns the exam's plan.
func (e *Exam) Plan() store.Plan { return e.plan }

// Blueprint returns the paper's blueprint.
func (e *Exam) Blueprint() *standards.Blueprint { return e.bp }

// Examiners returns those signed in, the chief (主考) first.
func (e *Exam) Examiners() []SignedIn { return e.examiners }

// Candidate returns the verified candidate, or nil.
func (e *Exam) Candidate() *store.Candidate { return e.candidate }

// AttemptID returns the attempt's id (empty before the candidate is verified).
func (e *Exam) AttemptID() string { return e.attemptID }

// RequiredExaminers is how many examiners must sign in: the most any of
// the paper's standards asks for (two by default, as the sheets say).
func (e *Exam) RequiredExaminers(ctx context.Context) int {
	n := 2
	for _, subj := range e.bp.Subjects {
		for _, id := range subj.Pool {
			if std, err := e.s.standard(ctx, id); err == nil && std.Examiners > n {
				n = std.Examiners
			}
		}
	}
	return n
}

// examinerLabel names an examiner in a refusal: their name and masked ID
// number (an ID number is never shown whole), or the masked ID alone.
func (s *Station) examinerLabel(ctx context.Context, id string) string {
	if ex, err := s.st.ExaminerByID(ctx, id); err == nil {
		return ex.Name + " " + MaskID(id)
	}
	return MaskID(id)
}

// SignIn signs an examiner in with their PIN. It refuses an examiner not
// on the plan, a wrong PIN (locking the examiner out after repeated
// failures), one without an operation certificate of the plan's
// category valid today (持证上岗, mandatory from 2024-07-01), and the
// exam's own candidate (examiner-is-candidate: an examiner signing in
// after the candidate was verified, or again to resume an attempt).
func (e *Exam) SignIn(ctx context.Context, examinerID, pin string) (*SignedIn, error) {
	s := e.s
	ex, err := s.checkPIN(ctx, examinerID, pin, func(ex store.Examiner) error {
		for _, x := range e.examiners {
			if x.Examiner.ID == examinerID {
				return refuse("examiner-twice", "考评员 %s 已登录", "examiner %s is already signed in", s.examinerLabel(ctx, examinerID))
			}
		}
		if e.candidate != nil && sameIDNumber(e.candidate.IDNumber, ex.ID) {
			return refuse("examiner-is-candidate", "考评员 %s（%s）是本场考生，不得考评自己", "examiner %s (%s) is this exam's candidate and may not examine themself",
				ex.Name, MaskID(e.candidate.IDNumber))
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if !slices.Contains(e.plan.Examiners, examinerID) {
		// A substitute on the day is on the plan only once the centre
		// approved them (a re-issued plan, signed, with the substitution).
		return nil, refuse("examiner-not-on-plan", "考评员 %s（%s）未列入考试计划 %s：临时替换考评员须经考务中心批准并重新下发考试计划", "examiner %s (%s) is not on exam plan %s: a substitute needs the centre's approval on a re-issued plan",
			ex.Name, MaskID(examinerID), e.plan.ID)
	}
	if e.candidate != nil {
		if ref := e.recused(ex.ID, ex.Name, e.candidate.IDNumber); ref != nil {
			return nil, ref
		}
	}
	cert, why := validCertificate(ex, e.plan.Category, e.s.Today())
	if why != nil {
		return nil, why
	}
	e.examiners = append(e.examiners, SignedIn{Examiner: ex, Certificate: cert})
	return &e.examiners[len(e.examiners)-1], nil
}

// validCertificate returns the examiner's certificate of the category
// valid on day, or the reason there is none.
func validCertificate(ex store.Examiner, category string, day standards.Date) (store.Certificate, *Refusal) {
	var expired *store.Certificate
	for i, c := range ex.Certificates {
		if c.Category != category {
			continue
		}
		from, err1 := standards.ParseDate(c.ValidFrom)
		to, err2 := standards.ParseDate(c.ValidTo)
		if err1 != nil || err2 != nil {
			continue
		}
		if !day.Before(from) && !to.Before(day) {
			return c, nil
		}
		expired = &ex.Certificates[i]
	}
	if expired != nil {
		return store.Certificate{}, refuse("cert-expired", "考评员 %s 的%s操作证（%s）有效期为 %s 至 %s，今天不在有效期内", "examiner %s's %s certificate %s is valid %s to %s, not today",
			ex.Name, category, expired.Number, expired.ValidFrom, expired.ValidTo)
	}
	return store.Certificate{}, refuse("cert-category", "考评员 %s 没有%s操作证，不能考评该作业类别（持证上岗）", "examiner %s holds no %s certificate and may not examine this category", ex.Name, category)
}

// VerifyCandidate checks the candidate's 身份证号 and finds them on the
// plan; it starts the attempt. Besides an invalid number and a candidate
// not on the plan, it refuses one of the signed-in examiners
// (candidate-is-examiner: nobody examines themself), a candidate who
// already has a signed result on this plan for the same attempt number
// (candidate-examined: each attempt — 正考, 补考 — is examined once; a
// further one is the centre's to schedule), and a candidate with an item
// still running on this plan (candidate-unfinished: that attempt is
// resumed or voided first, or it too could end in a second result).
func (e *Exam) VerifyCandidate(ctx context.Context, idNumber string) (*store.Candidate, error) {
	if need := e.RequiredExaminers(ctx); len(e.examiners) < need {
		return nil, refuse("examiners-missing", "需要%d名考评员登录，已登录%d名", "%d examiners must sign in; %d have", need, len(e.examiners))
	}
	id, bad := validIDNumber(idNumber)
	if bad != nil {
		return nil, bad
	}
	var c *store.Candidate
	for i := range e.plan.Candidates {
		if e.plan.Candidates[i].IDNumber == id {
			c = &e.plan.Candidates[i]
			break
		}
	}
	if c == nil {
		return nil, refuse("candidate-not-on-plan", "身份证号 %s 的考生不在考试计划 %s 中", "no candidate with identity number %s is on exam plan %s", MaskID(id), e.plan.ID)
	}
	for _, x := range e.examiners {
		if sameIDNumber(x.Examiner.ID, id) {
			return nil, refuse("candidate-is-examiner", "考生 %s（%s）是已登录的考评员，考评员不得考评自己", "candidate %s (%s) is a signed-in examiner, and an examiner may not examine themself",
				c.Name, MaskID(id))
		}
	}
	for _, x := range e.examiners {
		if ref := e.recused(x.Examiner.ID, x.Examiner.Name, id); ref != nil {
			return nil, ref
		}
	}
	attempt := max(c.Attempt, 1)
	// A trainee practises as often as they like: in training mode there
	// is no once-per-attempt rule.
	if prior, err := e.s.resultFor(ctx, e.plan.ID, id, attempt); err != nil {
		return nil, err
	} else if prior != "" && !e.training {
		return nil, &Refusal{Code: "candidate-examined",
			ZH: fmt.Sprintf("考生 %s（%s）已有本计划第%d次考试的成绩 %s，不能再考：补考须由考务中心另行安排", c.Name, MaskID(id), attempt, prior),
			EN: fmt.Sprintf("candidate %s (%s) already has a result on plan %s for attempt %d: %s; another attempt must be scheduled by the centre", c.Name, MaskID(id), e.plan.ID, attempt, prior)}
	}
	if open, err := e.s.interruptedFor(ctx, e.plan.ID, id); err != nil {
		return nil, err
	} else if open != "" {
		return nil, refuse("candidate-unfinished", "考生 %s（%s）在本计划有未完成的考试 %s：请先恢复该考试，或写明理由作废", "candidate %s (%s) has an unfinished attempt %s on this plan: resume it, or void it with a reason, first",
			c.Name, MaskID(id), open)
	}
	e.candidate = c
	e.attemptID = attemptID()
	return e.candidate, nil
}

// sameIDNumber compares two 身份证号 as ValidIDNumber normalises them
// (an examiner's id is their 身份证号, written with x or X).
func sameIDNumber(a, b string) bool {
	return strings.EqualFold(strings.TrimSpace(a), strings.TrimSpace(b))
}

// resultFor returns the id of the candidate's signed result on the plan
// for that attempt number, or "". The results table does not keep the
// attempt number, so it is read from the signed document the station
// wrote; a result whose document cannot be read counts, since letting
// the candidate through on a doubt would allow a second result.
func (s *Station) resultFor(ctx context.Context, planID, idNumber string, attempt int) (string, error) {
	results, err := s.st.ResultsFor(ctx, planID, idNumber)
	if err != nil {
		return "", fmt.Errorf("look up the candidate's results: %w", err)
	}
	for _, r := range results {
		var doc struct {
			Candidate examsync.CandidateRef `json:"candidate"`
		}
		if json.Unmarshal(standards.SplitNote(r.Signed), &doc) != nil || max(doc.Candidate.Attempt, 1) == attempt {
			return r.ID, nil
		}
	}
	return "", nil
}

// interruptedFor returns the id of the candidate's attempt on the plan
// with an item still running (left so by a crash, or under way), or "".
func (s *Station) interruptedFor(ctx context.Context, planID, idNumber string) (string, error) {
	running, err := s.st.Sessions(ctx, store.SessionRunning)
	if err != nil {
		return "", fmt.Errorf("look up interrupted attempts: %w", err)
	}
	for _, x := range running {
		if x.PlanID == planID && sameIDNumber(x.Candidate, idNumber) {
			return x.AttemptID, nil
		}
	}
	return "", nil
}

// attemptID returns a fresh random id: an attempt's id is its result's id
// and the centre's idempotency key, so it must never repeat, whatever the
// clock says.
func attemptID() string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("station: no randomness for an attempt id: %v", err))
	}
	return hex.EncodeToString(b)
}

// MaskID hides the middle of an identity number on screens and logs.
func MaskID(id string) string {
	if len(id) != 18 {
		return id
	}
	return id[:6] + "********" + id[14:]
}

// Draw draws one item per subject from the blueprint's pools (抽题). The
// draw is a pure function of the seed, which every item's log records, so
// anyone can repeat it. An empty seed draws a fresh random one.
func (e *Exam) Draw(ctx context.Context, seed string) ([]Drawn, error) {
	if e.candidate == nil {
		return nil, refuse("no-candidate", "请先核验考生身份", "verify the candidate first")
	}
	if e.drawn != nil {
		return nil, refuse("drawn-twice", "本场已抽题，不能重抽", "the items are drawn already; a draw is never repeated")
	}
	if seed == "" {
		b := make([]byte, 16)
		if _, err := rand.Read(b); err != nil {
			return nil, err
		}
		seed = hex.EncodeToString(b)
	}
	var drawn []Drawn
	for _, subj := range e.bp.Subjects {
		// Each pool item by its version in force today: a version
		// published ahead of its date waits, an expired one is not drawn.
		var usable []string
		var stds []*standards.Standard
		for _, id := range subj.Pool {
			std, err := e.s.standard(ctx, id)
			if err != nil || std.UsableOn(e.s.Today()) != nil {
				continue
			}
			usable = append(usable, id)
			stds = append(stds, std)
		}
		if len(usable) == 0 {
			return nil, refuse("pool-empty", "科目 %s 的题库中没有本站已安装且现行的评分标准", "subject %s has no installed standard in force to draw from", subj.ID)
		}
		pick := DrawIndex(seed, subj.ID, len(usable))
		drawn = append(drawn, Drawn{Subject: subj.ID, Standard: stds[pick], Pool: usable})
	}
	e.seed, e.drawn = seed, drawn
	return drawn, nil
}

// DrawIndex is the draw: the first 8 bytes of SHA-256(seed "|" subject),
// modulo the pool size.
func DrawIndex(seed, subject string, n int) int {
	h := sha256.Sum256([]byte(seed + "|" + subject))
	return int(binary.BigEndian.Uint64(h[:8]) % uint64(n))
}

// Drawn returns the drawn items, in subject order.
func (e *Exam) Drawn() []Drawn { return e.drawn }

// Seed returns the draw's seed.
func (e *Exam) Seed() string { return e.seed }

// Item returns a subject's item once started.
func (e *Exam) Item(subject string) *Item { return e.items[subject] }

// notUsable refuses a standard or blueprint whose own dates do not allow
// it on day d (not yet effective, or expired), or returns nil.
func notUsable(sp standards.Span, id string, d standards.Date) *Refusal {
	if d.Before(sp.Effective) {
		return refuse("standard-not-in-force", "%s 第%d版 %s 起施行，今天不能使用", "%s version %d is not in force until %s", id, sp.Version, sp.Effective)
	}
	if sp.ExpiredOn(d) {
		return refuse("standard-not-in-force", "%s 第%d版已于 %s 后废止，今天不能使用", "%s version %d expired after %s", id, sp.Version, sp.Expires)
	}
	return nil
}
