package centre

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// An appeal (申诉/复核) contests one result. Each of its states is a
// document the centre signs (KindAppeal) and appends to the Merkle log
// as a record of its own kind (examsync.AppealRecord), chained to the
// state before it by SHA-256. The result's bytes, row and receipt are
// never touched: a re-score is a new document that links the original.
//
//	filed ──assign──▶ assigned ──decide──▶ upheld | rescored | reexam
//
// The score shown for a result is always one somebody decided: the
// original while an appeal is open (marked pending) or after it is
// upheld, the re-score's after a re-score, and the original (marked
// re-exam ordered) when a re-exam is ordered.

// KindAppeal names the appeal document's version.
const KindAppeal = "shicao-appeal/1"

// Appeal states.
const (
	AppealFiled    = "filed"
	AppealAssigned = "assigned"
	AppealUpheld   = "upheld"   // the original result stands
	AppealRescored = "rescored" // a reviewer's marks re-score the same events
	AppealReexam   = "reexam"   // a re-exam (补考) is ordered
)

// DefaultAppealDays is how many days after the exam an appeal may be filed.
const DefaultAppealDays = 15

// Refusal codes of appeal commands.
const (
	CodeAppealLate     = "appeal-late"     // filed after the window
	CodeAppealOpen     = "appeal-exists"   // the result has an appeal already
	CodeAppealState    = "appeal-state"    // the step does not follow the appeal's state
	CodeAppealReviewer = "appeal-reviewer" // the reviewer examined the candidate, or is unknown
	CodeAppealMarks    = "appeal-marks"    // the reviewer's marks do not score
)

// AppealDoc is one signed state of an appeal.
type AppealDoc struct {
	Kind         string `json:"kind"`
	Appeal       string `json:"appeal"` // the appeal's id
	Seq          int    `json:"seq"`    // 1, 2, 3: the state's number
	Result       string `json:"result"`
	ResultSHA256 string `json:"result_sha256"`  // the original's exact bytes
	Prev         string `json:"prev,omitempty"` // SHA-256 of the previous state's signed bytes
	State        string `json:"state"`
	At           string `json:"at"` // RFC 3339, the centre's clock
	Reason       string `json:"reason,omitempty"`
	Reviewer     string `json:"reviewer,omitempty"` // 身份证号 of the assigned reviewer
	// Marks are the reviewer's events by subject (rescored): each is
	// an examiner event (mark, veto) of source examiner:<reviewer>.
	// Rescore appends them to the item's own device events; anyone with
	// the result bundle and this document can redo it.
	Marks map[string][]standards.Event `json:"marks,omitempty"`
	// Total and Passed are the decided score: the re-score's (rescored);
	// absent otherwise (the original's stands).
	Total  string `json:"total,omitempty"`
	Passed *bool  `json:"passed,omitempty"`
	// Attempt is the re-exam's attempt number (reexam), and Plan the
	// plan the candidate was added to ("" : none issued yet).
	Attempt int    `json:"attempt,omitempty"`
	Plan    string `json:"plan,omitempty"`
	Note    string `json:"note,omitempty"`
}

// ID is the document's id in the log: the appeal's id and the state's number.
func (d *AppealDoc) ID() string { return fmt.Sprintf("%s/%d", d.Appeal, d.Seq) }

func (c *Centre) openAppealDoc(signed []byte) (*AppealDoc, error) {
	return OpenAppealDoc(signed, c.verifier)
}

