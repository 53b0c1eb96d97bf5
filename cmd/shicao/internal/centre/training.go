package centre

import (
	"context"

	examsync "shicao/sync"
)

// CodeTrainingResult (422) refuses a result signed with the training
// purpose (a station in training mode, 考培分离) sent as an exam result.
const CodeTrainingResult = "training-result"

// refuseTraining keeps a verified training result (training_results) and
// refuses it: a training result is never receipted nor appended to the
// exam log. The first time these bytes arrive it raises an alarm (kind
// CodeTrainingResult); the same bytes again are refused alike, kept once
// and alarmed once.
func (c *Centre) refuseTraining(ctx context.Context, stationName, hexSum string, body []byte, doc *examsync.ResultDoc) *examsync.Refusal {
	ref := refuse422(CodeTrainingResult, "result %s is a training result (purpose %s) of candidate %s at site %s: a training result is never an exam result; it is kept, not logged",
		doc.ID, doc.Purpose, doc.Candidate.IDNumber, doc.Site)
	res, err := c.db.ExecContext(ctx, `INSERT INTO training_results (sha256, result, station, site, candidate, body, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (sha256) DO NOTHING`, hexSum, doc.ID, stationName, doc.Site, doc.Candidate.IDNumber, body, c.nowMs())
	if err != nil {
		// Not kept: still refused, and the alarm says so.
		c.alarm(ctx, CodeTrainingResult, stationName, "result "+doc.ID, ref.Reason+" (keeping it failed: "+err.Error()+")")
		return ref
	}
	if n, _ := res.RowsAffected(); n > 0 {
		c.alarm(ctx, CodeTrainingResult, stationName, "result "+doc.ID, ref.Reason)
	}
	return ref
}

// TrainingResult is a training result a station sent as an exam result,
// as kept.
type TrainingResult struct {
	SHA256, Result, Station, Site, Candidate string
	AtMs                                     int64
	Body                                     []byte
}

// TrainingResults returns the training results refused as exam results,
// oldest first.
func (c *Centre) TrainingResults(ctx context.Context) ([]TrainingResult, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT sha256, result, station, site, candidate, at_ms, body FROM training_results ORDER BY at_ms, sha256`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []TrainingResult
	for rows.Next() {
		var t TrainingResult
		if err := rows.Scan(&t.SHA256, &t.Result, &t.Station, &t.Site, &t.Candidate, &t.AtMs, &t.Body); err != nil {
			return nil, translate(err)
		}
		out = append(out, t)
	}
	return out, translate(rows.Err())
}
