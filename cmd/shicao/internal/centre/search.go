package centre

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	examsync "shicao/sync"
)

// ResultQuery is a search of the results the console offers: every
// field given must match (empty fields match anything). Examiner matches
// a name within the result's examiners.
type ResultQuery struct {
	IDNumber, Name, Date, Site, Category, Station, Examiner string
}

// SearchResults returns up to limit results matching q, newest first
// (by log index), older than the log index before (-1: from the newest),
// and whether more follow. It reads the results table's narrow columns
// only, never a result's body: each field is an index range
// (migration 0007) and a page is a LIMIT on it.
func (c *Centre) SearchResults(ctx context.Context, q ResultQuery, before int64, limit int) ([]ResultRow, bool, error) {
	var where []string
	var args []any
	for _, f := range []struct{ col, val string }{
		{"candidate", q.IDNumber}, {"name", q.Name}, {"date", q.Date}, {"site", q.Site}, {"category", q.Category}, {"station", q.Station},
	} {
		if v := strings.TrimSpace(f.val); v != "" {
			where, args = append(where, f.col+" = ?"), append(args, v)
		}
	}
	if v := strings.TrimSpace(q.Examiner); v != "" {
		// Examiners are kept as one column of names; instr() is exact
		// text within it (no LIKE wildcards from the query).
		where, args = append(where, "instr(examiners, ?) > 0"), append(args, v)
	}
	if before >= 0 {
		where, args = append(where, "log_index < ?"), append(args, before)
	}
	sqlText := `SELECT id, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, log_index, sha256, received_ms FROM results`
	if len(where) > 0 {
		sqlText += " WHERE " + strings.Join(where, " AND ")
	}
	rows, err := c.db.QueryContext(ctx, sqlText+` ORDER BY log_index DESC LIMIT ?`, append(args, limit+1)...)
	if err != nil {
		return nil, false, translate(err)
	}
	defer rows.Close()
	var out []ResultRow
	for rows.Next() {
		var r ResultRow
		if err := rows.Scan(&r.ID, &r.Station, &r.Site, &r.Plan, &r.Date, &r.Category, &r.Candidate, &r.Name, &r.Attempt, &r.Total, &r.Passed, &r.Examiners, &r.Index, &r.SHA256, &r.ReceivedMs); err != nil {
			return nil, false, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, false, err
	}
	more := len(out) > limit
	if more {
		out = out[:limit]
	}
	return out, more, nil
}

// ResultByID returns a result's row (not its body), or ErrNotFound.
func (c *Centre) ResultByID(ctx context.Context, id string) (*ResultRow, error) {
	var r ResultRow
	err := c.db.QueryRowContext(ctx, `SELECT id, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, log_index, sha256, received_ms
		FROM results WHERE id = ?`, id).Scan(&r.ID, &r.Station, &r.Site, &r.Plan, &r.Date, &r.Category, &r.Candidate, &r.Name, &r.Attempt, &r.Total, &r.Passed, &r.Examiners, &r.Index, &r.SHA256, &r.ReceivedMs)
	if err != nil {
		return nil, translate(err)
	}
	return &r, nil
}

// ResultReceipt returns the receipt the centre gave for a result.
func (c *Centre) ResultReceipt(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := c.db.QueryRowContext(ctx, `SELECT receipt FROM results WHERE id = ?`, id).Scan(&b)
	return b, translate(err)
}

// ResultCheck is what VerifyResult found for one result.
type ResultCheck struct {
	Signers    []string // the names of the keys that signed the result
	Items      int      // items re-scored identically
	Index      int64    // the record's index in the log
	Checkpoint int64    // the size of the receipt's checkpoint
}

// VerifyResult checks one held result again, as log verify does for
// every one: the stored bytes' SHA-256, the station's signature, the
// standards' hashes, every item's event chain and a re-score of every
// item and the paper (the same verifier as Ingest), the row's columns
// against the signed result, the receipt's signature and inclusion proof
// under the centre key, and the log's stored leaf for the record. It
// returns ErrNotFound for an unknown id, and otherwise an error saying
// what does not verify.
func (c *Centre) VerifyResult(ctx context.Context, id string) (*ResultCheck, error) {
	row, err := c.ResultByID(ctx, id)
	if err != nil {
		return nil, err
	}
	body, err := c.ResultBody(ctx, id)
	if err != nil {
		return nil, err
	}
	if got := sha256.Sum256(body); hex.EncodeToString(got[:]) != row.SHA256 {
		return nil, errors.New("the stored bytes' SHA-256 is not the logged one")
	}
	key, err := c.StationKey(ctx, row.Station)
	if err != nil {
		return nil, fmt.Errorf("station %s: %w", row.Station, err)
	}
	v, err := c.bundles.Verify(body, []string{key}, nil)
	if err != nil {
		return nil, err
	}
	if err := rowMatchesBody(row, body); err != nil {
		return nil, err
	}
	rcpt, err := c.ResultReceipt(ctx, id)
	if err != nil {
		return nil, err
	}
	r, cp, err := examsync.VerifyReceipt(rcpt, c.verifier, id, row.Station, body)
	if err != nil {
		return nil, fmt.Errorf("the receipt: %w", err)
	}
	if r.Index != row.Index {
		return nil, fmt.Errorf("the receipt names log index %d, the row %d", r.Index, row.Index)
	}
	leaf, err := hashReader{ctx, c.db}.ReadHashes([]int64{tlog.StoredHashIndex(0, row.Index)})
	if err != nil {
		return nil, fmt.Errorf("the log's record %d: %w", row.Index, err)
	}
	if leaf[0] != tlog.RecordHash(examsync.Record(id, row.Station, row.SHA256)) {
		return nil, fmt.Errorf("the log's stored hash for record %d is not this result's", row.Index)
	}
	return &ResultCheck{Signers: v.Signers, Items: len(v.Doc.Items), Index: row.Index, Checkpoint: cp.Size}, nil
}