// OpenAppealDoc verifies an appeal document's signature by the centre's
// verifier key and decodes it.
func OpenAppealDoc(signed []byte, centreKey string) (*AppealDoc, error) {
	var d AppealDoc
	if err := examsync.Open(signed, centreKey, KindAppeal, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// CheckAppeal checks a verified appeal document against the exact bytes
// of the result it names, and redoes a re-score: it returns an error
// unless the document is about these bytes and, if it re-scored, the
// reviewer's events give its total and verdict.
func CheckAppeal(d *AppealDoc, bundle []byte) error {
	s := sha256.Sum256(bundle)
	if hex.EncodeToString(s[:]) != d.ResultSHA256 {
		return fmt.Errorf("the appeal is about other bytes (sha256 %s) than this result file", d.ResultSHA256)
	}
	if d.State != AppealRescored {
		return nil
	}
	res, err := Rescore(bundle, d.Marks)
	if err != nil {
		return fmt.Errorf("redo the re-score: %w", err)
	}
	if d.Passed == nil || res.Total.String() != d.Total || res.Passed != *d.Passed {
		return fmt.Errorf("redoing the re-score gives %s (passed %v), the appeal says %s", res.Total, res.Passed, d.Total)
	}
	return nil
}

// appealResult is what an appeal needs of the result it contests.
type appealResult struct {
	id, sum, date, plan, candidate string
	attempt                        int
	total                          string
	passed                         bool
	body                           []byte
	doc                            *examsync.ResultDoc
}

func (c *Centre) appealResult(ctx context.Context, q queryer, id string) (*appealResult, error) {
	r := &appealResult{id: id}
	err := q.QueryRowContext(ctx, `SELECT r.sha256, r.date, r.plan_id, r.candidate, r.attempt, r.total, r.passed, b.body FROM results r JOIN result_bodies b ON b.log_index = r.log_index WHERE r.id = ?`, id).
		Scan(&r.sum, &r.date, &r.plan, &r.candidate, &r.attempt, &r.total, &r.passed, &r.body)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, examsync.Refuse(http.StatusNotFound, "result-unknown", "the centre holds no result %s", id)
	}
	if err != nil {
		return nil, translate(err)
	}
	if r.doc, err = resultDocOf(r.body); err != nil {
		return nil, err
	}
	return r, nil
}

func resultDocOf(body []byte) (*examsync.ResultDoc, error) {
	b, err := examsync.DecodeBundle(body)
	if err != nil {
		return nil, err
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		return nil, fmt.Errorf("the signed result: %w", err)
	}
	return &doc, nil
}

// FileAppeal files an appeal against a result, within days of the exam
// date (days <= 0: DefaultAppealDays). A result has one appeal.
func (c *Centre) FileAppeal(ctx context.Context, resultID, reason string, days int) (*AppealDoc, error) {
	if days <= 0 {
		days = DefaultAppealDays
	}
	if strings.TrimSpace(reason) == "" {
		return nil, refuseAppeal(CodeAppealState, "申诉须写明理由：请用 --reason 给出", "an appeal states its reason: give --reason")
	}
	r, err := c.appealResult(ctx, c.db, resultID)
	if err != nil {
		return nil, err
	}
	exam, err := standards.ParseDate(r.date)
	if err != nil {
		return nil, fmt.Errorf("result %s: exam date %q: %w", resultID, r.date, err)
	}
	last := dayAfter(exam, days)
	if today := c.today(); last.Before(today) {
		return nil, refuseAppeal(CodeAppealLate, "考试日期为 %s：申诉须在考试后 %d 天内提出（截至 %s），今天是 %s", "the exam was on %s: appeals close %d days after it (%s); today is %s", exam, days, last, today)
	}
	d := &AppealDoc{Appeal: resultID + "-appeal", Seq: 1, State: AppealFiled, Reason: reason}
	return d, c.appendAppeal(ctx, r, d, "")
}

func dayAfter(d standards.Date, days int) standards.Date {
	return standards.DateOf(time.Date(d.Y, time.Month(d.M), d.D, 12, 0, 0, 0, time.UTC).AddDate(0, 0, days))
}

// AssignAppeal assigns the appeal on a result to a reviewer: a
// registered examiner who examined neither this result nor any other
// result of the same candidate.
func (c *Centre) AssignAppeal(ctx context.Context, resultID, reviewer string) (*AppealDoc, error) {
	r, err := c.appealResult(ctx, c.db, resultID)
	if err != nil {
		return nil, err
	}
	var name string
	if err := c.db.QueryRowContext(ctx, `SELECT name FROM examiners WHERE id = ?`, reviewer).Scan(&name); errors.Is(err, sql.ErrNoRows) {
		return nil, refuseAppeal(CodeAppealReviewer, "%s 不是已登记的考评员：复核人员须为已登记的考评员", "%s is not an examiner in the registry: a reviewer is a registered examiner", reviewer)
	} else if err != nil {
		return nil, translate(err)
	}
	if err := c.examinedCandidate(ctx, r.candidate, reviewer); err != nil {
		return nil, err
	}
	d := &AppealDoc{Seq: 2, State: AppealAssigned, Reviewer: reviewer, Note: name}
	return d, c.appendAppeal(ctx, r, d, AppealFiled)
}

// examinedCandidate refuses a reviewer who is an examiner on any result
// of the candidate (this one included).
func (c *Centre) examinedCandidate(ctx context.Context, candidate, reviewer string) error {
	rows, err := c.db.QueryContext(ctx, `SELECT r.id, b.body FROM results r JOIN result_bodies b ON b.log_index = r.log_index WHERE r.candidate = ? ORDER BY r.log_index`, candidate)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var body []byte
		if err := rows.Scan(&id, &body); err != nil {
			return err
		}
		doc, err := resultDocOf(body)
		if err != nil {
			return fmt.Errorf("result %s: %w", id, err)
		}
		for _, x := range doc.Examiners {
			if x.ID == reviewer {
				return refuseAppeal(CodeAppealReviewer, "%s（%s）考评过该考生（成绩 %s）：复核人员须为未考评过该考生的人员", "%s (%s) examined this candidate (result %s): the reviewer must be someone who did not", x.Name, reviewer, id)
			}
		}
	}
	return rows.Err()
}

