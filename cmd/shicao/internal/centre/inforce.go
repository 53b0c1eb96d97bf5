package centre

import (
	"context"
	"fmt"
	"net/http"

	"shicao/standards"
	examsync "shicao/sync"
)

// CodeNotInForce (422): an item or the blueprint was scored by a version
// that was not the one in force on the exam date.
const CodeNotInForce = "standard-not-in-force"

// checkInForce refuses a result whose blueprint or any item was not
// scored by the version of its standard in force on the exam date (the
// notice: score by the standard in force): of the versions this centre
// published, the newest whose effective date had come, not past its
// expires date. A version not yet effective, an older version after a
// newer one took effect and an expired version are each refused, with an
// alarm: the station is out of date or does not follow the rule, and the
// candidate's exam must be looked at. A version the centre never
// published is the relayed-standards check's to refuse.
func (c *Centre) checkInForce(ctx context.Context, stationName string, doc *examsync.ResultDoc) *examsync.Refusal {
	day, err := standards.ParseDate(doc.Date)
	if err != nil {
		return refuse422(CodePlanMismatch, "result %s: date %q", doc.ID, doc.Date)
	}
	refs := []struct {
		what string
		ref  examsync.StandardRef
	}{{"blueprint", doc.Blueprint}}
	for _, it := range doc.Items {
		refs = append(refs, struct {
			what string
			ref  examsync.StandardRef
		}{"subject " + it.Subject, it.Standard})
	}
	for _, r := range refs {
		versions, err := c.publishedSpans(ctx, r.ref.ID)
		if err != nil {
			return examsync.Refuse(http.StatusServiceUnavailable, examsync.CodeBusy, "read the published versions of %s: %v", r.ref.ID, err)
		}
		for _, v := range versions {
			if v.Version != r.ref.Version {
				continue
			}
			if why := standards.NotInForce(r.ref.ID, versions, v, day); why != "" {
				// The caller keeps the refusal as an alarm (refuseAlarm).
				return refuse422(CodeNotInForce, "result %s: %s: %s (candidate %s scored by a standard not in force)", doc.ID, r.what, why, doc.Candidate.IDNumber)
			}
		}
	}
	return nil
}

// publishedSpans returns the dates of every published version of id.
func (c *Centre) publishedSpans(ctx context.Context, id string) ([]standards.Span, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT version, effective, expires FROM standards WHERE id = ? ORDER BY version`, id)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []standards.Span
	for rows.Next() {
		var sp standards.Span
		var effective, expires string
		if err := rows.Scan(&sp.Version, &effective, &expires); err != nil {
			return nil, err
		}
		if sp.Effective, err = standards.ParseDate(effective); err != nil {
			return nil, fmt.Errorf("published %s version %d: effective: %w", id, sp.Version, err)
		}
		if expires != "" {
			if sp.Expires, err = standards.ParseDate(expires); err != nil {
				return nil, fmt.Errorf("published %s version %d: expires: %w", id, sp.Version, err)
			}
		}
		out = append(out, sp)
	}
	return out, rows.Err()
}
