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

	"shicao/cmd/shicao/internal/station"
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
	CodeCandidate    = "candidate"          // the candidate is not on the plan
	CodeExaminer     = "examiner"           // not on the plan, or no valid certificate (持证上岗)
	CodeEquipment    = "equipment"          // a device not registered to the site (考培分离)
	CodeStandard     = "standard-unknown"   // a standard or blueprint version the centre never relayed
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
		return nil, refuse422(CodeOtherStation, "result %s names station %s but was sent by %s", doc.ID, doc.Station, stationName)
	}
	if ref := c.checkResult(ctx, stationName, doc); ref != nil {
		return nil, ref
	}
	// One append at a time: the log is a sequence. The expensive work
	// (verification, re-scoring) is done above, in parallel.
	c.appendMu.Lock()
	defer c.appendMu.Unlock()
	var receipt []byte
	var dupAttempt string
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		var have string
		var rcpt []byte
		err := tx.QueryRowContext(ctx, `SELECT sha256, receipt FROM results WHERE id = ?`, doc.ID).Scan(&have, &rcpt)
		switch {
		case err == nil && have == hexSum:
			receipt = rcpt // sent twice at once: the first won
			return nil
		case err == nil:
			return errDuplicate
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		// One result per candidate, plan and attempt: a second one is an
		// exam run twice (a restored station, an abandoned attempt run
		// again to get another draw), for people to judge.
		var other string
		err = tx.QueryRowContext(ctx, `SELECT id FROM results WHERE plan_id = ? AND candidate = ? AND attempt = ?`, doc.Plan, doc.Candidate.IDNumber, doc.Candidate.Attempt).Scan(&other)
		switch {
		case err == nil:
			dupAttempt = other
			return errDuplicateAttempt
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		n, err := logSize(ctx, tx)
		if err != nil {
			return err
		}
		checkpoint, proof, err := c.appendRecord(ctx, tx, n, examsync.Record(doc.ID, stationName, hexSum))
		if err != nil {
			return err
		}
		receipt, err = json.Marshal(examsync.Receipt{Kind: examsync.KindReceipt, Result: doc.ID, Station: stationName, SHA256: hexSum,
			Index: n, Checkpoint: string(checkpoint), Proof: examsync.EncodeHashes(proof)})
		if err != nil {
			return err
		}
		return insertResult(ctx, tx, n, stationName, doc, hexSum, body, receipt, c.nowMs())
	})
	if errors.Is(err, errDuplicate) {
		c.alarm(ctx, alarmDuplicate, stationName, "result "+doc.ID, "the result id was sent again with other bytes (sha256 "+hexSum+"); the first is kept")
		return nil, examsync.Refuse(http.StatusConflict, examsync.CodeDuplicate, "result %s is held already with other bytes: the first is kept and an alarm is raised", doc.ID)
	}
	if errors.Is(err, errDuplicateAttempt) {
		c.alarm(ctx, alarmDuplicateAttempt, stationName, "result "+doc.ID, fmt.Sprintf("candidate %s (attempt %d) on plan %s already has result %s: the exam was run twice; the first is kept", doc.Candidate.IDNumber, doc.Candidate.Attempt, doc.Plan, dupAttempt))
		return nil, examsync.Refuse(http.StatusConflict, CodeDuplicateAttempt, "candidate %s (attempt %d) on plan %s already has result %s: one result per attempt; the first is kept and an alarm is raised", doc.Candidate.IDNumber, doc.Candidate.Attempt, doc.Plan, dupAttempt)
	}
	if err != nil {
		return nil, fmt.Errorf("log result %s: %w", doc.ID, err)
	}
	return receipt, nil
}

