package centre

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/tlog"

	examsync "shicao/sync"
)

// An append to the Merkle log (log.go) runs under the log's lock, where
// every statement waits for the one before it and, on PostgreSQL, for a
// round trip: an append reads the stored hashes it needs in one query,
// writes its new ones in another, and signs its checkpoint with a third.

// hashReader reads stored hashes through q (a transaction sees its own
// appends), all that one call asks for in one query.
type hashReader struct {
	ctx context.Context
	q   queryer
}

// hashesPerQuery bounds the placeholders of one read (a proof of a log
// of 2^63 records asks for fewer than 200 hashes).
const hashesPerQuery = 500

func (r hashReader) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	got, err := r.read(indexes)
	if err != nil {
		return nil, err
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := got[idx]
		if !ok {
			return nil, fmt.Errorf("log hash %d: %w", idx, ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

// read returns the stored hashes of indexes that exist, by index.
func (r hashReader) read(indexes []int64) (map[int64]tlog.Hash, error) {
	got := make(map[int64]tlog.Hash, len(indexes))
	for chunk := range slices.Chunk(indexes, hashesPerQuery) {
		args := make([]any, len(chunk))
		for i, idx := range chunk {
			args[i] = idx
		}
		rows, err := r.q.QueryContext(r.ctx, `SELECT idx, hash FROM log_hashes WHERE idx IN `+placeholders(1, len(chunk)), args...)
		if err != nil {
			return nil, fmt.Errorf("log hashes: %w", translate(err))
		}
		for rows.Next() {
			var idx int64
			var b []byte
			if err := rows.Scan(&idx, &b); err != nil {
				rows.Close()
				return nil, fmt.Errorf("log hashes: %w", err)
			}
			if len(b) != tlog.HashSize {
				rows.Close()
				return nil, fmt.Errorf("log hash %d: %d bytes", idx, len(b))
			}
			got[idx] = tlog.Hash(b)
		}
		err = rows.Err()
		if cerr := rows.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			return nil, fmt.Errorf("log hashes: %w", translate(err))
		}
	}
	return got, nil
}

// appendHashes is one append's view of the stored hashes: those it read
// and those it writes, held so that the new hashes, the new tree's hash
// and the record's proof (which ask for much the same hashes) read the
// table once between them.
type appendHashes struct {
	r    hashReader
	have map[int64]tlog.Hash
}

func (a *appendHashes) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	var miss []int64
	for _, idx := range indexes {
		if _, ok := a.have[idx]; !ok && !slices.Contains(miss, idx) {
			miss = append(miss, idx)
		}
	}
	if len(miss) > 0 {
		got, err := a.r.read(miss)
		if err != nil {
			return nil, err
		}
		for idx, h := range got {
			a.have[idx] = h
		}
	}
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		h, ok := a.have[idx]
		if !ok {
			return nil, fmt.Errorf("log hash %d: %w", idx, ErrNotFound)
		}
		out[i] = h
	}
	return out, nil
}

// logSizeQuery selects the log's size: results and appeal states share
// its numbering.
const logSizeQuery = `SELECT coalesce(max(i) + 1, 0) FROM (SELECT max(log_index) AS i FROM results UNION ALL SELECT max(log_index) FROM appeal_records) AS sizes`

func logSize(ctx context.Context, q queryer) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, logSizeQuery).Scan(&n)
	return n, translate(err)
}

// appendRecord appends a record at index n (the current size) inside tx
// and returns the signed checkpoint of the new tree and the record's
// inclusion proof.
func (c *Centre) appendRecord(ctx context.Context, tx *sql.Tx, n int64, record []byte) ([]byte, tlog.RecordProof, error) {
	r := &appendHashes{r: hashReader{ctx, tx}, have: map[int64]tlog.Hash{}}
	hashes, err := tlog.StoredHashes(n, record, r)
	if err != nil {
		return nil, nil, fmt.Errorf("log append: %w", err)
	}
	base := tlog.StoredHashIndex(0, n)
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		r.have[base+int64(i)] = h
		args = append(args, base+int64(i), h[:])
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO log_hashes (idx, hash) VALUES `+placeholders(len(hashes), 2), args...); err != nil {
		return nil, nil, fmt.Errorf("log append: %w", err)
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

// signCheckpoint signs the checkpoint of the log of size size and root,
// keeps it, and returns the one kept: a checkpoint of this size may
// exist already (the empty tree's), and one size has one signed text.
func (c *Centre) signCheckpoint(ctx context.Context, q queryer, size int64, root tlog.Hash) ([]byte, error) {
	signed, err := examsync.SignText(examsync.CheckpointText(c.signer.Name(), size, root), c.signer)
	if err != nil {
		return nil, err
	}
	res, err := q.ExecContext(ctx, `INSERT INTO checkpoints (size, signed) VALUES (?, ?) ON CONFLICT (size) DO NOTHING`, size, signed)
	if err != nil {
		return nil, fmt.Errorf("checkpoint %d: %w", size, err)
	}
	if n, err := res.RowsAffected(); err == nil && n == 1 {
		return signed, nil // kept: no need to read it back
	}
	var kept []byte
	err = q.QueryRowContext(ctx, `SELECT signed FROM checkpoints WHERE size = ?`, size).Scan(&kept)
	return kept, translate(err)
}
