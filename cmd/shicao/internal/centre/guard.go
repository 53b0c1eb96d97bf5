package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"shicao/standards"
	examsync "shicao/sync"
)

// The checks of checkResult, one per class of refusal. Each compares a
// result whose signature, chains and re-score verified with what the
// centre issued and registers now: a registered station key may still
// sign what the rules refuse (a stolen key, a buggy or stale station).

// checkSite refuses a result from another site than the station's, or
// from a site that is not an accepted exam site (考培分离).
func (c *Centre) checkSite(ctx context.Context, stationName string, doc *examsync.ResultDoc) *examsync.Refusal {
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
	return nil
}

// checkResultPlan returns the plan a result names and its exam date, or
// refuses a plan the centre did not issue, issued to another station, or
// whose site, date, category or blueprint differ from the result's.
func (c *Centre) checkResultPlan(ctx context.Context, stationName string, doc *examsync.ResultDoc) (*examsync.Plan, standards.Date, *examsync.Refusal) {
	plan, _, err := c.PlanByID(ctx, doc.Plan)
	if err != nil {
		return plan, standards.Date{}, refuse422(CodePlanUnknown, "result %s names plan %s, which this centre did not issue", doc.ID, doc.Plan)
	}
	if plan.Station != stationName {
		return plan, standards.Date{}, refuse422(CodePlanOther, "plan %s was issued to station %s, not %s", plan.ID, plan.Station, stationName)
	}
	if plan.Site != doc.Site || plan.Date != doc.Date || plan.Category != doc.Category || plan.Blueprint != doc.Blueprint.ID {
		return plan, standards.Date{}, refuse422(CodePlanMismatch, "result %s (%s %s %s %s) does not match plan %s (%s %s %s %s)", doc.ID, doc.Site, doc.Date, doc.Category, doc.Blueprint.ID,
			plan.ID, plan.Site, plan.Date, plan.Category, plan.Blueprint)
	}
	day, err := standards.ParseDate(doc.Date)
	if err != nil {
		return plan, day, refuse422(CodePlanMismatch, "result %s: date %q", doc.ID, doc.Date)
	}
	return plan, day, nil
}

// checkCandidate refuses a result whose candidate is not the plan's as
// the plan holds them: the 身份证号, the name and the attempt. A result
// naming another person under a planned 身份证号 (冒名顶替) is refused,
// not exported with the forged name.
func checkCandidate(doc *examsync.ResultDoc, plan *examsync.Plan) *examsync.Refusal {
	got := doc.Candidate
	i := slices.IndexFunc(plan.Candidates, func(x examsync.Candidate) bool { return x.IDNumber == got.IDNumber })
	if i < 0 {
		return refuse422(CodeCandidate, "candidate %s (attempt %d) is not on plan %s", got.IDNumber, got.Attempt, plan.ID)
	}
	want := plan.Candidates[i]
	if want.Name != got.Name || max(want.Attempt, 1) != got.Attempt {
		return refuse422(CodeCandidate, "result %s names candidate %s as %s (attempt %d); plan %s has %s (attempt %d)",
			doc.ID, got.IDNumber, got.Name, got.Attempt, plan.ID, want.Name, max(want.Attempt, 1))
	}
	return nil
}

// idCardPermanent is the end date an ID card without one carries
// (hardware/idcard.Permanent).
const idCardPermanent = "长期"

