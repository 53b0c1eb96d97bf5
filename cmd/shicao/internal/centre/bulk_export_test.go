package centre

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"

	"shicao/cmd/shicao/internal/pgdb"
	examsync "shicao/sync"
)

// AppendBulk appends bodies (results signed by stationName) to the log
// as Ingest does once its checks pass — the same append, receipt and
// rows — skipping the checks and committing every batch results, so
// that tests and benchmarks build a centre of 100,000 results in
// minutes. next returns the next body, or nil at the end.
func AppendBulk(ctx context.Context, c *Centre, stationName string, batch int, next func() ([]byte, error)) (int, error) {
	c.appendMu.Lock()
	defer c.appendMu.Unlock()
	total := 0
	var plans planInstitutions
	points := map[string]map[string]bool{} // judgedPoints by standard sha256
	for done := false; !done; {
		err := inTx(ctx, c.db, func(tx *sql.Tx) error {
			n, err := logSize(ctx, tx)
			if err != nil {
				return err
			}
			for range batch {
				body, err := next()
				if err != nil {
					return err
				}
				if body == nil {
					done = true
					return nil
				}
				doc, err := signedDoc(body)
				if err != nil {
					return err
				}
				sum := sha256.Sum256(body)
				hexSum := hex.EncodeToString(sum[:])
				checkpoint, proof, err := c.appendRecord(ctx, tx, n, examsync.Record(doc.ID, stationName, hexSum))
				if err != nil {
					return err
				}
				receipt, err := json.Marshal(examsync.Receipt{Kind: examsync.KindReceipt, Result: doc.ID, Station: stationName, SHA256: hexSum,
					Index: n, Checkpoint: string(checkpoint), Proof: examsync.EncodeHashes(proof)})
				if err != nil {
					return err
				}
				inst, err := plans.of(ctx, tx, doc)
				if err != nil {
					return err
				}
				judged, err := bulkJudged(body, doc, points)
				if err != nil {
					return fmt.Errorf("result %s: %w", doc.ID, err)
				}
				var w pgdb.Batch
				queueResult(&w, n, stationName, doc, factsOf(doc, inst, judged), hexSum, &resultBody{bytes: body}, receipt, c.nowMs())
				if err := c.send(ctx, tx, &w); err != nil {
					return fmt.Errorf("result %s: %w", doc.ID, err)
				}
				n++
				total++
			}
			return nil
		})
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// bulkJudged is judgedPoints for each item of doc, signed in body,
// parsing each standard once (points keeps them by SHA-256).
func bulkJudged(body []byte, doc *examsync.ResultDoc, points map[string]map[string]bool) ([]map[string]bool, error) {
	judged := make([]map[string]bool, len(doc.Items))
	for i := range doc.Items {
		it := &doc.Items[i]
		if points[it.Standard.SHA256] == nil {
			b, err := examsync.DecodeBundle(body)
			if err != nil {
				return nil, err
			}
			std, err := examsync.ItemStandard(&b, it, nil)
			if err != nil {
				return nil, err
			}
			points[it.Standard.SHA256] = judgedPoints(std)
		}
		judged[i] = points[it.Standard.SHA256]
	}
	return judged, nil
}

// LogLock is the advisory lock PostgreSQL appends take, for tests that
// hold it.
const LogLock = logLock

// SetSizeHint sets c's guess at the log's size (prefetchHashes), for
// tests of a wrong guess.
func SetSizeHint(c *Centre, n int64) { c.sizeHint.Store(n) }
