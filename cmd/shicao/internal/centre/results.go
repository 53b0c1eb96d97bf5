package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"shicao/cmd/shicao/internal/pgdb"
	"shicao/standards"
	examsync "shicao/sync"
)

// The results table holds the narrow columns every list, export and
// sync reads; result_bodies holds the exact bytes received, by log index
// (migration 0006), read only by whoever needs the bytes themselves: the
// body download and log verify.

// queueResult queues on w the storing of an accepted result at log
// index n: its row, its body and what it adds to the day's figures (f,
// whose institution the row records).
func queueResult(w *pgdb.Batch, n int64, stationName string, doc *examsync.ResultDoc, f facts, sha256Hex string, body *resultBody, receipt []byte, receivedMs int64) {
	var names []string
	for _, x := range doc.Examiners {
		names = append(names, x.Name)
	}
	identity, reason := "", ""
	if doc.Identity != nil {
		identity, reason = doc.Identity.Method, doc.Identity.Reason
	}
	w.Exec(`INSERT INTO results (id, log_index, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, sha256, receipt, received_ms, identity, identity_reason, institution)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		doc.ID, n, stationName, doc.Site, doc.Plan, doc.Date, doc.Category, doc.Candidate.IDNumber, doc.Candidate.Name, doc.Candidate.Attempt,
		doc.Paper.Total.String(), doc.Paper.Passed, strings.Join(names, "、"), sha256Hex, receipt, receivedMs, identity, reason, f.institution)
	body.place(w, n)
	f.queue(w)
}

// resultBody is a result's exact bytes on their way into result_bodies.
type resultBody struct {
	bytes []byte
	// staged is the key stage stored the bytes under (negative, so never
	// a log index); 0 until then.
	staged int64
}

// stage stores the bytes inside tx under a key of their own, before the
// log's lock (appendTx's first step, on PostgreSQL): storing a body of
// hundreds of KB, which PostgreSQL compresses, is the longest statement
// of an append, and needs no log index. place gives them their index
// under the lock; result_bodies' key to results is checked at the
// commit (PostgreSQL migration 0019), when they have it, and a
// transaction that does not append rolls back with the staged row.
func (b *resultBody) stage(ctx context.Context, tx *sql.Tx) error {
	// Two uploads staging under one key would only wait for each other.
	b.staged = -1 - rand.Int64N(math.MaxInt64-1)
	if _, err := tx.ExecContext(ctx, `INSERT INTO result_bodies (log_index, body) VALUES (?, ?)`, b.staged, b.bytes); err != nil {
		return fmt.Errorf("store the body: %w", err)
	}
	return nil
}

// place queues on w the storing of the bytes at log index n, or the
// giving of that index to the staged row (PostgreSQL keeps the stored
// value as it is: an update that leaves a column alone does not
// compress it again).
func (b *resultBody) place(w *pgdb.Batch, n int64) {
	if b.staged != 0 {
		w.Exec(`UPDATE result_bodies SET log_index = ? WHERE log_index = ?`, n, b.staged)
		return
	}
	w.Exec(`INSERT INTO result_bodies (log_index, body) VALUES (?, ?)`, n, b.bytes)
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