// DecideAppeal records the outcome of an assigned appeal: AppealUpheld,
// AppealReexam, or AppealRescored with the reviewer's events by
// subject (each re-scored with Rescore: the decided total is the
// re-score's, never a number typed in). A re-exam with plan adds the
// candidate to that issued plan (of the result's category) with the
// next attempt, as a roster import would; without, the signed state
// records the attempt owed until a plan is issued.
func (c *Centre) DecideAppeal(ctx context.Context, resultID, outcome, note string, marks map[string][]standards.Event, plan string) (*AppealDoc, error) {
	r, err := c.appealResult(ctx, c.db, resultID)
	if err != nil {
		return nil, err
	}
	d := &AppealDoc{Seq: 3, State: outcome, Note: note}
	switch outcome {
	case AppealUpheld:
	case AppealReexam:
		d.Attempt = r.attempt + 1
		if _, err := c.appealState(ctx, resultID, 2); err != nil {
			return nil, refuseAppeal(CodeAppealState, "成绩 %s 的申诉尚未指派复核人员：请先执行 shicao centre appeal assign", "the appeal on %s is not assigned to a reviewer yet: shicao centre appeal assign", resultID)
		}
		if plan != "" {
			if err := c.addReexam(ctx, r, plan, d.Attempt); err != nil {
				return nil, err
			}
			d.Plan = plan
		}
	case AppealRescored:
		assigned, err := c.appealState(ctx, resultID, 2)
		if err != nil {
			return nil, refuseAppeal(CodeAppealState, "成绩 %s 的申诉尚未指派复核人员：请先执行 shicao centre appeal assign", "the appeal on %s is not assigned to a reviewer yet: shicao centre appeal assign", resultID)
		}
		if len(marks) == 0 {
			return nil, refuseAppeal(CodeAppealMarks, "重新评分需要复核人员的评分（--mark 科目:评分项:扣分项）", "a re-score needs the reviewer's marks (--mark SUBJECT:ITEM:MARK)")
		}
		for subject, evs := range marks {
			for _, e := range evs {
				if e.Source != "examiner:"+assigned.Reviewer {
					return nil, refuseAppeal(CodeAppealMarks, "科目 %s：来自 %s 的事件：重新评分只采用指派的复核人员的评分（examiner:%s）", "subject %s: an event from %s: the re-score takes only the assigned reviewer's marks (examiner:%s)", subject, e.Source, assigned.Reviewer)
				}
			}
		}
		d.Marks = marks
		res, err := Rescore(r.body, marks)
		if err != nil {
			return nil, refuseAppeal(CodeAppealMarks, "复核人员的评分无法计分：%v", "the reviewer's marks do not score: %v", err)
		}
		d.Total, d.Passed = res.Total.String(), &res.Passed
	default:
		return nil, refuseAppeal(CodeAppealState, "复核结论 %q 无效：请给出 upheld（维持原成绩）、rescored（复核改分）或 reexam（安排补考）", "outcome %q: give upheld, rescored or reexam", outcome)
	}
	return d, c.appendAppeal(ctx, r, d, AppealAssigned)
}

