package centre

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"runtime"
	"slices"
	"strings"
	gosync "sync"

	"golang.org/x/mod/sumdb/tlog"

	examsync "shicao/sync"
)

// The Merkle log holds one record per accepted result
// (examsync.Record: id, station, SHA-256 of the exact bytes). Its stored
// hashes live in log_hashes, numbered by tlog.StoredHashIndex, so an
// append writes O(log n) rows and a proof reads O(log n) rows. Every
// append signs a checkpoint, kept in checkpoints, so that any two
// receipts a station holds can be proved consistent.

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
	// From is the first record whose body was checked (VerifyOptions.From).
	From int64
	// Next is the first record whose body is not yet known good: the
	// whole log's size when every check passed, else the record that
	// failed or that an interruption stopped at. A run with From = Next
	// goes on from there.
	Next int64
}

// VerifyOptions tune VerifyLogWith; the zero value checks everything
// but does not re-score.
type VerifyOptions struct {
	// Rescore verifies and re-scores every result again.
	Rescore bool
	// From skips the per-result checks (body hash, receipt, row, re-score)
	// of the records before it, which an earlier run checked: the tree,
	// the stored hashes and every checkpoint are still checked whole, from
	// the narrow columns alone.
	From int64
	// Workers is how many results are checked at once (GOMAXPROCS when 0).
	Workers int
}

// VerifyLog is VerifyLogWith over the whole log.
func (c *Centre) VerifyLog(ctx context.Context, rescore bool) (*LogReport, error) {
	return c.VerifyLogWith(ctx, VerifyOptions{Rescore: rescore})
}

// VerifyLogWith checks the log from the stored results alone: each
// body's SHA-256, the records rebuilt from scratch into a fresh tree whose
// stored hashes must equal the table's, every signed checkpoint's
// signature and root, every receipt as a station would check it, each
// row's columns against its signed result, and (if Rescore) every result
// verified and re-scored again.
//
// It reads one snapshot (a read transaction, which takes no write lock:
// the centre keeps ingesting) and streams it in log order, holding only
// the tree's frontier (a hash per level) and the few bodies being
// checked: memory does not grow with the log. Bodies are checked by
// Workers goroutines and their outcomes taken in log order, so the first
// failure reported is the first in the log, and LogReport.Next is where
// a later run may resume.
func (c *Centre) VerifyLogWith(ctx context.Context, opts VerifyOptions) (*LogReport, error) {
	rep := &LogReport{From: max(opts.From, 0), Next: max(opts.From, 0)}
	// ReadOnly makes the driver issue a deferred BEGIN, not the DSN's
	// BEGIN IMMEDIATE: a snapshot from the first read on, no write lock
	// (on PostgreSQL, pgdb makes it REPEATABLE READ, read through cursors).
	tx, err := c.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return rep, translate(err)
	}
	defer tx.Rollback()
	keys, err := stationKeys(ctx, tx)
	if err != nil {
		return rep, err
	}
	stored, cps, rows, err := openLogRows(ctx, tx, rep.From)
	if err != nil {
		return rep, err
	}
	defer stored.Close()
	defer cps.Close()
	defer rows.Close()

	w := &logWalk{c: c, rep: rep, stored: stored, cps: cps, checks: newBodyChecks(ctx, c, keys, opts), front: newFrontier()}
	w.pendingCP = cps.Next()
	fail := func(err error) (*LogReport, error) {
		next, _ := w.checks.stop()
		rep.Next = next
		return rep, err
	}
	if err := w.checkpointsUpTo(0); err != nil {
		return fail(err)
	}
	for rows.Next() {
		if err := w.next(rows); err != nil {
			return fail(err)
		}
	}
	if err := rows.Err(); err != nil {
		return fail(translate(err))
	}
	if err := w.end(); err != nil {
		return fail(err)
	}
	next, err := w.checks.stop()
	rep.Next = next
	rep.Receipts, rep.Rescored, rep.Appeals = w.checks.receipts, w.checks.rescored, w.checks.appeals
	if err != nil {
		return rep, err
	}
	if rep.Next < rep.Records {
		return rep, fmt.Errorf("record %d: not checked", rep.Next)
	}
	return rep, nil
}

