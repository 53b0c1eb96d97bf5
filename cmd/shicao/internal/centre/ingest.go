package centre

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"

	"shicao/cmd/shicao/internal/pgdb"
	"shicao/standards"
	examsync "shicao/sync"
)

// Refusal codes of an uploaded result (HTTP 422 unless said otherwise).
const (
	CodeUnverifiable = "unverifiable"       // signature, chain or re-score fails
	CodeOtherStation = "other-station"      // the result names another station than the one that sent it
	CodeSite         = "site"               // not the station's site, or not an accepted exam site
	CodePlanUnknown  = "plan-unknown"       // no such plan issued
	CodePlanOther    = "plan-other-station" // the plan was issued to another station
	CodePlanMismatch = "plan-mismatch"      // date, category or blueprint differ from the plan
	CodeCandidate    = "candidate"          // the candidate is not the plan's (身份证号, name, attempt), the identity check identified someone else, or an item's log names another attempt
	CodeExaminer     = "examiner"           // an examiner not on the plan, or none
	CodeCertificate  = "certificate"        // an examiner held no certificate of the category valid on the exam date, per the registry now (持证上岗)
	CodeEquipment    = "equipment"          // a device not registered to the site (考培分离)
	CodeStandard     = "standard-unknown"   // a standard, blueprint or vocabulary version the centre never relayed
	CodeTime         = "time"               // signed outside the exam date's day (site's time zone) or in the future
	// CodeDuplicateAttempt (409): the candidate already has a result for
	// this plan and attempt under another result id.
	CodeDuplicateAttempt  = "duplicate-attempt"
	alarmDuplicate        = "duplicate-id"
	alarmDuplicateAttempt = "duplicate-attempt"
	alarmUnverifiable     = "unverifiable"
)

func refuse422(code, format string, args ...any) *examsync.Refusal {
	return examsync.Refuse(http.StatusUnprocessableEntity, code, format, args...)
}

// Ingest verifies a result bundle sent by a station and appends it to the
// log, returning the receipt. It refuses (with a *examsync.Refusal) a
// result whose signature, chains or re-score fail, one that does not
// match what the centre issued (plan, site, candidate, examiners and
// their certificates, equipment, standards), and a result id already
// held with other bytes (409, and an alarm for people). The same bytes
// again get the same receipt, byte for byte.
func (c *Centre) Ingest(ctx context.Context, stationName string, body []byte) ([]byte, error) {
	sum := sha256.Sum256(body)
	hexSum := hex.EncodeToString(sum[:])
	if rcpt, err := c.receiptBySHA256(ctx, stationName, hexSum); err == nil {
		return rcpt, nil
	} else if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	if examsync.IsCalibration(body) {
		// A drill's calibration record is never an exam result.
		return nil, c.refuseCalibration(ctx, stationName, body)
	}
	key, err := c.StationKey(ctx, stationName)
	if err != nil {
		return nil, err
	}
	v, err := c.bundles.Verify(body, []string{key}, nil)
	if err != nil {
		c.alarm(ctx, alarmUnverifiable, stationName, "result "+resultIDOf(body), err.Error())
		return nil, refuse422(CodeUnverifiable, "%v", err)
	}
	doc := v.Doc
	if doc.Station != stationName {
		return nil, c.refuseAlarm(ctx, stationName, doc.ID, refuse422(CodeOtherStation, "result %s names station %s but was sent by %s", doc.ID, doc.Station, stationName))
	}
	if doc.Training() {
		return nil, c.refuseTraining(ctx, stationName, hexSum, body, doc)
	}
	if doc.Purpose == examsync.PurposeCalibration {
		return nil, c.refuseAlarm(ctx, stationName, doc.ID, refuse422(CodeCalibrationResult, "result %s is signed with the calibration purpose: a drill is never an exam result", doc.ID))
	}
	if err := v.CheckBound(); err != nil {
		// A log moved in from another candidate's result (冒名顶替).
		return nil, c.refuseAlarm(ctx, stationName, doc.ID, refuse422(CodeCandidate, "result %s: %v", doc.ID, err))
	}
	plan, ref := c.checkResult(ctx, stationName, doc)
	if ref != nil {
		return nil, c.refuseAlarm(ctx, stationName, doc.ID, ref)
	}
	// One append at a time: the log is a sequence. The expensive work
	// (verification, re-scoring, the day's figures and the examiners'
	// consistency, from the standards the re-score parsed) is done here,
	// in parallel; under the lock go only the statements that must see
	// the last append.
	judged := make([]map[string]bool, len(v.Standards))
	for i, std := range v.Standards {
		judged[i] = judgedPoints(std)
	}
	f := factsOf(doc, institutionIn(plan, doc.Candidate.IDNumber), judged)
	rb := &resultBody{bytes: body}
	var stage func(*sql.Tx) error
	if c.pg {
		stage = func(tx *sql.Tx) error { return rb.stage(ctx, tx) }
	}
	var receipt []byte
	var dupAttempt string
	err = c.appendTx(ctx, stage, func(tx *sql.Tx, lock *pgdb.Batch) error {
		var err error
		receipt, dupAttempt, err = c.appendResult(ctx, tx, lock, stationName, doc, f, hexSum, rb)
		return err
	})
	switch {
	case errors.Is(err, errSentTwice):
		return receipt, nil
	case err != nil:
		return nil, c.refuseAppend(ctx, stationName, doc, hexSum, dupAttempt, err)
	}
	return receipt, nil
}

