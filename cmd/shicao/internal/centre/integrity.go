package centre

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"golang.org/x/mod/sumdb/tlog"

	"shicao/cmd/shicao/internal/sqlitedb"
	examsync "shicao/sync"
)

// ErrDamaged is returned when the centre's database fails a check of
// its pages or of its log: the centre must not serve or issue receipts
// from it. docs/operations.md says how to restore it.
var ErrDamaged = errors.New("the centre's database is damaged")

// damaged wraps ErrDamaged with what was found.
func damaged(format string, args ...any) error {
	return fmt.Errorf("%w: %s", ErrDamaged, fmt.Sprintf(format, args...))
}

// CheckStart is the check `centre serve` runs before serving: SQLite's
// quick_check (every page readable and well formed, in one pass over the
// file) and the log's tail against its last signed checkpoint — the
// checkpoint's signature with the centre key, its size equal to the
// records held, its root hash rebuilt from the stored hashes, and the
// last record's stored hash rebuilt from its row and body. A receipt
// issued on top of a damaged log would commit the centre to a tree it
// cannot prove. It returns an error wrapping ErrDamaged for damage.
func (c *Centre) CheckStart(ctx context.Context) error {
	if err := c.pragmaCheck(ctx, "quick_check"); err != nil {
		return err
	}
	return c.checkLogTail(ctx)
}

// IntegrityCheck runs SQLite's full integrity_check (quick_check, and
// every index against its table): slower, for `centre log verify`. It
// returns an error wrapping ErrDamaged for damage.
func (c *Centre) IntegrityCheck(ctx context.Context) error {
	return c.pragmaCheck(ctx, "integrity_check")
}

func (c *Centre) pragmaCheck(ctx context.Context, pragma string) error {
	if c.pg {
		// PostgreSQL checks its own pages as it reads them (data checksums,
		// initdb -k) and has no such pass over the whole database; the
		// log's own checks below and in log verify still run.
		return nil
	}
	problems, err := sqlitedb.Check(ctx, c.db, pragma)
	switch {
	case err != nil:
		return checkErr(pragma, err)
	case problems != nil:
		return damaged("%s: %s", pragma, strings.Join(problems, "; "))
	}
	return nil
}

func (c *Centre) checkLogTail(ctx context.Context) error {
	// One snapshot: on PostgreSQL another centre process may append
	// between the reads.
	tx, err := c.db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return checkErr("the log's size", err)
	}
	defer tx.Rollback()
	size, err := logSize(ctx, tx)
	if err != nil {
		return checkErr("the log's size", err)
	}
	var cpSize int64
	var signed []byte
	err = tx.QueryRowContext(ctx, `SELECT size, signed FROM checkpoints ORDER BY size DESC LIMIT 1`).Scan(&cpSize, &signed)
	if errors.Is(err, sql.ErrNoRows) {
		if size == 0 {
			return nil
		}
		return damaged("the log holds %d records but no signed checkpoint", size)
	}
	if err != nil {
		return checkErr("the last checkpoint", err)
	}
	cp, err := examsync.OpenCheckpoint(signed, c.verifier)
	if err != nil {
		return damaged("the last signed checkpoint (size %d) does not verify with the centre key: %v", cpSize, err)
	}
	if cp.Size != cpSize || cpSize != size {
		return damaged("the last signed checkpoint is of %d records, the log holds %d", cp.Size, size)
	}
	if size == 0 {
		return nil
	}
	root, err := tlog.TreeHash(size, hashReader{ctx, tx})
	if err != nil {
		return damaged("the log's stored hashes: %v", err)
	}
	if root != cp.Root {
		return damaged("the log's stored hashes give another root than its last signed checkpoint (size %d)", size)
	}
	var id, stn, sum string
	var body []byte
	var appeal bool
	// The last record is a result or an appeal state (they share the log).
	err = tx.QueryRowContext(ctx, `SELECT r.id, r.station, r.sha256, b.body, 0 FROM results r JOIN result_bodies b ON b.log_index = r.log_index WHERE r.log_index = ?
		UNION ALL SELECT a.appeal || '/' || a.seq, '', a.sha256, a.signed, 1 FROM appeal_records a WHERE a.log_index = ?`, size-1, size-1).Scan(&id, &stn, &sum, &body, &appeal)
	if err != nil {
		return checkErr(fmt.Sprintf("record %d", size-1), err)
	}
	if got := sha256.Sum256(body); hex.EncodeToString(got[:]) != sum {
		return damaged("record %d (result %s): the stored bytes' SHA-256 is not the logged one", size-1, id)
	}
	leaf, err := hashReader{ctx, tx}.ReadHashes([]int64{tlog.StoredHashIndex(0, size-1)})
	if err != nil {
		return damaged("record %d: %v", size-1, err)
	}
	record := examsync.Record(id, stn, sum)
	if appeal {
		record = examsync.AppealRecord(id, "", sum)
	}
	if leaf[0] != tlog.RecordHash(record) {
		return damaged("record %d (result %s): its stored hash is not the record's", size-1, id)
	}
	return nil
}

// checkErr reports a failure of a check's query: damage when the driver
// says the file is damaged, the error otherwise.
func checkErr(what string, err error) error {
	if errors.Is(translate(err), ErrDamaged) {
		return damaged("%s: %v", what, err)
	}
	return fmt.Errorf("%s: %w", what, translate(err))
}
