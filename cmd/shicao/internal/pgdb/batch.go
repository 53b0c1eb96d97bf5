package pgdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// A Batch is statements that go to the database together: on
// PostgreSQL in one round trip (pgx's pipeline, inside the transaction
// it is sent in), elsewhere one by one. It is for work done under a
// lock that other writers wait on, where each round trip is paid by
// all of them: on a busy machine a round trip to the server costs
// scheduling delays as well as the network, and a log append sends a
// dozen statements.
//
// The statements run in order; the first that fails ends the batch
// (on PostgreSQL, the transaction is then aborted and must be rolled
// back, as after any failed statement). Results are read into the
// destinations given when Send returns.
type Batch struct {
	items []batchItem
	sent  bool
}

type batchItem struct {
	query    string
	args     []any
	dest     []any                               // QueryRow
	each     func(scan func(...any) error) error // Query
	affected int64                               // Exec, after Send
}

// Exec queues a statement and returns its number, for RowsAffected.
func (b *Batch) Exec(query string, args ...any) int {
	b.items = append(b.items, batchItem{query: query, args: args})
	return len(b.items) - 1
}

// QueryRow queues a query of one row, scanned into dest by Send (which
// fails with sql.ErrNoRows when there is none).
func (b *Batch) QueryRow(query string, args []any, dest ...any) {
	b.items = append(b.items, batchItem{query: query, args: args, dest: dest})
}

// Query queues a query whose rows Send passes to each, one at a time.
func (b *Batch) Query(query string, args []any, each func(scan func(dest ...any) error) error) {
	b.items = append(b.items, batchItem{query: query, args: args, each: each})
}

// Sent reports whether the batch was sent, every statement without
// error.
func (b *Batch) Sent() bool { return b.sent }

// RowsAffected is the rows statement i (Exec's number) changed, once
// sent.
func (b *Batch) RowsAffected(i int) int64 { return b.items[i].affected }

// batchQuery marks an Exec whose one argument is a *Batch to pipeline.
const batchQuery = "-- shicao pgdb batch"

// Send sends b inside tx: as one pipeline when tx is on a database
// Open opened, else one statement at a time through tx.
func Send(ctx context.Context, tx *sql.Tx, b *Batch, pipeline bool) error {
	if len(b.items) == 0 {
		b.sent = true
		return nil
	}
	if pipeline {
		_, err := tx.ExecContext(ctx, batchQuery, b)
		b.sent = err == nil
		return err
	}
	for i := range b.items {
		it := &b.items[i]
		var err error
		switch {
		case it.dest != nil:
			err = tx.QueryRowContext(ctx, it.query, it.args...).Scan(it.dest...)
		case it.each != nil:
			err = eachRow(ctx, tx, it)
		default:
			var res sql.Result
			if res, err = tx.ExecContext(ctx, it.query, it.args...); err == nil {
				it.affected, err = res.RowsAffected()
			}
		}
		if err != nil {
			return statementErr(i, it.query, err)
		}
	}
	b.sent = true
	return nil
}

// statementErr says which statement of a batch failed.
func statementErr(i int, query string, err error) error {
	words := strings.Fields(query)
	if len(words) > 4 {
		words = words[:4]
	}
	return fmt.Errorf("statement %d (%s …): %w", i+1, strings.Join(words, " "), err)
}

func eachRow(ctx context.Context, tx *sql.Tx, it *batchItem) error {
	rows, err := tx.QueryContext(ctx, it.query, it.args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	return it.eachOf(rows)
}

// rowSet is what database/sql's and pgx's rows both offer.
type rowSet interface {
	Next() bool
	Scan(dest ...any) error
	Err() error
}

// eachOf passes each row of rows to it.each.
func (it *batchItem) eachOf(rows rowSet) error {
	for rows.Next() {
		if err := it.each(rows.Scan); err != nil {
			return err
		}
	}
	return rows.Err()
}

// sendBatch sends b on c as one pipeline: every statement is written
// before the first answer is read.
func (c *conn) sendBatch(ctx context.Context, b *Batch) error {
	var pb pgx.Batch
	for _, it := range b.items {
		args := make([]any, len(it.args))
		for i, a := range it.args {
			args[i] = integerBool(a)
		}
		pb.Queue(Rewrite(it.query), args...)
	}
	br := c.Conn.Conn().SendBatch(ctx, &pb)
	for i := range b.items {
		if err := readOne(br, &b.items[i]); err != nil {
			br.Close()
			return statementErr(i, b.items[i].query, err)
		}
	}
	return br.Close()
}

func readOne(br pgx.BatchResults, it *batchItem) error {
	switch {
	case it.dest != nil:
		err := br.QueryRow().Scan(it.dest...)
		if errors.Is(err, pgx.ErrNoRows) {
			return sql.ErrNoRows
		}
		return err
	case it.each != nil:
		rows, err := br.Query()
		if err != nil {
			return err
		}
		defer rows.Close()
		return it.eachOf(rows)
	}
	tag, err := br.Exec()
	if err != nil {
		return err
	}
	it.affected = tag.RowsAffected()
	return nil
}

// integerBool is a bool as the 0 or 1 of shicao's INTEGER columns (as
// CheckNamedValue sends it), any other value as it is.
func integerBool(v any) any {
	if b, ok := v.(bool); ok {
		if b {
			return int64(1)
		}
		return int64(0)
	}
	return v
}

// batchArg returns the batch an Exec of batchQuery carries.
func batchArg(query string, args []driver.NamedValue) (*Batch, error) {
	if query != batchQuery {
		return nil, nil
	}
	if len(args) != 1 {
		return nil, fmt.Errorf("pgdb: a batch is sent with one argument, not %d", len(args))
	}
	b, ok := args[0].Value.(*Batch)
	if !ok {
		return nil, fmt.Errorf("pgdb: a batch's argument is a %T", args[0].Value)
	}
	return b, nil
}