// checkIdentity refuses a result whose identity check (人证核验) did not
// identify its candidate as the station's rules require (station
// IdentifyByCard, VerifyCandidateManual): the 身份证号 identified must be
// the result's; a card must be in the planned name (checkCandidate made
// the result's name the plan's) and valid on the exam date; a number
// typed in needs a reason and the confirmation of examiners on the plan
// (those signed in at the identity check, who need not be the ones who
// sign the result). A result with no identity check recorded (a station before
// it) is judged without one: the export shows it as not recorded.
func checkIdentity(doc *examsync.ResultDoc, plan *examsync.Plan) *examsync.Refusal {
	id := doc.Identity
	if id == nil {
		return nil
	}
	if id.IDNumber != doc.Candidate.IDNumber {
		return refuse422(CodeCandidate, "result %s: the identity check (%s) identified %s; the result is of candidate %s", doc.ID, id.Method, id.IDNumber, doc.Candidate.IDNumber)
	}
	switch id.Method {
	case examsync.IdentityCard:
		if strings.TrimSpace(id.Name) != strings.TrimSpace(doc.Candidate.Name) {
			return refuse422(CodeCandidate, "result %s: the ID card read is in the name of %s; the plan's candidate %s is %s (人证不一致)", doc.ID, id.Name, id.IDNumber, doc.Candidate.Name)
		}
		day := strings.ReplaceAll(doc.Date, "-", "")
		if (id.ValidFrom != "" && day < id.ValidFrom) || (id.ValidTo != idCardPermanent && (len(id.ValidTo) != 8 || id.ValidTo < day)) {
			return refuse422(CodeCandidate, "result %s: the ID card read (valid %s to %s) was not valid on the exam date %s", doc.ID, id.ValidFrom, id.ValidTo, doc.Date)
		}
	case examsync.IdentityManual:
		if strings.TrimSpace(id.Reason) == "" {
			return refuse422(CodeCandidate, "result %s: the 身份证号 was typed in with no reason", doc.ID)
		}
		if len(id.ConfirmedBy) == 0 {
			return refuse422(CodeCandidate, "result %s: the 身份证号 typed in was confirmed by no examiner", doc.ID)
		}
		for _, x := range id.ConfirmedBy {
			if !slices.Contains(plan.Examiners, x) {
				return refuse422(CodeCandidate, "result %s: the 身份证号 typed in was confirmed by %s, who is not an examiner on plan %s", doc.ID, x, plan.ID)
			}
		}
	default:
		return refuse422(CodeCandidate, "result %s: the identity check's method %q is neither card nor manual", doc.ID, id.Method)
	}
	return nil
}

// checkTime refuses a result signed later than the centre's clock plus
// the skew it allows requests (a station clock far ahead, a result
// "signed" in 2100), or signed outside its exam date's day in the site's
// time zone (a result for a day's plan must be finished on that day).
func (c *Centre) checkTime(doc *examsync.ResultDoc, day standards.Date) *examsync.Refusal {
	signed := time.UnixMilli(doc.SignedMs).In(c.zone)
	now := c.now().In(c.zone)
	if signed.After(now.Add(examsync.MaxSkew)) {
		return refuse422(CodeTime, "result %s was signed at %s, later than the centre's clock (%s) allows (%s): the station's clock is ahead or the time was forged",
			doc.ID, signed.Format(time.RFC3339), now.Format(time.RFC3339), examsync.MaxSkew)
	}
	start := time.Date(day.Y, time.Month(day.M), day.D, 0, 0, 0, 0, c.zone)
	if signed.Before(start) || !signed.Before(start.AddDate(0, 0, 1)) {
		return refuse422(CodeTime, "result %s was signed at %s, not on its exam date %s (time zone %s)", doc.ID, signed.Format(time.RFC3339), doc.Date, c.zone)
	}
	return nil
}

// checkExaminers refuses a result signed by no examiner, by one not on
// the plan, or by one who did not hold, per the registry as the centre
// knows it now, a certificate of the plan's category valid on the exam
// date (持证上岗). A certificate renewed since the exam still entitles
// (history explains it); one withdrawn or shortened since does not.
func (c *Centre) checkExaminers(ctx context.Context, doc *examsync.ResultDoc, plan *examsync.Plan, day standards.Date) *examsync.Refusal {
	if len(doc.Examiners) == 0 {
		return refuse422(CodeExaminer, "result %s names no examiner", doc.ID)
	}
	for _, x := range doc.Examiners {
		if !slices.Contains(plan.Examiners, x.ID) {
			return refuse422(CodeExaminer, "examiner %s (%s) is not on plan %s", x.Name, x.ID, plan.ID)
		}
		if x.Category != doc.Category {
			return refuse422(CodeCertificate, "result %s: examiner %s (%s) signed in with a %s certificate %s, not one of %s", doc.ID, x.Name, x.ID, x.Category, x.Certificate, doc.Category)
		}
		why, err := c.entitled(ctx, x, doc.Category, day)
		if err != nil {
			return examsync.Refuse(http.StatusServiceUnavailable, examsync.CodeBusy, "result %s: the registry could not be read: try later", doc.ID)
		}
		if why != "" {
			return refuse422(CodeCertificate, "result %s: %s", doc.ID, why)
		}
	}
	return nil
}

