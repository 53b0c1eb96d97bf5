package centre

import (
	"context"
	"database/sql"
	"fmt"
	"slices"

	"golang.org/x/mod/sumdb/tlog"

	"shicao/cmd/shicao/internal/pgdb"
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
	read func(indexes []int64) (map[int64]tlog.Hash, error)
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
		got, err := a.read(miss)
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

// computeAppend computes, reading stored hashes through a, the hashes
// that appending record at index n stores (held in a as well), the
// tree hash of size n+1 and the record's inclusion proof in it.
func computeAppend(n int64, record []byte, a *appendHashes) ([]tlog.Hash, tlog.Hash, tlog.RecordProof, error) {
	hashes, err := tlog.StoredHashes(n, record, a)
	if err != nil {
		return nil, tlog.Hash{}, nil, err
	}
	base := tlog.StoredHashIndex(0, n)
	for i, h := range hashes {
		a.have[base+int64(i)] = h
	}
	root, err := tlog.TreeHash(n+1, a)
	if err != nil {
		return nil, tlog.Hash{}, nil, err
	}
	proof, err := tlog.ProveRecord(n+1, n, a)
	return hashes, root, proof, err
}

// appendReads returns the indexes of the stored hashes an append at
// index n reads: which they are depends on n alone, so a dry run with
// stand-in hashes finds them.
func appendReads(n int64) []int64 {
	var asked []int64
	a := &appendHashes{have: map[int64]tlog.Hash{}, read: func(indexes []int64) (map[int64]tlog.Hash, error) {
		asked = append(asked, indexes...)
		got := make(map[int64]tlog.Hash, len(indexes))
		for _, idx := range indexes {
			got[idx] = tlog.Hash{}
		}
		return got, nil
	}}
	if _, _, _, err := computeAppend(n, nil, a); err != nil {
		return nil
	}
	return asked
}

// prefetchHashes queues on b the read of the stored hashes an append
// reads if the log's size is the one this process last appended at (a
// guess: another process may have appended since, and then the append
// reads what it lacks), so that they come in the round trip that takes
// the log's lock. The map is filled when b is sent.
func (c *Centre) prefetchHashes(b *pgdb.Batch) map[int64]tlog.Hash {
	got := map[int64]tlog.Hash{}
	n := c.sizeHint.Load()
	if n < 0 {
		return got
	}
	indexes := appendReads(n)
	if len(indexes) == 0 || len(indexes) > hashesPerQuery {
		return got
	}
	args := make([]any, len(indexes))
	for i, idx := range indexes {
		args[i] = idx
	}
	b.Query(`SELECT idx, hash FROM log_hashes WHERE idx IN `+placeholders(1, len(indexes)), args, func(scan func(...any) error) error {
		var idx int64
		var h []byte
		if err := scan(&idx, &h); err != nil {
			return err
		}
		if len(h) != tlog.HashSize {
			return fmt.Errorf("log hash %d: %d bytes", idx, len(h))
		}
		got[idx] = tlog.Hash(h)
		return nil
	})
	return got
}

// logSizeQuery selects the log's size: results and appeal states share
// its numbering.
const logSizeQuery = `SELECT coalesce(max(i) + 1, 0) FROM (SELECT max(log_index) AS i FROM results UNION ALL SELECT max(log_index) FROM appeal_records) AS sizes`

func logSize(ctx context.Context, q queryer) (int64, error) {
	var n int64
	err := q.QueryRowContext(ctx, logSizeQuery).Scan(&n)
	return n, translate(err)
}

// logAppend is one append to the Merkle log, computed under the log's
// lock, its writes queued on a batch.
type logAppend struct {
	size       int64 // the tree's size after it
	signed     []byte
	proof      tlog.RecordProof
	checkpoint int // the checkpoint's insert in the batch
}

// queueAppend computes the append of record at index n (the current
// size) and queues its writes on w: the new stored hashes and the signed
// checkpoint of the new tree. have holds stored hashes read already (by
// prefetchHashes); the others are read through tx.
func (c *Centre) queueAppend(ctx context.Context, tx *sql.Tx, w *pgdb.Batch, n int64, record []byte, have map[int64]tlog.Hash) (*logAppend, error) {
	a := &appendHashes{read: hashReader{ctx, tx}.read, have: have}
	hashes, root, proof, err := computeAppend(n, record, a)
	if err != nil {
		return nil, fmt.Errorf("log append: %w", err)
	}
	base := tlog.StoredHashIndex(0, n)
	args := make([]any, 0, 2*len(hashes))
	for i, h := range hashes {
		args = append(args, base+int64(i), h[:])
	}
	w.Exec(`INSERT INTO log_hashes (idx, hash) VALUES `+placeholders(len(hashes), 2), args...)
	signed, err := examsync.SignText(examsync.CheckpointText(c.signer.Name(), n+1, root), c.signer)
	if err != nil {
		return nil, err
	}
	cp := w.Exec(`INSERT INTO checkpoints (size, signed) VALUES (?, ?) ON CONFLICT (size) DO NOTHING`, n+1, signed)
	// The next append's guess at the log's size (prefetchHashes); if
	// this one rolls back, that append reads what the guess missed.
	c.sizeHint.Store(n + 1)
	return &logAppend{size: n + 1, signed: signed, proof: proof, checkpoint: cp}, nil
}

// kept returns, once w is sent, the checkpoint kept for the append's
// size: its own, or one of that size held already (one size has one
// signed text).
func (la *logAppend) kept(ctx context.Context, q queryer, w *pgdb.Batch) ([]byte, error) {
	if w.RowsAffected(la.checkpoint) == 1 {
		return la.signed, nil
	}
	var kept []byte
	err := q.QueryRowContext(ctx, `SELECT signed FROM checkpoints WHERE size = ?`, la.size).Scan(&kept)
	return kept, translate(err)
}

// appendRecord appends a record at index n (the current size) inside tx
// and returns the signed checkpoint of the new tree and the record's
// inclusion proof.
func (c *Centre) appendRecord(ctx context.Context, tx *sql.Tx, n int64, record []byte) ([]byte, tlog.RecordProof, error) {
	var w pgdb.Batch
	la, err := c.queueAppend(ctx, tx, &w, n, record, map[int64]tlog.Hash{})
	if err != nil {
		return nil, nil, err
	}
	if err := c.send(ctx, tx, &w); err != nil {
		return nil, nil, fmt.Errorf("log append: %w", err)
	}
	signed, err := la.kept(ctx, tx, &w)
	if err != nil {
		return nil, nil, fmt.Errorf("checkpoint %d: %w", la.size, err)
	}
	return signed, la.proof, nil
}

// send sends b inside tx: one round trip on PostgreSQL.
func (c *Centre) send(ctx context.Context, tx *sql.Tx, b *pgdb.Batch) error {
	return pgdb.Send(ctx, tx, b, c.pg)
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