// openLogRows queries, in one snapshot, the stored hashes, the signed
// checkpoints and the records (results and appeal states share the log's
// numbering) in log order, with the bodies of records from from on.
func openLogRows(ctx context.Context, tx *sql.Tx, from int64) (stored, cps, rows *sql.Rows, err error) {
	stored, err = tx.QueryContext(ctx, `SELECT idx, hash FROM log_hashes ORDER BY idx`)
	if err != nil {
		return nil, nil, nil, translate(err)
	}
	cps, err = tx.QueryContext(ctx, `SELECT size, signed FROM checkpoints ORDER BY size`)
	if err != nil {
		stored.Close()
		return nil, nil, nil, translate(err)
	}
	rows, err = tx.QueryContext(ctx, `SELECT r.log_index, r.id, r.station, r.site, r.plan_id, r.date, r.category, r.candidate, r.name, r.attempt, r.total, r.passed, r.examiners,
		r.sha256, r.receipt, CASE WHEN r.log_index >= ? THEN b.body END, 0
		FROM results r LEFT JOIN result_bodies b ON b.log_index = r.log_index
		UNION ALL SELECT a.log_index, a.appeal || '/' || a.seq, '', '', '', '', '', '', '', 0, '', 0, '',
		a.sha256, a.receipt, CASE WHEN a.log_index >= ? THEN a.signed END, 1
		FROM appeal_records a ORDER BY 1`, from, from)
	if err != nil {
		cps.Close()
		stored.Close()
		return nil, nil, nil, translate(err)
	}
	return stored, cps, rows, nil
}

// logWalk is VerifyLogWith's pass over a snapshot: the records in log
// order, the stored hashes and signed checkpoints read alongside them,
// the tree's frontier, and the bodies being checked.
type logWalk struct {
	c           *Centre
	rep         *LogReport
	stored, cps *sql.Rows
	pendingCP   bool // cps is on a checkpoint not yet checked
	nStored     int64
	front       *frontier
	checks      *bodyChecks
}

// checkpointsUpTo checks the signed checkpoints of sizes up to size
// (each must be exactly size: smaller ones were checked before).
func (w *logWalk) checkpointsUpTo(size int64) error {
	for ; w.pendingCP; w.pendingCP = w.cps.Next() {
		var at int64
		var signed []byte
		if err := w.cps.Scan(&at, &signed); err != nil {
			return err
		}
		if at > size {
			return nil
		}
		cp, err := examsync.OpenCheckpoint(signed, w.c.verifier)
		if err != nil {
			return fmt.Errorf("checkpoint %d: %w", at, err)
		}
		if cp.Size != at || at != size {
			return fmt.Errorf("checkpoint %d: says size %d of a log of %d", at, cp.Size, size)
		}
		var want tlog.Hash
		if size > 0 {
			if want, err = tlog.TreeHash(size, w.front); err != nil {
				return err
			}
		}
		if cp.Root != want {
			return fmt.Errorf("checkpoint %d: its root is not the tree's", at)
		}
		w.rep.Checkpoints++
	}
	return w.cps.Err()
}

// next takes the record rows is on: it must be the next index, its
// hashes must be the stored ones, the checkpoints up to it must hold, and
// from From on its body goes to be checked.
func (w *logWalk) next(rows *sql.Rows) error {
	rep := w.rep
	var rec resultRecord
	var sum string
	if err := rows.Scan(&rec.idx, &rec.ID, &rec.Station, &rec.Site, &rec.Plan, &rec.Date, &rec.Category, &rec.Candidate, &rec.Name, &rec.Attempt, &rec.Total, &rec.Passed, &rec.Examiners,
		&sum, &rec.receipt, &rec.body, &rec.appeal); err != nil {
		return err
	}
	rec.SHA256 = sum
	idx := rec.idx
	if idx != rep.Records {
		return fmt.Errorf("log index %d is missing (found %d next)", rep.Records, idx)
	}
	record := examsync.Record(rec.ID, rec.Station, sum)
	if rec.appeal {
		record = examsync.AppealRecord(rec.ID, "", sum)
	}
	hashes, err := tlog.StoredHashes(idx, record, w.front)
	if err != nil {
		return err
	}
	base := tlog.StoredHashIndex(0, idx)
	if err := w.matchStored(idx, base, hashes); err != nil {
		return err
	}
	w.front.add(base, hashes)
	rep.Records++
	if err := w.checkpointsUpTo(rep.Records); err != nil {
		return err
	}
	if idx >= rep.From {
		if rec.body == nil {
			return fmt.Errorf("record %d (%s %s): its body is missing", idx, rec.kind(), rec.ID)
		}
		if err := w.checks.add(&rec); err != nil {
			return err
		}
	}
	return nil
}

// matchStored reads the stored hashes from index base on and compares
// them with those record idx gives.
func (w *logWalk) matchStored(idx, base int64, hashes []tlog.Hash) error {
	for i, h := range hashes {
		if !w.stored.Next() {
			if err := w.stored.Err(); err != nil {
				return err
			}
			return fmt.Errorf("the log stores %d hashes; %d records need %d", w.nStored, idx+1, base+int64(len(hashes)))
		}
		var at int64
		var b []byte
		if err := w.stored.Scan(&at, &b); err != nil {
			return err
		}
		w.nStored++
		if at != base+int64(i) || len(b) != tlog.HashSize || tlog.Hash(b) != h {
			return fmt.Errorf("stored hash %d differs from the one the records give", base+int64(i))
		}
	}
	return nil
}

