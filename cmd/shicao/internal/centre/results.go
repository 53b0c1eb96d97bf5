package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"

	"shicao/standards"
	examsync "shicao/sync"
)

// The results table holds the narrow columns every list, export and
// sync reads; result_bodies holds the exact bytes received, by log index
// (migration 0006), read only by whoever needs the bytes themselves: the
// body download and log verify.

// insertResult stores an accepted result at log index n inside tx: its
// row, its body and what it adds to the day's figures (f, whose
// institution the row records).
func insertResult(ctx context.Context, tx *sql.Tx, n int64, stationName string, doc *examsync.ResultDoc, f facts, sha256Hex string, body, receipt []byte, receivedMs int64) error {
	var names []string
	for _, x := range doc.Examiners {
		names = append(names, x.Name)
	}
	identity, reason := "", ""
	if doc.Identity != nil {
		identity, reason = doc.Identity.Method, doc.Identity.Reason
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO results (id, log_index, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, sha256, receipt, received_ms, identity, identity_reason, institution)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		doc.ID, n, stationName, doc.Site, doc.Plan, doc.Date, doc.Category, doc.Candidate.IDNumber, doc.Candidate.Name, doc.Candidate.Attempt,
		doc.Paper.Total.String(), doc.Paper.Passed, strings.Join(names, "、"), sha256Hex, receipt, receivedMs, identity, reason, f.institution)
	if err != nil {
		return err
	}
	if _, err = tx.ExecContext(ctx, `INSERT INTO result_bodies (log_index, body) VALUES (?, ?)`, n, body); err != nil {
		return err
	}
	return f.write(ctx, tx)
}

// signedDoc reads the result document a body signs, without checking
// the signature (the caller verified it, or verifies it apart).
func signedDoc(body []byte) (*examsync.ResultDoc, error) {
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
