// Package pgdb opens a PostgreSQL database (github.com/jackc/pgx/v5,
// through its database/sql driver) for code written against SQLite's
// dialect, the one way shicao does it: the queries that shicao's
// SQLite packages send are rewritten on their way to the server
// (placeholders ? to $n, INSERT OR IGNORE to ON CONFLICT DO NOTHING,
// instr to strpos), a Go bool argument is sent as the 0 or 1 that the
// INTEGER columns hold, a read-only transaction is a REPEATABLE READ
// snapshot whose queries are read through server-side cursors (so that
// several result sets can be read at once on one connection, as SQLite
// allows, while memory stays bounded), a Batch of statements goes in one
// round trip (pgx's pipeline), and numbered migrations are
// applied once each under an advisory lock, so that several processes
// starting at once on one database migrate it once.
package pgdb

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strconv"
	"strings"
	gosync "sync"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"shicao/cmd/shicao/internal/migrate"
)

// IsDSN reports whether s names a PostgreSQL database (a postgres:// or
// postgresql:// URL) rather than a file.
func IsDSN(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// MigrateLock is the advisory lock key held while migrating.
const MigrateLock int64 = 0x73686963616f0001 // "shicao" 0001

// Open connects to the database at dsn and applies the migrations it
// lacks. migrations holds files named NNNN_name.sql at its root.
func Open(ctx context.Context, dsn string, migrations fs.FS) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(dsn)
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", Redact(dsn), err)
	}
	db := sql.OpenDB(&connector{inner: stdlib.GetConnector(*cfg)})
	db.SetMaxIdleConns(8)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", Redact(dsn), err)
	}
	if err := Migrate(ctx, db, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("open %s: %w", Redact(dsn), err)
	}
	return db, nil
}

// Redact returns dsn without its password, for messages and logs.
func Redact(dsn string) string {
	cfg, err := pgconn.ParseConfig(dsn)
	if err != nil || cfg.Password == "" {
		return dsn
	}
	return strings.Replace(dsn, ":"+cfg.Password+"@", ":xxxxx@", 1)
}