// end checks, after the last record, that no hash or checkpoint is left
// over, and takes the tree's root.
func (w *logWalk) end() error {
	rep := w.rep
	for w.stored.Next() {
		w.nStored++
	}
	if err := w.stored.Err(); err != nil {
		return err
	}
	if want := tlog.StoredHashCount(rep.Records); w.nStored != want {
		return fmt.Errorf("the log stores %d hashes; %d records need %d", w.nStored, rep.Records, want)
	}
	if w.pendingCP {
		var at int64
		var signed []byte
		if err := w.cps.Scan(&at, &signed); err != nil {
			return err
		}
		return fmt.Errorf("checkpoint %d: says size %d of a log of %d", at, at, rep.Records)
	}
	if err := w.cps.Err(); err != nil {
		return err
	}
	if rep.Records > 0 {
		var err error
		if rep.Root, err = tlog.TreeHash(rep.Records, w.front); err != nil {
			return err
		}
	}
	return nil
}

// stationKeys returns every registered station's verifier key, by name.
// Stations are bounded by the registry, not by the log.
func stationKeys(ctx context.Context, q queryer) (map[string]string, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, vkey FROM stations`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	keys := map[string]string{}
	for rows.Next() {
		var name, key string
		if err := rows.Scan(&name, &key); err != nil {
			return nil, err
		}
		keys[name] = key
	}
	return keys, rows.Err()
}

// resultRecord is a record's row as log verify reads it: a result, or
// (appeal) an appeal state, whose body is its signed document.
type resultRecord struct {
	ResultRow
	idx     int64
	receipt []byte
	body    []byte
	appeal  bool
}

func (r *resultRecord) kind() string {
	if r.appeal {
		return "appeal"
	}
	return "result"
}

// bodyChecks checks results' bodies on a bounded pool of workers and
// takes their outcomes in log order: at most a few bodies per worker are
// held at once.
type bodyChecks struct {
	c        *Centre
	keys     map[string]string
	rescore  bool
	ctx      context.Context
	cancel   context.CancelFunc
	jobs     chan *bodyCheck
	order    chan *bodyCheck
	workers  gosync.WaitGroup
	done     chan struct{}
	next     int64 // the first record not known good (collector's)
	err      error // the first failure in log order (collector's)
	receipts int
	rescored int
	appeals  int
	stopped  bool
}

type bodyCheck struct {
	rec  *resultRecord
	done chan error
}

func newBodyChecks(ctx context.Context, c *Centre, keys map[string]string, opts VerifyOptions) *bodyChecks {
	n := opts.Workers
	if n <= 0 {
		n = runtime.GOMAXPROCS(0)
	}
	ctx, cancel := context.WithCancel(ctx)
	bc := &bodyChecks{c: c, keys: keys, rescore: opts.Rescore, ctx: ctx, cancel: cancel,
		jobs: make(chan *bodyCheck), order: make(chan *bodyCheck, 2*n), done: make(chan struct{}), next: max(opts.From, 0)}
	for range n {
		bc.workers.Add(1)
		go func() {
			defer bc.workers.Done()
			for j := range bc.jobs {
				j.done <- bc.check(j.rec)
			}
		}()
	}
	go func() {
		defer close(bc.done)
		for j := range bc.order {
			var err error
			select {
			case err = <-j.done:
			case <-ctx.Done():
				err = ctx.Err()
			}
			if err != nil {
				bc.err = fmt.Errorf("record %d (%s %s): %w", j.rec.idx, j.rec.kind(), j.rec.ID, err)
				cancel()
				return
			}
			bc.receipts++
			switch {
			case j.rec.appeal:
				bc.appeals++
			case bc.rescore:
				bc.rescored++
			}
			bc.next = j.rec.idx + 1
		}
	}()
	return bc
}

// add queues a record's checks; it returns the first failure in log
// order if the checks have stopped.
func (bc *bodyChecks) add(rec *resultRecord) error {
	j := &bodyCheck{rec: rec, done: make(chan error, 1)}
	for _, send := range []func() bool{
		func() bool {
			select {
			case bc.order <- j:
				return true
			case <-bc.ctx.Done():
				return false
			}
		},
		func() bool {
			select {
			case bc.jobs <- j:
				return true
			case <-bc.ctx.Done():
				return false
			}
		},
	} {
		if !send() {
			_, err := bc.stop()
			return err
		}
	}
	return nil
}

// stop waits for the queued checks and returns the first record not
// known good and the first failure in log order.
func (bc *bodyChecks) stop() (int64, error) {
	if !bc.stopped {
		bc.stopped = true
		close(bc.jobs)
		close(bc.order)
		<-bc.done
		bc.cancel()
		bc.workers.Wait()
	}
	return bc.next, bc.err
}

// check is one record's own checks: its body's SHA-256 is the logged
// one, its receipt verifies as a station would check it, its row says
// what its signed result says, and (if rescore) the result verifies and
// re-scores again.
func (bc *bodyChecks) check(rec *resultRecord) error {
	got := sha256.Sum256(rec.body)
	if hex.EncodeToString(got[:]) != rec.SHA256 {
		return errors.New("the stored bytes' SHA-256 is not the logged one")
	}
	if rec.appeal {
		return bc.checkAppeal(rec)
	}
	r, _, err := examsync.VerifyReceipt(rec.receipt, bc.c.verifier, rec.ID, rec.Station, rec.body)
	if err != nil {
		return err
	}
	if r.Index != rec.idx {
		return fmt.Errorf("the receipt names index %d", r.Index)
	}
	if err := rowMatchesBody(&rec.ResultRow, rec.body); err != nil {
		return err
	}
	if bc.rescore {
		key, ok := bc.keys[rec.Station]
		if !ok {
			return fmt.Errorf("station %s: %w", rec.Station, examsync.ErrUnknownStation)
		}
		if _, err := bc.c.bundles.Verify(rec.body, []string{key}, nil); err != nil {
			return err
		}
	}
	return nil
}

// checkAppeal is an appeal state's own checks: its receipt verifies, it
// opens under the centre key, and (if rescore) it is about the held
// result's bytes and its re-score, if any, is redone from them and the
// reviewer's marks.
func (bc *bodyChecks) checkAppeal(rec *resultRecord) error {
	r, _, err := examsync.VerifyAppealReceipt(rec.receipt, bc.c.verifier, rec.ID, rec.body)
	if err != nil {
		return err
	}
	if r.Index != rec.idx {
		return fmt.Errorf("the receipt names index %d", r.Index)
	}
	d, err := bc.c.openAppealDoc(rec.body)
	if err != nil {
		return err
	}
	if bc.rescore {
		body, err := bc.c.ResultBody(bc.ctx, d.Result)
		if err != nil {
			return fmt.Errorf("result %s: %w", d.Result, err)
		}
		if err := CheckAppeal(d, body); err != nil {
			return err
		}
	}
	return nil
}

// rowMatchesBody checks the columns of a result's row — what exports
// and people read — against the signed result the row holds: a row edited
// in the database would otherwise be exported while the log still
// verifies.
func rowMatchesBody(row *ResultRow, body []byte) error {
	doc, err := signedDoc(body)
	if err != nil {
		return err
	}
	var names []string
	for _, x := range doc.Examiners {
		names = append(names, x.Name)
	}
	want := []any{doc.ID, doc.Station, doc.Site, doc.Plan, doc.Date, doc.Category, doc.Candidate.IDNumber, doc.Candidate.Name, doc.Candidate.Attempt,
		doc.Paper.Total.String(), doc.Paper.Passed, strings.Join(names, "、")}
	got := []any{row.ID, row.Station, row.Site, row.Plan, row.Date, row.Category, row.Candidate, row.Name, row.Attempt, row.Total, row.Passed, row.Examiners}
	cols := []string{"id", "station", "site", "plan", "date", "category", "candidate", "name", "attempt", "total", "passed", "examiners"}
	for i := range want {
		if got[i] != want[i] {
			return fmt.Errorf("the results table says %s %v, the signed result %v: the row was edited (exports read the row)", cols[i], got[i], want[i])
		}
	}
	return nil
}

// frontier is the right edge of a log's tree held in memory: the newest
// stored hash of each level. Appending a record, and the tree hash of the
// log so far, read only these (tlog.StoredHashes returns the new hashes
// level by level, leaf first), so log verify holds O(log n) hashes.
type frontier struct {
	idx  [64]int64
	hash [64]tlog.Hash
}

func newFrontier() *frontier {
	f := &frontier{}
	for i := range f.idx {
		f.idx[i] = -1
	}
	return f
}

func (f *frontier) add(base int64, hashes []tlog.Hash) {
	for level, h := range hashes {
		f.idx[level], f.hash[level] = base+int64(level), h
	}
}

func (f *frontier) ReadHashes(indexes []int64) ([]tlog.Hash, error) {
	out := make([]tlog.Hash, len(indexes))
	for i, idx := range indexes {
		level := slices.Index(f.idx[:], idx)
		if level < 0 {
			return nil, fmt.Errorf("hash %d is not on the tree's right edge", idx)
		}
		out[i] = f.hash[level]
	}
	return out, nil
}