// entitled reports why an examiner's certificate, as the result names
// it, did not entitle them to examine on day per the registry now ("" if
// it did): the current certificate of the category with that number,
// valid on day, or one kept in history (a renewal) whose window covers
// day and that no later withdrawal or earlier end has cut.
func (c *Centre) entitled(ctx context.Context, x examsync.ExaminerRef, category string, day standards.Date) (string, error) {
	cur, why := c.certificate(ctx, x.ID, category, day)
	if why == "" && x.Certificate == cur.Number {
		return "", nil
	}
	var from, to, coversTo string
	err := c.db.QueryRowContext(ctx, `SELECT valid_from, valid_to, covers_to FROM certificate_history
		WHERE examiner_id = ? AND category = ? AND number = ? AND number <> '' AND valid_from <= ? AND valid_to >= ?
		ORDER BY covers_to DESC LIMIT 1`, x.ID, category, x.Certificate, day.String(), day.String()).Scan(&from, &to, &coversTo)
	switch {
	case errors.Is(err, sql.ErrNoRows):
	case err != nil:
		return "", err
	case coversTo >= day.String():
		return "", nil // renewed since the exam: history explains the old number
	case coversTo == "":
		return fmt.Sprintf("examiner %s (%s) signed in with %s certificate %s (valid %s to %s), which an examiner import has since withdrawn (是否持证 否): per the registry they held no certificate valid on %s (持证上岗)",
			x.Name, x.ID, category, x.Certificate, from, to, day), nil
	default:
		return fmt.Sprintf("examiner %s (%s) signed in with %s certificate %s (valid %s to %s), which an examiner import has since ended on %s: per the registry they held no certificate valid on %s (持证上岗)",
			x.Name, x.ID, category, x.Certificate, from, to, coversTo, day), nil
	}
	if why != "" {
		return why + fmt.Sprintf("; the result names certificate %s", x.Certificate), nil
	}
	return fmt.Sprintf("examiner %s (%s) signed in with %s certificate %s; the centre registers %s certificate %s", x.Name, x.ID, category, x.Certificate, category, cur.Number), nil
}

// checkRelayed refuses a blueprint or standard version, by id, version
// and SHA-256, that this centre never relayed (pub: what it published of
// them, or the error reading it).
func checkRelayed(doc *examsync.ResultDoc, pub published, err error) *examsync.Refusal {
	if sum, ok := pub.sha256(doc.Blueprint); err != nil || !ok || sum != doc.Blueprint.SHA256 {
		return refuse422(CodeStandard, "blueprint %s version %d (sha256 %.16s…) was not relayed by this centre", doc.Blueprint.ID, doc.Blueprint.Version, doc.Blueprint.SHA256)
	}
	for _, it := range doc.Items {
		if sum, ok := pub.sha256(it.Standard); !ok || sum != it.Standard.SHA256 {
			return refuse422(CodeStandard, "subject %s: standard %s version %d (sha256 %.16s…) was not relayed by this centre", it.Subject, it.Standard.ID, it.Standard.Version, it.Standard.SHA256)
		}
	}
	return nil
}