// appendResult appends a verified result to the log inside tx and
// returns its receipt: the receipt held already, with errSentTwice (the
// transaction rolls back), when the same bytes were sent twice at once;
// errDuplicate for the id held with other bytes;
// errDuplicateAttempt (with the result held) for a second result of the
// same candidate, plan and attempt.
//
// Under the log's lock every statement waits for the one before it and,
// on PostgreSQL, for a round trip, which every other upload waits on in
// turn: the append goes in two batches. The first takes the lock (lock
// holds its statement) and reads the duplicate checks, the log's size
// and the stored hashes the append will need; the second writes.
func (c *Centre) appendResult(ctx context.Context, tx *sql.Tx, lock *pgdb.Batch, stationName string, doc *examsync.ResultDoc, f facts, hexSum string, body *resultBody) (receipt []byte, dupAttempt string, err error) {
	var have, other sql.NullString
	var rcpt []byte
	var n int64
	lock.QueryRow(`SELECT (SELECT sha256 FROM results WHERE id = ?), (SELECT receipt FROM results WHERE id = ?),
		(SELECT id FROM results WHERE plan_id = ? AND candidate = ? AND attempt = ? LIMIT 1), (`+logSizeQuery+`)`,
		[]any{doc.ID, doc.ID, doc.Plan, doc.Candidate.IDNumber, doc.Candidate.Attempt}, &have, &rcpt, &other, &n)
	hashes := c.prefetchHashes(lock)
	err = c.send(ctx, tx, lock)
	switch {
	case err != nil:
		return nil, "", err
	case have.Valid && have.String == hexSum:
		return rcpt, "", errSentTwice // sent twice at once: the first won
	case have.Valid:
		return nil, "", errDuplicate
	case other.Valid:
		// One result per candidate, plan and attempt: a second one is
		// an exam run twice (a restored station, an abandoned attempt
		// run again to get another draw), for people to judge.
		return nil, other.String, errDuplicateAttempt
	}
	var w pgdb.Batch
	la, err := c.queueAppend(ctx, tx, &w, n, examsync.Record(doc.ID, stationName, hexSum), hashes)
	if err != nil {
		return nil, "", err
	}
	receiptOf := func(checkpoint []byte) ([]byte, error) {
		return json.Marshal(examsync.Receipt{Kind: examsync.KindReceipt, Result: doc.ID, Station: stationName, SHA256: hexSum,
			Index: n, Checkpoint: string(checkpoint), Proof: examsync.EncodeHashes(la.proof)})
	}
	if receipt, err = receiptOf(la.signed); err != nil {
		return nil, "", err
	}
	queueResult(&w, n, stationName, doc, f, hexSum, body, receipt, c.nowMs())
	// In the same transaction: no second write lock taken after it.
	c.queueResolveQueued(&w, doc.ID)
	if err := c.send(ctx, tx, &w); err != nil {
		return nil, "", err
	}
	kept, err := la.kept(ctx, tx, &w)
	if err != nil {
		return nil, "", fmt.Errorf("checkpoint %d: %w", la.size, err)
	}
	if !bytes.Equal(kept, la.signed) {
		// A checkpoint of this size was held already: the receipt
		// carries the one kept.
		if receipt, err = receiptOf(kept); err != nil {
			return nil, "", err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE results SET receipt = ? WHERE log_index = ?`, receipt, n); err != nil {
			return nil, "", err
		}
	}
	return receipt, "", nil
}

// refuseAppend turns a failed append into its refusal (a duplicate id
// or attempt: 409 and an alarm for people) or its error.
func (c *Centre) refuseAppend(ctx context.Context, stationName string, doc *examsync.ResultDoc, hexSum, dupAttempt string, err error) error {
	switch {
	case errors.Is(err, errDuplicate):
		c.alarm(ctx, alarmDuplicate, stationName, "result "+doc.ID, "the result id was sent again with other bytes (sha256 "+hexSum+"); the first is kept")
		return examsync.Refuse(http.StatusConflict, examsync.CodeDuplicate, "result %s is held already with other bytes: the first is kept and an alarm is raised", doc.ID)
	case errors.Is(err, errDuplicateAttempt):
		c.alarm(ctx, alarmDuplicateAttempt, stationName, "result "+doc.ID, fmt.Sprintf("candidate %s (attempt %d) on plan %s already has result %s: the exam was run twice; the first is kept", doc.Candidate.IDNumber, doc.Candidate.Attempt, doc.Plan, dupAttempt))
		return examsync.Refuse(http.StatusConflict, CodeDuplicateAttempt, "candidate %s (attempt %d) on plan %s already has result %s: one result per attempt; the first is kept and an alarm is raised", doc.Candidate.IDNumber, doc.Candidate.Attempt, doc.Plan, dupAttempt)
	}
	return fmt.Errorf("log result %s: %w", doc.ID, err)
}

var (
	errSentTwice        = errors.New("the same result was appended already")
	errDuplicate        = errors.New("duplicate result id")
	errDuplicateAttempt = errors.New("duplicate attempt")
)

func (c *Centre) receiptBySHA256(ctx context.Context, stationName, sum string) ([]byte, error) {
	var rcpt []byte
	err := c.db.QueryRowContext(ctx, `SELECT receipt FROM results WHERE sha256 = ? AND station = ?`, sum, stationName).Scan(&rcpt)
	return rcpt, translate(err)
}

// resultIDOf reads a bundle's result id without trusting it (for alarms).
func resultIDOf(body []byte) string {
	b, err := examsync.DecodeBundle(body)
	if err != nil {
		return "(unreadable)"
	}
	text := string(standards.SplitNote([]byte(b.Result)))
	var d struct {
		ID string `json:"id"`
	}
	if json.Unmarshal([]byte(text), &d) != nil || d.ID == "" {
		return "(unreadable)"
	}
	return d.ID
}

// checkResult compares a verified result with what the centre issued,
// one class of refusal per check (guard.go), and returns the plan it
// names.
func (c *Centre) checkResult(ctx context.Context, stationName string, doc *examsync.ResultDoc) (*examsync.Plan, *examsync.Refusal) {
	if ref := c.checkSite(ctx, stationName, doc); ref != nil {
		return nil, ref
	}
	plan, day, ref := c.checkResultPlan(ctx, stationName, doc)
	if ref != nil {
		return nil, ref
	}
	// The versions published of the standards the result names, for the
	// relayed and in-force checks, in one query (an error is theirs to
	// refuse with, in their turn).
	pub, pubErr := c.publishedOf(ctx, doc)
	for _, check := range []func() *examsync.Refusal{
		func() *examsync.Refusal { return checkCandidate(doc, plan) },
		func() *examsync.Refusal { return checkIdentity(doc, plan) },
		func() *examsync.Refusal { return c.checkTime(doc, day) },
		func() *examsync.Refusal { return c.checkExaminers(ctx, doc, plan, day) },
		func() *examsync.Refusal { return checkRelayed(doc, pub, pubErr) },
		func() *examsync.Refusal { return c.checkVocabularies(ctx, doc) },
		func() *examsync.Refusal { return checkInForce(doc, pub, pubErr) },
		func() *examsync.Refusal { return c.checkEquipment(ctx, doc) },
	} {
		if ref := check(); ref != nil {
			return nil, ref
		}
	}
	return plan, nil
}

// alarm keeps a refusal for people; failing to keep it is logged by the
// caller's error path only, since the refusal itself still stands.
func (c *Centre) alarm(ctx context.Context, kind, stationName, subject, detail string) {
	_, _ = c.db.ExecContext(ctx, `INSERT INTO alarms (at_ms, kind, station, subject, detail) VALUES (?, ?, ?, ?, ?)`, c.nowMs(), kind, stationName, subject, detail)
}

// Alarm is a refusal or a difference kept for people.
type Alarm struct {
	AtMs                           int64
	Kind, Station, Subject, Detail string
	ResolvedMs                     int64 // when it was resolved (a queued result arrived); 0: open
}

// Alarms returns every alarm, oldest first.
func (c *Centre) Alarms(ctx context.Context) ([]Alarm, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT at_ms, kind, station, subject, detail, coalesce(resolved_ms, 0) FROM alarms ORDER BY id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Alarm
	for rows.Next() {
		var a Alarm
		if err := rows.Scan(&a.AtMs, &a.Kind, &a.Station, &a.Subject, &a.Detail, &a.ResolvedMs); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