var (
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
	b, err := station.DecodeBundle(body)
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

// checkResult compares a verified result with what the centre issued.
func (c *Centre) checkResult(ctx context.Context, stationName string, doc *station.ResultDoc) *examsync.Refusal {
	site, err := c.StationSite(ctx, stationName)
	if err != nil {
		return refuse422(CodeSite, "station %s: %v", stationName, err)
	}
	if doc.Site != site {
		return refuse422(CodeSite, "result %s names site %s; station %s is registered at %s", doc.ID, doc.Site, stationName, site)
	}
	if s, err := c.SiteByID(ctx, site); err != nil || !s.Accepted {
		return refuse422(CodeSite, "site %s is not an accepted exam site (考培分离)", site)
	}
	plan, _, err := c.PlanByID(ctx, doc.Plan)
	if err != nil {
		return refuse422(CodePlanUnknown, "result %s names plan %s, which this centre did not issue", doc.ID, doc.Plan)
	}
	if plan.Station != stationName {
		return refuse422(CodePlanOther, "plan %s was issued to station %s, not %s", plan.ID, plan.Station, stationName)
	}
	if plan.Site != doc.Site || plan.Date != doc.Date || plan.Category != doc.Category || plan.Blueprint != doc.Blueprint.ID {
		return refuse422(CodePlanMismatch, "result %s (%s %s %s %s) does not match plan %s (%s %s %s %s)", doc.ID, doc.Site, doc.Date, doc.Category, doc.Blueprint.ID,
			plan.ID, plan.Site, plan.Date, plan.Category, plan.Blueprint)
	}
	if !slices.ContainsFunc(plan.Candidates, func(x examsync.Candidate) bool {
		return x.IDNumber == doc.Candidate.IDNumber && max(x.Attempt, 1) == doc.Candidate.Attempt
	}) {
		return refuse422(CodeCandidate, "candidate %s (attempt %d) is not on plan %s", doc.Candidate.IDNumber, doc.Candidate.Attempt, plan.ID)
	}
	day, err := standards.ParseDate(doc.Date)
	if err != nil {
		return refuse422(CodePlanMismatch, "result %s: date %q", doc.ID, doc.Date)
	}
	if len(doc.Examiners) == 0 {
		return refuse422(CodeExaminer, "result %s names no examiner", doc.ID)
	}
	for _, x := range doc.Examiners {
		if !slices.Contains(plan.Examiners, x.ID) {
			return refuse422(CodeExaminer, "examiner %s (%s) is not on plan %s", x.Name, x.ID, plan.ID)
		}
		cert, why := c.certificate(ctx, x.ID, doc.Category, day)
		if (why != "" || x.Certificate != cert.Number) && x.Category == doc.Category && c.heldBefore(ctx, x.ID, doc.Category, x.Certificate, day) {
			continue // examined under the certificate since renewed
		}
		if why != "" {
			return refuse422(CodeExaminer, "%s", why)
		}
		if x.Category != doc.Category || x.Certificate != cert.Number {
			return refuse422(CodeExaminer, "examiner %s (%s) signed in with %s certificate %s; the centre registers %s certificate %s", x.Name, x.ID, x.Category, x.Certificate, doc.Category, cert.Number)
		}
	}
	if sum, err := c.publishedSHA256(ctx, doc.Blueprint.ID, doc.Blueprint.Version); err != nil || sum != doc.Blueprint.SHA256 {
		return refuse422(CodeStandard, "blueprint %s version %d (sha256 %.16s…) was not relayed by this centre", doc.Blueprint.ID, doc.Blueprint.Version, doc.Blueprint.SHA256)
	}
	for _, it := range doc.Items {
		if sum, err := c.publishedSHA256(ctx, it.Standard.ID, it.Standard.Version); err != nil || sum != it.Standard.SHA256 {
			return refuse422(CodeStandard, "subject %s: standard %s version %d (sha256 %.16s…) was not relayed by this centre", it.Subject, it.Standard.ID, it.Standard.Version, it.Standard.SHA256)
		}
		for _, d := range it.Devices {
			var kind, at string
			err := c.db.QueryRowContext(ctx, `SELECT kind, site FROM equipment WHERE serial = ?`, d.Serial).Scan(&kind, &at)
			switch {
			case err != nil:
				return refuse422(CodeEquipment, "subject %s: %s %s (serial %s) is not registered with this centre", it.Subject, d.Kind, d.Model, d.Serial)
			case at != doc.Site:
				return refuse422(CodeEquipment, "subject %s: %s serial %s is registered to site %s, not %s (考培分离)", it.Subject, d.Kind, d.Serial, at, doc.Site)
			case kind != d.Kind:
				return refuse422(CodeEquipment, "subject %s: serial %s is registered as %s, the result says %s", it.Subject, d.Serial, kind, d.Kind)
			}
		}
	}
	if ref := c.checkInForce(ctx, stationName, doc); ref != nil {
		return ref
	}
	return nil
}

// heldBefore reports whether an examiner held certificate number of the
// category, valid on day, before a renewal replaced it.
func (c *Centre) heldBefore(ctx context.Context, examinerID, category, number string, day standards.Date) bool {
	var n int
	err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM certificate_history WHERE examiner_id = ? AND category = ? AND number = ? AND valid_from <= ? AND valid_to >= ?`,
		examinerID, category, number, day.String(), day.String()).Scan(&n)
	return err == nil && n > 0 && number != ""
}

// alarm keeps a refusal for people; failing to keep it is logged by the
// caller's error path only, since the refusal itself still stands.
func (c *Centre) alarm(ctx context.Context, kind, stationName, subject, detail string) {
	_, _ = c.db.ExecContext(ctx, `INSERT INTO alarms (at_ms, kind, station, subject, detail) VALUES (?, ?, ?, ?, ?)`, c.nowMs(), kind, stationName, subject, detail)
}

// Alarm is a refusal kept for people.
type Alarm struct {
	AtMs                           int64
	Kind, Station, Subject, Detail string
}

// Alarms returns every alarm, oldest first.
func (c *Centre) Alarms(ctx context.Context) ([]Alarm, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT at_ms, kind, station, subject, detail FROM alarms ORDER BY id`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []Alarm
	for rows.Next() {
		var a Alarm
		if err := rows.Scan(&a.AtMs, &a.Kind, &a.Station, &a.Subject, &a.Detail); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}