// addReexam adds the result's candidate to an issued plan with attempt.
func (c *Centre) addReexam(ctx context.Context, r *appealResult, planID string, attempt int) error {
	p, _, err := c.PlanByID(ctx, planID)
	if errors.Is(err, ErrNotFound) {
		return refuseAppeal(CodeAppealState, "计划 %s 尚未下发：请先下发补考计划，或不带 --plan 安排补考", "no plan %s is issued: issue the 补考 plan first, or order the re-exam without --plan", planID)
	}
	if err != nil {
		return err
	}
	if p.Category != r.doc.Category {
		return refuseAppeal(CodeAppealState, "计划 %s 的作业类别为 %s，该成绩的为 %s", "plan %s is of %s; the result is of %s", planID, p.Category, r.doc.Category)
	}
	_, err = c.ImportPlans(ctx, []PlanRow{{Plan: p.ID, Date: p.Date, Site: p.Site, Station: p.Station, Category: p.Category, Blueprint: p.Blueprint,
		IDNumber: r.candidate, Name: r.doc.Candidate.Name, Attempt: attempt, Examiners: p.Examiners}})
	if err != nil {
		return refuseAppeal(CodeAppealState, "无法将考生加入计划 %s：%v", "add the candidate to plan %s: %v", planID, err)
	}
	return nil
}

func (c *Centre) appealState(ctx context.Context, resultID string, seq int) (*AppealDoc, error) {
	var signed []byte
	err := c.db.QueryRowContext(ctx, `SELECT signed FROM appeal_records WHERE result = ? AND seq = ?`, resultID, seq).Scan(&signed)
	if err != nil {
		return nil, translate(err)
	}
	return c.openAppealDoc(signed)
}