// checkEquipment refuses a device that is not registered, registered to
// another site (a training institution's: 考培分离), or of another kind.
// It reads every device the result names in one query.
func (c *Centre) checkEquipment(ctx context.Context, doc *examsync.ResultDoc) *examsync.Refusal {
	var serials []any
	for _, it := range doc.Items {
		for _, d := range it.Devices {
			serials = append(serials, d.Serial)
		}
	}
	type registered struct{ kind, site string }
	reg := map[string]registered{}
	var err error
	if len(serials) > 0 {
		err = func() error {
			rows, err := c.db.QueryContext(ctx, `SELECT serial, kind, site FROM equipment WHERE serial IN `+placeholders(1, len(serials)), serials...)
			if err != nil {
				return err
			}
			defer rows.Close()
			for rows.Next() {
				var serial string
				var r registered
				if err := rows.Scan(&serial, &r.kind, &r.site); err != nil {
					return err
				}
				reg[serial] = r
			}
			return rows.Err()
		}()
	}
	for _, it := range doc.Items {
		for _, d := range it.Devices {
			r, ok := reg[d.Serial]
			switch {
			case err != nil || !ok:
				return refuse422(CodeEquipment, "subject %s: %s %s (serial %s) is not registered with this centre", it.Subject, d.Kind, d.Model, d.Serial)
			case r.site != doc.Site:
				return refuse422(CodeEquipment, "subject %s: %s serial %s is registered to site %s, not %s (考培分离)", it.Subject, d.Kind, d.Serial, r.site, doc.Site)
			case r.kind != d.Kind:
				return refuse422(CodeEquipment, "subject %s: serial %s is registered as %s, the result says %s", it.Subject, d.Serial, r.kind, d.Kind)
			}
		}
	}
	return nil
}

// refuseAlarm keeps a refusal of a result as an alarm (its kind the
// refusal's code) and returns it: every result the centre refuses is
// for people to see, since a registered key signed it.
func (c *Centre) refuseAlarm(ctx context.Context, stationName, resultID string, ref *examsync.Refusal) *examsync.Refusal {
	if ref.Status == http.StatusServiceUnavailable {
		return ref
	}
	c.alarm(ctx, ref.Code, stationName, "result "+resultID, ref.Reason)
	return ref
}

// Alarm kinds raised by an examiner import.
const (
	alarmCertificateWithdrawn = "certificate-withdrawn"
	alarmCertificateShortened = "certificate-shortened"
)

// alarmUncovered raises, inside an examiner import's transaction, an
// alarm listing the results already receipted that were examined by the
// row's examiner in its category on dates the registry no longer covers
// (after coversTo; all of them when it is ”, a withdrawal). They stay
// in the log: people review them.
func (c *Centre) alarmUncovered(ctx context.Context, tx *sql.Tx, r ExaminerRow, old examsync.Certificate, coversTo string) error {
	rows, err := tx.QueryContext(ctx, `SELECT r.id, r.station, r.date, b.body FROM results r JOIN result_bodies b ON b.log_index = r.log_index WHERE r.category = ? AND r.date > ? ORDER BY r.log_index`, r.Category, coversTo)
	if err != nil {
		return err
	}
	defer rows.Close()
	var list []string
	for rows.Next() {
		var id, st, date string
		var body []byte
		if err := rows.Scan(&id, &st, &date, &body); err != nil {
			return err
		}
		if examinedBy(body, r.ID) {
			list = append(list, fmt.Sprintf("%s (%s, station %s)", id, date, st))
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if len(list) == 0 {
		return nil
	}
	kind, what := alarmCertificateShortened, "now ends on "+coversTo
	if coversTo == "" {
		kind, what = alarmCertificateWithdrawn, "is withdrawn (是否持证 否)"
	}
	detail := fmt.Sprintf("%s certificate %s (valid %s to %s) %s; %d result(s) already receipted were examined by them on dates it no longer covers, for review: %s",
		r.Category, old.Number, old.ValidFrom, old.ValidTo, what, len(list), strings.Join(list, ", "))
	_, err = tx.ExecContext(ctx, `INSERT INTO alarms (at_ms, kind, station, subject, detail) VALUES (?, ?, ?, ?, ?)`,
		c.nowMs(), kind, "", fmt.Sprintf("examiner %s (%s)", r.Name, r.ID), detail)
	return err
}

// examinedBy reports whether a stored result bundle names examinerID
// among its examiners (the bundle verified when it was received).
func examinedBy(body []byte, examinerID string) bool {
	b, err := examsync.DecodeBundle(body)
	if err != nil {
		return false
	}
	var d struct {
		Examiners []struct {
			ID string `json:"id"`
		} `json:"examiners"`
	}
	if json.Unmarshal(standards.SplitNote([]byte(b.Result)), &d) != nil {
		return false
	}
	return slices.ContainsFunc(d.Examiners, func(x struct {
		ID string `json:"id"`
	}) bool {
		return x.ID == examinerID
	})
}