// Migrate applies, in order, every migration not yet recorded, each in
// its own transaction under the migration lock.
func Migrate(ctx context.Context, db *sql.DB, migrations fs.FS) error {
	return migrate.Apply(ctx, db, migrations, "*.sql", func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `SELECT pg_advisory_xact_lock(?)`, MigrateLock); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (version BIGINT PRIMARY KEY)`)
		return err
	})
}

// Tx runs f in a transaction (READ COMMITTED), committing when f returns
// nil and rolling back otherwise.
func Tx(ctx context.Context, db *sql.DB, f func(*sql.Tx) error) error {
	return migrate.Tx(ctx, db, f)
}

// Rewrite turns a query in shicao's SQLite dialect into PostgreSQL's.
func Rewrite(q string) string {
	if v, ok := rewritten.Load(q); ok {
		return v.(string)
	}
	out := rewrite(q)
	rewritten.Store(q, out)
	return out
}

var rewritten gosync.Map // query -> rewritten query

func rewrite(q string) string {
	var b strings.Builder
	n := 0
	for i := 0; i < len(q); i++ {
		switch ch := q[i]; ch {
		case '\'', '"':
			j := strings.IndexByte(q[i+1:], ch)
			if j < 0 {
				b.WriteString(q[i:])
				i = len(q)
				continue
			}
			b.WriteString(q[i : i+j+2])
			i += j + 1
		case '-':
			if i+1 < len(q) && q[i+1] == '-' {
				j := strings.IndexByte(q[i:], '\n')
				if j < 0 {
					j = len(q) - i
				}
				b.WriteString(q[i : i+j])
				i += j - 1
				continue
			}
			b.WriteByte(ch)
		case '?':
			n++
			b.WriteString("$" + strconv.Itoa(n))
		default:
			b.WriteByte(ch)
		}
	}
	out := b.String()
	if i := strings.Index(out, "INSERT OR IGNORE INTO"); i >= 0 {
		out = out[:i] + "INSERT INTO" + out[i+len("INSERT OR IGNORE INTO"):]
		out = strings.TrimRight(out, " \t\n;") + " ON CONFLICT DO NOTHING"
	}
	out = strings.ReplaceAll(out, "instr(", "strpos(")
	out = strings.ReplaceAll(out, " AS BLOB)", " AS BYTEA)")
	out = scalarMinMax(out, "max(", "greatest(")
	out = scalarMinMax(out, "min(", "least(")
	return qualifyUpsert(out)
}

// qualifyUpsert qualifies with the table's name each column of an
// upsert's DO UPDATE SET that its own right-hand sides read (SET n = n
// + 1): SQLite reads the row held, PostgreSQL calls the bare name
// ambiguous (the row held, or excluded's).
func qualifyUpsert(q string) string {
	const set = "DO UPDATE SET "
	at := strings.Index(q, set)
	ins := strings.Index(q, "INSERT INTO ")
	if at < 0 || ins < 0 {
		return q
	}
	table := strings.FieldsFunc(q[ins+len("INSERT INTO "):], func(r rune) bool { return r == ' ' || r == '(' || r == '\n' || r == '\t' })[0]
	clause := q[at+len(set):]
	var targets []string
	depth := 0
	start := 0
	for i := 0; i <= len(clause); i++ {
		if i < len(clause) {
			switch clause[i] {
			case '(':
				depth++
				continue
			case ')':
				depth--
				continue
			case ',':
				if depth > 0 {
					continue
				}
			default:
				continue
			}
		}
		if eq := strings.IndexByte(clause[start:i], '='); eq >= 0 {
			targets = append(targets, strings.TrimSpace(clause[start:start+eq]))
		}
		start = i + 1
	}
	var b strings.Builder
	b.WriteString(q[:at+len(set)])
	// Right-hand sides only: after each '=' up to the next top-level ','.
	rhs, depth, quoted := false, 0, false
	for i := 0; i < len(clause); i++ {
		ch := clause[i]
		switch {
		case ch == '\'':
			quoted = !quoted
		case quoted:
		case ch == '(':
			depth++
		case ch == ')':
			depth--
		case ch == ',' && depth == 0:
			rhs = false
		case ch == '=':
			rhs = true
		case rhs && isWord(ch) && (i == 0 || !isWord(clause[i-1]) && clause[i-1] != '.'):
			j := i
			for j < len(clause) && isWord(clause[j]) {
				j++
			}
			word := clause[i:j]
			if slices.Contains(targets, word) && (j == len(clause) || clause[j] != '(') {
				b.WriteString(table + "." + word)
			} else {
				b.WriteString(word)
			}
			i = j - 1
			continue
		}
		b.WriteByte(ch)
	}
	return b.String()
}

// scalarMinMax renames SQLite's scalar max(a, b) (min) to PostgreSQL's
// greatest (least); max(a) of one argument is the aggregate in both.
func scalarMinMax(q, fn, pg string) string {
	for at := 0; ; {
		i := strings.Index(q[at:], fn)
		if i < 0 {
			return q
		}
		i += at
		at = i + len(fn)
		if i > 0 && (isWord(q[i-1])) {
			continue
		}
		depth, commas := 1, 0
		for j := at; j < len(q) && depth > 0; j++ {
			switch q[j] {
			case '(':
				depth++
			case ')':
				depth--
			case ',':
				if depth == 1 {
					commas++
				}
			}
		}
		if commas > 0 {
			q = q[:i] + pg + q[at:]
			at = i + len(pg)
		}
	}
}

func isWord(b byte) bool {
	return b == '_' || b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9'
}

// connector wraps pgx's so that every connection rewrites.
type connector struct{ inner driver.Connector }

func (c *connector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	sc, ok := dc.(*stdlib.Conn)
	if !ok {
		dc.Close()
		return nil, errors.New("pgdb: pgx's driver gave an unknown connection type")
	}
	return &conn{Conn: sc}, nil
}

func (c *connector) Driver() driver.Driver { return c.inner.Driver() }

// conn is a pgx connection that speaks shicao's SQLite dialect.
type conn struct {
	*stdlib.Conn
	snapshot bool // in a read-only transaction: queries read through cursors
	cursors  int
}

var (
	_ driver.QueryerContext     = (*conn)(nil)
	_ driver.ExecerContext      = (*conn)(nil)
	_ driver.ConnBeginTx        = (*conn)(nil)
	_ driver.NamedValueChecker  = (*conn)(nil)
	_ driver.ConnPrepareContext = (*conn)(nil)
	_ driver.SessionResetter    = (*conn)(nil)
)

func (c *conn) Prepare(query string) (driver.Stmt, error) {
	return c.Conn.Prepare(Rewrite(query))
}

func (c *conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.Conn.PrepareContext(ctx, Rewrite(query))
}

func (c *conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if b, err := batchArg(query, args); err != nil || b != nil {
		if err == nil {
			err = c.sendBatch(ctx, b)
		}
		return driver.RowsAffected(0), err
	}
	return c.Conn.ExecContext(ctx, Rewrite(query), args)
}

func (c *conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if c.snapshot {
		return c.cursor(ctx, Rewrite(query), args)
	}
	return c.Conn.QueryContext(ctx, Rewrite(query), args)
}

// CheckNamedValue sends a bool as the 0 or 1 that shicao's INTEGER
// columns hold (SQLite has no boolean type); the rest as pgx takes it.
func (c *conn) CheckNamedValue(v *driver.NamedValue) error {
	v.Value = integerBool(v.Value)
	return nil
}

// BeginTx makes a read-only transaction a REPEATABLE READ snapshot: every
// query in it sees the database as of its first, as SQLite's deferred
// read transaction does.
func (c *conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	if opts.ReadOnly && sql.IsolationLevel(opts.Isolation) == sql.LevelDefault {
		opts.Isolation = driver.IsolationLevel(sql.LevelRepeatableRead)
	}
	tx, err := c.Conn.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	c.snapshot = opts.ReadOnly
	return &endTx{Tx: tx, c: c}, nil
}

func (c *conn) ResetSession(ctx context.Context) error {
	c.snapshot = false
	return c.Conn.ResetSession(ctx)
}

type endTx struct {
	driver.Tx
	c *conn
}

func (t *endTx) Commit() error   { t.c.snapshot = false; return t.Tx.Commit() }
func (t *endTx) Rollback() error { t.c.snapshot = false; return t.Tx.Rollback() }

// fetchRows is how many rows a cursor reads at a time: few, since rows
// may hold result bodies of hundreds of KB.
const fetchRows = 16

// cursor runs a query of a read-only transaction as a server-side cursor
// read fetchRows at a time, so that the connection is free between
// fetches for the transaction's other queries.
func (c *conn) cursor(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	c.cursors++
	name := "shicao_cursor_" + strconv.Itoa(c.cursors)
	if _, err := c.Conn.ExecContext(ctx, "DECLARE "+name+" NO SCROLL CURSOR FOR "+query, args); err != nil {
		return nil, err
	}
	r := &cursorRows{c: c, ctx: ctx, name: name}
	if err := r.fetch(); err != nil {
		return nil, err
	}
	return r, nil
}

type cursorRows struct {
	c       *conn
	ctx     context.Context
	name    string
	columns []string
	batch   [][]driver.Value
	done    bool // the last fetch returned fewer rows than asked
	closed  bool
}

func (r *cursorRows) fetch() error {
	rows, err := r.c.Conn.QueryContext(r.ctx, "FETCH "+strconv.Itoa(fetchRows)+" FROM "+r.name, nil)
	if err != nil {
		return err
	}
	defer rows.Close()
	r.columns = rows.Columns()
	r.batch = r.batch[:0]
	for {
		row := make([]driver.Value, len(r.columns))
		if err := rows.Next(row); err == io.EOF {
			break
		} else if err != nil {
			return err
		}
		for i, v := range row {
			if b, ok := v.([]byte); ok {
				row[i] = slices.Clone(b)
			}
		}
		r.batch = append(r.batch, row)
	}
	r.done = len(r.batch) < fetchRows
	return nil
}

func (r *cursorRows) Columns() []string { return r.columns }

func (r *cursorRows) Next(dest []driver.Value) error {
	if len(r.batch) == 0 {
		if r.done {
			return io.EOF
		}
		if err := r.fetch(); err != nil {
			return err
		}
		if len(r.batch) == 0 {
			return io.EOF
		}
	}
	copy(dest, r.batch[0])
	r.batch = r.batch[1:]
	return nil
}

func (r *cursorRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	if r.c.snapshot && !r.c.IsClosed() {
		// A cursor ends with its transaction; closing it earlier frees it.
		_, _ = r.c.Conn.ExecContext(context.WithoutCancel(r.ctx), "CLOSE "+r.name, nil)
	}
	return nil
}

// IsClosed reports whether the connection is closed.
func (c *conn) IsClosed() bool { return c.Conn.Conn().IsClosed() }

// Load runs f in one transaction on a connection of db as pgx sees it,
// for bulk loads (pgx.Tx.CopyFrom): all of it is committed, or nothing.
func Load(ctx context.Context, db *sql.DB, f func(pgx.Tx) error) error {
	sc, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer sc.Close()
	return sc.Raw(func(dc any) error {
		c, ok := dc.(*conn)
		if !ok {
			return errors.New("pgdb: not a PostgreSQL database")
		}
		tx, err := c.Conn.Conn().Begin(ctx)
		if err != nil {
			return err
		}
		if err := f(tx); err != nil {
			tx.Rollback(ctx)
			return err
		}
		return tx.Commit(ctx)
	})
}
