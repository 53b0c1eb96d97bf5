package centre

import (
	"context"
	"fmt"
	"net/http"
	"slices"

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
func checkInForce(doc *examsync.ResultDoc, pub published, err error) *examsync.Refusal {
	day, derr := standards.ParseDate(doc.Date)
	if derr != nil {
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
		if err != nil {
			return examsync.Refuse(http.StatusServiceUnavailable, examsync.CodeBusy, "read the published versions of %s: %v", r.ref.ID, err)
		}
		versions, err := pub.spans(r.ref.ID)
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

// published holds every published version of some standards and
// blueprints, by id, oldest first: what the relayed and in-force checks
// compare a result with, read in one query.
type published map[string][]publishedVersion

type publishedVersion struct {
	version                    int
	sha256, effective, expires string
}

// publishedOf returns every published version of the blueprint and the
// standards doc names.
func (c *Centre) publishedOf(ctx context.Context, doc *examsync.ResultDoc) (published, error) {
	ids := []any{doc.Blueprint.ID}
	for _, it := range doc.Items {
		if !slices.Contains(ids, any(it.Standard.ID)) {
			ids = append(ids, it.Standard.ID)
		}
	}
	rows, err := c.db.QueryContext(ctx, `SELECT id, version, sha256, effective, expires FROM standards WHERE id IN `+placeholders(1, len(ids))+` ORDER BY id, version`, ids...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	pub := published{}
	for rows.Next() {
		var id string
		var v publishedVersion
		if err := rows.Scan(&id, &v.version, &v.sha256, &v.effective, &v.expires); err != nil {
			return nil, err
		}
		pub[id] = append(pub[id], v)
	}
	return pub, rows.Err()
}

// sha256 returns the hash of the published version ref names.
func (p published) sha256(ref examsync.StandardRef) (string, bool) {
	for _, v := range p[ref.ID] {
		if v.version == ref.Version {
			return v.sha256, true
		}
	}
	return "", false
}

// spans returns the dates of every published version of id.
func (p published) spans(id string) ([]standards.Span, error) {
	var out []standards.Span
	for _, v := range p[id] {
		sp := standards.Span{Version: v.version}
		var err error
		if sp.Effective, err = standards.ParseDate(v.effective); err != nil {
			return nil, fmt.Errorf("published %s version %d: effective: %w", id, v.version, err)
		}
		if v.expires != "" {
			if sp.Expires, err = standards.ParseDate(v.expires); err != nil {
				return nil, fmt.Errorf("published %s version %d: expires: %w", id, v.version, err)
			}
		}
		out = append(out, sp)
	}
	return out, nil
}
