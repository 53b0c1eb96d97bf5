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
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// The Merkle log holds one record per accepted result
// (examsync.Record: id, station, SHA-256 of the exact bytes). Its stored
// hashes live in log_hashes, numbered by tlog.StoredHashIndex, so an
// append writes O(log n) rows and a proof reads O(log n) rows. Every
// append signs a checkpoint, kept in checkpoints, so that any two
// receipts a station holds can be proved consistent.

// hashReader reads stored hashes through q (a transaction sees its own
// appends).
type hashReader struct {
	ctx context.Context
	q   queryer
}

func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		var b []byte
		if err := r.q.QueryRowContext(r.ctx, `SELECT hash FROM log_hashes WHERE idx = ?`, idx).Scan(&b); err != nil {
			return nil, fmt.Errorf("log hash %d: %w", idx, translate(err))
		}
		if len(b) != tlog.HashSize {
			return nil, fmt.Errorf("log hash %d: %d bytes", idx, len(b))
		}
		copy(out[i][:], b)
	}
	return out, nil
}

func logSize(ctx context.Context, q queryer) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, `SELECT coalesce(max(i) + 1, 0) FROM (SELECT max(log_index) AS i FROM results UNION ALL SELECT max(log_index) FROM appeal_records)`).Scan(&n)
	return n, translate(err)
}

// appendRecord appends a record at index n (the current size) inside tx
// and returns the signed checkpoint of the new tree and the record's
// inclusion proof.
func (c *Centre) appendRecord(ctx context.Context, tx *sql.Tx, n int64, record []byte) ([]byte, tlog.RecordProof, error) {
	r := hashReader{ctx, tx}
	hashes, err := tlog.StoredHashes(n, record, r)
	if err != nil {
		return nil, nil, fmt.Errorf("log append: %w", err)
	}
	base := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		if _, err := tx.ExecContext(ctx, `INSERT INTO log_hashes (idx, hash) VALUES (?, ?)`, base+int64(i), h[:]); err != nil {
			return nil, nil, fmt.Errorf("log append: %w", err)
		}
	}
	root, err := tlog.TreeHash(n+1, r)
	if err != nil {
		return nil, nil, fmt.Errorf("log append: %w", err)
	}
	signed, err := c.signCheckpoint(ctx, tx, n+1, root)
	if err != nil {
		return nil, nil, err
	}
	proof, err := tlog.ProveRecord(n+1, n, r)
	if err != nil {
		return nil, nil, fmt.Errorf("log append: %w", err)
	}
	return signed, proof, nil
}

func (c *Centre) signCheckpoint(ctx context.Context, q queryer, size int64, root tlog.Hash) ([]byte, error) {
	signed, err := examsync.SignText(examsync.CheckpointText(c.signer.Name(), size, root), c.signer)
	if err != nil {
		return nil, err
	}
	if _, err := q.ExecContext(ctx, `INSERT INTO checkpoints (size, signed) VALUES (?, ?) ON CONFLICT (size) DO NOTHING`, size, signed); err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", size, err)
	}
	// A checkpoint of this size may exist already (the empty tree): keep
	// the first, so that one size has one signed text.
	var kept []byte
	err = q.QueryRowContext(ctx, `SELECT signed FROM checkpoints WHERE size = ?`, size).Scan(&kept)
	return kept, translate(err)
}

// Checkpoint returns the log's newest signed checkpoint.
func (c *Centre) Checkpoint(ctx context.Context) ([]byte, error) {
	var signed []byte
	err := c.db.QueryRowContext(ctx, `SELECT signed FROM checkpoints ORDER BY size DESC LIMIT 1`).Scan(&signed)
	if errors.Is(err, sql.ErrNoRows) {
		// The empty log's checkpoint (root: the zero hash).
		return c.signCheckpoint(ctx, c.db, 0, tlog.Hash{})
	}
	return signed, translate(err)
}