// appendAppeal signs d as the next state of r's appeal (its previous
// state must be prev; "" for a new appeal) and appends it to the log.
func (c *Centre) appendAppeal(ctx context.Context, r *appealResult, d *AppealDoc, prev string) error {
	return c.logTx(ctx, func(tx *sql.Tx) error {
		var last struct {
			appeal, state, sum string
			seq                int
		}
		err := tx.QueryRowContext(ctx, `SELECT appeal, seq, state, sha256 FROM appeal_records WHERE result = ? ORDER BY seq DESC LIMIT 1`, r.id).
			Scan(&last.appeal, &last.seq, &last.state, &last.sum)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			if prev != "" {
				return refuseAppeal(CodeAppealState, "成绩 %s 没有申诉：请先提出申诉（shicao centre appeal file）", "result %s has no appeal: file one first (shicao centre appeal file)", r.id)
			}
		case err != nil:
			return err
		case prev == "":
			return refuseAppeal(CodeAppealOpen, "成绩 %s 已有申诉（当前状态 %s）：见 shicao centre appeal show %s", "result %s has an appeal already (now %s): see shicao centre appeal show %s", r.id, last.state, r.id)
		case last.state != prev:
			return refuseAppeal(CodeAppealState, "成绩 %s 的申诉当前为 %s，不能转为 %s", "the appeal on %s is %s: it cannot go to %s from there", r.id, last.state, d.State)
		default:
			d.Appeal, d.Prev = last.appeal, last.sum
		}
		d.Kind, d.Result, d.ResultSHA256 = KindAppeal, r.id, r.sum
		d.At = c.now().UTC().Format(time.RFC3339)
		signed, err := examsync.SignWith(d, c.signer)
		if err != nil {
			return err
		}
		s := sha256.Sum256(signed)
		sum := hex.EncodeToString(s[:])
		n, err := logSize(ctx, tx)
		if err != nil {
			return err
		}
		checkpoint, proof, err := c.appendRecord(ctx, tx, n, examsync.AppealRecord(d.ID(), "", sum))
		if err != nil {
			return err
		}
		receipt, err := json.Marshal(examsync.Receipt{Kind: examsync.KindReceipt, Result: d.ID(), Station: examsync.AppealStation, SHA256: sum,
			Index: n, Checkpoint: string(checkpoint), Proof: examsync.EncodeHashes(proof)})
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO appeal_records (log_index, appeal, seq, result, state, signed, sha256, receipt, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			n, d.Appeal, d.Seq, r.id, d.State, signed, sum, receipt, c.nowMs())
		return err
	})
}

// AppealEntry is one state of an appeal as held: the signed document,
// its log index and receipt.
type AppealEntry struct {
	Doc     *AppealDoc
	Index   int64
	Signed  []byte
	Receipt []byte
}

// Standing is a result's score as decided now.
type Standing struct {
	Result  string
	Total   string // never a score nobody decided
	Passed  bool
	State   string // "" (no appeal), or the appeal's latest state
	Pending bool   // an appeal is open: Total is the original's until decided
	Label   string // what a person reads: 原成绩 / 复核中 / 维持原成绩 / 复核改分 / 已安排补考
	History []AppealEntry
}

