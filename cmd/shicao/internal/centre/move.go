package centre

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5"

	"shicao/cmd/shicao/internal/pgdb"
)

// MoveReport is what Move copied and what log verify found on each side.
type MoveReport struct {
	Tables int
	Rows   int64
	From   *LogReport // log verify of the SQLite database
	To     *LogReport // log verify of the PostgreSQL database
}

// moveOrder is the order Move copies tables in: each after those its
// rows refer to. Tables not named here (a later migration's) follow.
var moveOrder = []string{"meta", "trust_roots", "sites", "stations", "equipment", "examiners", "certificates", "certificate_history",
	"plans", "standards", "results", "result_bodies", "alarms", "alarm_acks", "log_hashes", "checkpoints", "nonces",
	"staff", "staff_sessions", "audit", "assign_draws", "appeal_records", "reconciliations"}

// Move copies the centre in the SQLite database from to the empty
// PostgreSQL database to (a postgres:// URL), all in one transaction,
// then verifies the log on both sides with the centre's key: the same
// records, checkpoints and root, every receipt checked. The centre must
// be stopped while it moves. The SQLite file is brought to the current
// schema, as by any command that opens it, and otherwise left as it was.
func Move(ctx context.Context, from, to, signerKey string) (*MoveReport, error) {
	if pgdb.IsDSN(from) || !pgdb.IsDSN(to) {
		return nil, errors.New("centre migrate: moves a SQLite centre database to a postgres:// URL")
	}
	src, err := OpenDB(ctx, from, signerKey, Options{})
	if err != nil {
		return nil, fmt.Errorf("centre migrate: %w", err)
	}
	defer src.Close()
	rep := &MoveReport{}
	if rep.From, err = src.VerifyLog(ctx, false); err != nil {
		return rep, fmt.Errorf("centre migrate: the SQLite centre's log does not verify, nothing moved: %w", err)
	}
	dst, err := OpenDB(ctx, to, signerKey, Options{})
	if err != nil {
		return rep, fmt.Errorf("centre migrate: %w", err)
	}
	defer dst.Close()
	var held int64
	if err := dst.db.QueryRowContext(ctx, `SELECT (SELECT count(*) FROM meta WHERE key NOT IN ('analytics_rollup', 'examiner_rollup')) + (SELECT count(*) FROM results) + (SELECT count(*) FROM stations)`).Scan(&held); err != nil {
		return rep, fmt.Errorf("centre migrate: %w", err)
	}
	if held > 0 {
		return rep, fmt.Errorf("centre migrate: %s already holds a centre: move into an empty database", pgdb.Redact(to))
	}
	tables, err := sqliteTables(ctx, src.db)
	if err != nil {
		return rep, fmt.Errorf("centre migrate: %w", err)
	}
	err = pgdb.Load(ctx, dst.db, func(tx pgx.Tx) error {
		// Opening the empty database marked its (empty) analytics summed;
		// the moved meta says so for the moved results.
		if _, err := tx.Exec(ctx, `DELETE FROM meta`); err != nil {
			return err
		}
		for _, table := range tables {
			n, err := copyTable(ctx, src.db, tx, table)
			if err != nil {
				return fmt.Errorf("table %s: %w", table, err)
			}
			rep.Tables++
			rep.Rows += n
		}
		// Identity columns go on after the ids copied.
		rows, err := tx.Query(ctx, `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = current_schema() AND is_identity = 'YES'`)
		if err != nil {
			return err
		}
		ids, err := pgx.CollectRows(rows, pgx.RowToStructByPos[struct{ Table, Column string }])
		if err != nil {
			return err
		}
		for _, id := range ids {
			q := fmt.Sprintf(`SELECT setval(pg_get_serial_sequence('%s', '%s'), coalesce(max(%s), 0) + 1, false) FROM %s`, id.Table, id.Column, id.Column, id.Table)
			if _, err := tx.Exec(ctx, q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return rep, fmt.Errorf("centre migrate: nothing moved: %w", err)
	}
	if rep.To, err = dst.VerifyLog(ctx, false); err != nil {
		return rep, fmt.Errorf("centre migrate: the moved log does not verify: %w", err)
	}
	if rep.To.Records != rep.From.Records || rep.To.Root != rep.From.Root || rep.To.Checkpoints != rep.From.Checkpoints {
		return rep, fmt.Errorf("centre migrate: the moved log (%d records, %d checkpoints) is not the SQLite one's (%d, %d)",
			rep.To.Records, rep.To.Checkpoints, rep.From.Records, rep.From.Checkpoints)
	}
	return rep, nil
}

// sqliteTables lists the SQLite database's tables in moveOrder.
func sqliteTables(ctx context.Context, db *sql.DB) ([]string, error) {
	rows, err := db.QueryContext(ctx, `SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name <> 'schema_migrations'`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			return nil, err
		}
		names = append(names, n)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rank := func(n string) int {
		if i := slices.Index(moveOrder, n); i >= 0 {
			return i
		}
		return len(moveOrder)
	}
	slices.SortStableFunc(names, func(a, b string) int { return rank(a) - rank(b) })
	return names, nil
}

// copyTable streams a table's rows from SQLite into PostgreSQL (COPY).
func copyTable(ctx context.Context, src *sql.DB, tx pgx.Tx, table string) (int64, error) {
	rows, err := src.QueryContext(ctx, `SELECT * FROM "`+table+`"`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	cols, err := rows.Columns()
	if err != nil {
		return 0, err
	}
	n, err := tx.CopyFrom(ctx, pgx.Identifier{table}, cols, &sqliteRows{rows: rows, vals: make([]any, len(cols))})
	if err != nil {
		return n, err
	}
	return n, rows.Err()
}

// sqliteRows is a pgx.CopyFromSource over SQLite rows.
type sqliteRows struct {
	rows *sql.Rows
	vals []any
	err  error
}

func (s *sqliteRows) Next() bool { return s.err == nil && s.rows.Next() }

func (s *sqliteRows) Values() ([]any, error) {
	ptrs := make([]any, len(s.vals))
	for i := range s.vals {
		ptrs[i] = &s.vals[i]
	}
	if err := s.rows.Scan(ptrs...); err != nil {
		s.err = err
		return nil, err
	}
	return s.vals, nil
}

func (s *sqliteRows) Err() error {
	if s.err != nil {
		return s.err
	}
	return s.rows.Err()
}

// Summary is a line for people: what moved, and the log verified on
// both sides.
func (r *MoveReport) Summary() string {
	var b strings.Builder
	fmt.Fprintf(&b, "moved %d rows in %d tables; log verify: %d records, %d checkpoints, root %x on both sides", r.Rows, r.Tables, r.To.Records, r.To.Checkpoints, r.To.Root[:8])
	return b.String()
}