// Consistency proves that the log of size old is a prefix of the log of
// size new.
func (c *Centre) Consistency(ctx context.Context, old, new int64) (*examsync.Consistency, error) {
	size, err := logSize(ctx, c.db)
	if err != nil {
		return nil, err
	}
	if new > size || old < 0 || old > new {
		return nil, examsync.Refuse(http.StatusBadRequest, "bad-size", "the log has %d records: cannot prove %d to %d", size, old, new)
	}
	p := &examsync.Consistency{Old: old, New: new, Proof: []string{}}
	if old == 0 || old == new {
		return p, nil
	}
	proof, err := tlog.ProveTree(new, old, hashReader{ctx, c.db})
	if err != nil {
		return nil, fmt.Errorf("consistency %d..%d: %w", old, new, err)
	}
	p.Proof = examsync.EncodeHashes(proof)
	return p, nil
}

// LogReport is what VerifyLog checked.
type LogReport struct {
	Records     int64
	Checkpoints int
	Receipts    int
	Rescored    int
	Appeals     int // appeal states among the records
	Root        tlog.Hash
}

// VerifyLog checks the whole log from the stored results alone: each
// body's SHA-256, the records rebuilt from scratch into a fresh tree whose
// stored hashes must equal the table's, every signed checkpoint's
// signature and root, every receipt as a station would check it, and (if
// rescore) every result verified and re-scored again.
func (c *Centre) VerifyLog(ctx context.Context, rescore bool) (*LogReport, error) {
	rep := &LogReport{}
	mem := memHashes{}
	// Results and appeal states share the log's numbering.
	rows, err := c.db.QueryContext(ctx, `SELECT log_index, id, station, sha256, body, receipt, 0 FROM results
		UNION ALL SELECT log_index, appeal || '/' || seq, '', sha256, signed, receipt, 1 FROM appeal_records ORDER BY log_index`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	type held struct {
		id, station string
		body, rcpt  []byte
		appeal      bool
	}
	var results []held
	for rows.Next() {
		var idx int64
		var h held
		var sum string
		if err := rows.Scan(&idx, &h.id, &h.station, &sum, &h.body, &h.rcpt, &h.appeal); err != nil {
			return nil, err
		}
		if idx != rep.Records {
			return rep, fmt.Errorf("log index %d is missing (found %d next)", rep.Records, idx)
		}
		got := sha256.Sum256(h.body)
		if hex.EncodeToString(got[:]) != sum {
			return rep, fmt.Errorf("record %d (result %s): the stored bytes' SHA-256 is not the logged one", idx, h.id)
		}
		record := examsync.Record(h.id, h.station, sum)
		if h.appeal {
			record = examsync.AppealRecord(h.id, "", sum)
		}
		hashes, err := tlog.StoredHashes(idx, record, mem)
		if err != nil {
			return rep, err
		}
		mem = append(mem, hashes...)
		results = append(results, h)
		rep.Records++
	}
	if err := rows.Err(); err != nil {
		return rep, err
	}
	rows.Close()
	var stored int64
	if err := c.db.QueryRowContext(ctx, `SELECT count(*) FROM log_hashes`).Scan(&stored); err != nil {
		return rep, err
	}
	if stored != int64(len(mem)) {
		return rep, fmt.Errorf("the log stores %d hashes; %d records need %d", stored, rep.Records, len(mem))
	}
	dbHashes := hashReader{ctx, c.db}
	for i := range mem {
		h, err := dbHashes.ReadHashes([]int64{int64(i)})
		if err != nil {
			return rep, err
		}
		if h[0] != mem[i] {
			return rep, fmt.Errorf("stored hash %d differs from the one the records give", i)
		}
	}
	if rep.Records > 0 {
		if rep.Root, err = tlog.TreeHash(rep.Records, mem); err != nil {
			return rep, err
		}
	}
	cps, err := c.db.QueryContext(ctx, `SELECT size, signed FROM checkpoints ORDER BY size`)
	if err != nil {
		return rep, translate(err)
	}
	defer cps.Close()
	for cps.Next() {
		var size int64
		var signed []byte
		if err := cps.Scan(&size, &signed); err != nil {
			return rep, err
		}
		cp, err := examsync.OpenCheckpoint(signed, c.verifier)
		if err != nil {
			return rep, fmt.Errorf("checkpoint %d: %w", size, err)
		}
		if cp.Size != size || size > rep.Records {
			return rep, fmt.Errorf("checkpoint %d: says size %d of a log of %d", size, cp.Size, rep.Records)
		}
		var want tlog.Hash
		if size > 0 {
			if want, err = tlog.TreeHash(size, mem); err != nil {
				return rep, err
			}
		}
		if cp.Root != want {
			return rep, fmt.Errorf("checkpoint %d: its root is not the tree's", size)
		}
		rep.Checkpoints++
	}
	if err := cps.Err(); err != nil {
		return rep, err
	}
	for i, h := range results {
		if h.appeal {
			r, _, err := examsync.VerifyAppealReceipt(h.rcpt, c.verifier, h.id, h.body)
			if err != nil {
				return rep, fmt.Errorf("record %d (appeal %s): %w", i, h.id, err)
			}
			if r.Index != int64(i) {
				return rep, fmt.Errorf("record %d (appeal %s): the receipt names index %d", i, h.id, r.Index)
			}
			d, err := c.openAppealDoc(h.body)
			if err != nil {
				return rep, fmt.Errorf("record %d (appeal %s): %w", i, h.id, err)
			}
			if rescore {
				// The appeal is about the held bytes, and its re-score
				// (if any) is redone from them and the reviewer's marks.
				body, err := c.ResultBody(ctx, d.Result)
				if err != nil {
					return rep, fmt.Errorf("record %d (appeal %s): result %s: %w", i, h.id, d.Result, err)
				}
				if err := CheckAppeal(d, body); err != nil {
					return rep, fmt.Errorf("record %d (appeal %s): %w", i, h.id, err)
				}
			}
			rep.Receipts++
			rep.Appeals++
			continue
		}
		r, _, err := examsync.VerifyReceipt(h.rcpt, c.verifier, h.id, h.station, h.body)
		if err != nil {
			return rep, fmt.Errorf("record %d (result %s): %w", i, h.id, err)
		}
		if r.Index != int64(i) {
			return rep, fmt.Errorf("record %d (result %s): the receipt names index %d", i, h.id, r.Index)
		}
		rep.Receipts++
		if err := c.rowMatchesBody(ctx, h.id, h.body); err != nil {
			return rep, fmt.Errorf("record %d (result %s): %w", i, h.id, err)
		}
		if rescore {
			key, err := c.StationKey(ctx, h.station)
			if err != nil {
				return rep, fmt.Errorf("record %d (result %s): station %s: %w", i, h.id, h.station, err)
			}
			if _, err := c.bundles.Verify(h.body, []string{key}, nil); err != nil {
				return rep, fmt.Errorf("record %d (result %s): %w", i, h.id, err)
			}
			rep.Rescored++
		}
	}
	return rep, nil
}

// rowMatchesBody checks the columns of a result's row — what exports
// and people read — against the signed result the row holds: a row edited
// in the database would otherwise be exported while the log still
// verifies.
func (c *Centre) rowMatchesBody(ctx context.Context, id string, body []byte) error {
	b, err := station.DecodeBundle(body)
	if err != nil {
		return err
	}
	var doc station.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		return fmt.Errorf("the signed result: %w", err)
	}
	var names []string
	for _, x := range doc.Examiners {
		names = append(names, x.Name)
	}
	want := []any{doc.Station, doc.Site, doc.Plan, doc.Date, doc.Category, doc.Candidate.IDNumber, doc.Candidate.Name, int64(doc.Candidate.Attempt),
		doc.Paper.Total.String(), doc.Paper.Passed, strings.Join(names, "、")}
	var attempt int64
	var passed bool
	var stn, site, plan, date, category, candidate, name, total, examiners string
	err = c.db.QueryRowContext(ctx, `SELECT station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners FROM results WHERE id = ?`, id).
		Scan(&stn, &site, &plan, &date, &category, &candidate, &name, &attempt, &total, &passed, &examiners)
	if err != nil {
		return translate(err)
	}
	got := []any{stn, site, plan, date, category, candidate, name, attempt, total, passed, examiners}
	cols := []string{"station", "site", "plan", "date", "category", "candidate", "name", "attempt", "total", "passed", "examiners"}
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("the results table says %s %v, the signed result %v: the row was edited (exports read the row)", cols[i], got[i], want[i])
		}
	}
	return nil
}

// memHashes is a log's stored hashes in memory, by index.
type memHashes []tlog.Hash

func (m memHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		if idx < 0 || idx >= int64(len(m)) {
			return nil, fmt.Errorf("hash %d not stored", idx)
		}
		out[i] = m[idx]
	}
	return out, nil
}