// appealedResults returns the ids of the results that have an appeal.
func (c *Centre) appealedResults(ctx context.Context) (map[string]bool, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT DISTINCT result FROM appeal_records`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]bool{}
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out[id] = true
	}
	return out, rows.Err()
}

// AppealStanding returns a result's standing and its appeal's history.
func (c *Centre) AppealStanding(ctx context.Context, resultID string) (*Standing, error) {
	r, err := c.appealResult(ctx, c.db, resultID)
	if err != nil {
		return nil, err
	}
	st := &Standing{Result: resultID, Total: r.total, Passed: r.passed, Label: "原成绩"}
	rows, err := c.db.QueryContext(ctx, `SELECT log_index, signed, receipt FROM appeal_records WHERE result = ? ORDER BY seq`, resultID)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var e AppealEntry
		if err := rows.Scan(&e.Index, &e.Signed, &e.Receipt); err != nil {
			return nil, err
		}
		if e.Doc, err = c.openAppealDoc(e.Signed); err != nil {
			return nil, fmt.Errorf("appeal on %s, record %d: %w", resultID, e.Index, err)
		}
		st.History = append(st.History, e)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(st.History) == 0 {
		return st, nil
	}
	last := st.History[len(st.History)-1].Doc
	st.State = last.State
	switch last.State {
	case AppealFiled, AppealAssigned:
		st.Pending, st.Label = true, "复核中（原成绩）"
	case AppealUpheld:
		st.Label = "维持原成绩"
	case AppealRescored:
		if last.Total != "" && last.Passed != nil {
			st.Total, st.Passed, st.Label = last.Total, *last.Passed, "复核改分"
		}
	case AppealReexam:
		st.Label = fmt.Sprintf("已安排补考（第%d次）", last.Attempt)
		if last.Plan != "" {
			st.Label = fmt.Sprintf("已安排补考（第%d次，计划%s）", last.Attempt, last.Plan)
		}
	}
	return st, nil
}

// Rescore re-scores a result bundle with a reviewer's events by subject.
// For each subject with events, the item log is the original's with the
// examiners' manual judgement replaced by the reviewer's: session.start
// names the reviewer as the session's examiner; every original event not
// from an examiner (device, system, candidate) is kept in order; the
// reviewer's events follow, at the last event's time. Seq numbers are
// renumbered 1.. (evidence in the re-scored sheet refers to this log).
// Subjects without reviewer events keep their signed sheets. The paper
// is then scored by the result's blueprint. Pure: the same bundle and
// events give the same result.
func Rescore(bundle []byte, marks map[string][]standards.Event) (*scoring.Result, error) {
	b, err := examsync.DecodeBundle(bundle)
	if err != nil {
		return nil, err
	}
	doc, err := resultDocOf(bundle)
	if err != nil {
		return nil, err
	}
	for subject := range marks {
		if !slices.ContainsFunc(doc.Items, func(it examsync.ItemResult) bool { return it.Subject == subject }) {
			return nil, fmt.Errorf("subject %q is not on this paper", subject)
		}
	}
	bp, err := standards.ParseBlueprint("blueprint", standards.SplitNote([]byte(b.Blueprint)))
	if err != nil {
		return nil, fmt.Errorf("blueprint: %w", err)
	}
	var sheets []*scoring.Sheet
	for _, it := range doc.Items {
		evs, ok := marks[it.Subject]
		if !ok {
			sheets = append(sheets, it.Sheet)
			continue
		}
		std, err := examsync.ItemStandard(&b, &it, nil) // with the vocabulary it was scored against
		if err != nil {
			return nil, fmt.Errorf("subject %s: %w", it.Subject, err)
		}
		reviewer := strings.TrimPrefix(evs[0].Source, "examiner:")
		var log []standards.Event
		var lastT int64
		for i, raw := range b.Events[it.Subject] {
			var e standards.Event
			if err := json.Unmarshal(raw, &e); err != nil {
				return nil, fmt.Errorf("subject %s: event %d: %w", it.Subject, i+1, err)
			}
			if i == 0 {
				var start map[string]any
				if err := json.Unmarshal(e.Data, &start); err != nil {
					return nil, fmt.Errorf("subject %s: session.start: %w", it.Subject, err)
				}
				start["examiners"] = []string{reviewer}
				if e.Data, err = json.Marshal(start); err != nil {
					return nil, err
				}
			} else if strings.HasPrefix(e.Source, "examiner:") {
				continue
			}
			e.Seq = int64(len(log) + 1)
			lastT = e.TMs
			log = append(log, e)
		}
		for _, e := range evs {
			e.Seq, e.TMs = int64(len(log)+1), lastT
			log = append(log, e)
		}
		sheet, err := scoring.Score(std, log)
		if err != nil {
			return nil, fmt.Errorf("subject %s: %w", it.Subject, err)
		}
		sheets = append(sheets, sheet)
	}
	return scoring.Paper(bp, sheets)
}

// appealStateText names a state for people.
var appealStateText = map[string]string{
	AppealFiled:    "申诉已受理 filed",
	AppealAssigned: "已指派复核 assigned",
	AppealUpheld:   "维持原成绩 upheld",
	AppealRescored: "复核改分 rescored",
	AppealReexam:   "安排补考 re-exam ordered",
}

// HistoryText is the appeal's history on one line: each state, its
// date and its log index ("" without an appeal).
func (s *Standing) HistoryText() string {
	var parts []string
	for _, e := range s.History {
		p := fmt.Sprintf("%s %s #%d", e.Doc.At[:min(len(e.Doc.At), 10)], appealStateText[e.Doc.State], e.Index)
		if e.Doc.State == AppealRescored {
			p += " " + e.Doc.Total
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, "; ")
}
