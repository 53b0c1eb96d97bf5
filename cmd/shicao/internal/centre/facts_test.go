package centre_test

import (
	"bytes"
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
)

// TestIngest_FactsCommitWithResult: the day's figures and the
// examiners' consistency are worked out before the log's lock and
// written in the append's own transaction. A failure injected at either
// upsert (after the result's row, its body, the log's hashes and
// checkpoint are written) leaves nothing of the result: the log, the
// tables and the figures are as before. Sent again once the fault is
// gone, it is appended, and the figures summed at ingest equal those
// summed again from the stored results, on each engine.
func TestIngest_FactsCommitWithResult(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		for _, table := range []string{"daily_rates", "daily_examiners"} {
			t.Run(backend+"/"+table, func(t *testing.T) {
				ctx := context.Background()
				st := centretest.NewStation(t, "")
				c, dir := centretest.NewCentreDirOn(t, backend, st)
				// Results whose examiners differ from each other and
				// from the sensors, so that no sum is zero.
				a := st.ExamVectors(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("facts-a"), 0, map[string]string{"SD-DG-K42": "review-resolved"})
				b := st.ExamVectors(t, demo.Candidates[1].IDNumber, centretest.CPRSeed("facts-b"), 0, map[string]string{"SD-DG-K42": "pulse-too-short"})
				if _, err := c.Ingest(ctx, demo.Station, a.Bundle); err != nil {
					t.Fatal(err)
				}
				before := appendState(t, c, a.Doc.Date)

				fault := []string{
					`CREATE TRIGGER fault_insert BEFORE INSERT ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
					`CREATE TRIGGER fault_update BEFORE UPDATE ON ` + table + ` BEGIN SELECT RAISE(ABORT, 'injected fault'); END`,
				}
				mend := []string{`DROP TRIGGER fault_insert`, `DROP TRIGGER fault_update`}
				if c.PostgreSQL() {
					fault = []string{
						`CREATE FUNCTION fault() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'injected fault'; END $$`,
						`CREATE TRIGGER fault BEFORE INSERT OR UPDATE ON ` + table + ` FOR EACH ROW EXECUTE FUNCTION fault()`,
					}
					mend = []string{`DROP TRIGGER fault ON ` + table}
				}
				execAll(t, c, fault)
				if _, err := c.Ingest(ctx, demo.Station, b.Bundle); err == nil || !strings.Contains(err.Error(), "injected fault") {
					t.Fatalf("ingest with the figures failing: %v, want the injected fault", err)
				}
				if got := appendState(t, c, a.Doc.Date); got != before {
					t.Fatalf("a failed append left traces:\n got %s\nwant %s", got, before)
				}

				execAll(t, c, mend)
				if _, err := c.Ingest(ctx, demo.Station, b.Bundle); err != nil {
					t.Fatal(err)
				}
				summed := appendState(t, c, a.Doc.Date)
				if !strings.Contains(summed, "site [{Key:"+a.Doc.Site+" Label:") || !strings.Contains(summed, "Attempts:2 ") {
					t.Fatalf("the figures do not count both results:\n%s", summed)
				}
				sheets := fmt.Sprintf("Sheets:%d Pairs:%d ", len(a.Doc.Items)+len(b.Doc.Items), len(a.Doc.Items)+len(b.Doc.Items))
				if strings.Count(summed, sheets) != 2 || strings.Count(summed, "Reviews:1 ") != 2 || strings.Count(summed, "SensorOnly:1}") != 2 {
					t.Fatalf("the examiners' consistency does not count both results (want each examiner with %s1 review, 1 point the sensors alone deducted):\n%s", sheets, summed)
				}
				execAll(t, c, []string{`DELETE FROM daily_rates`, `DELETE FROM daily_deductions`, `DELETE FROM daily_examiners`, `DELETE FROM standard_points`,
					`DELETE FROM meta WHERE key IN ('analytics_rollup', 'examiner_rollup')`})
				c.Close()
				again, err := centre.Open(ctx, dir, centre.Options{})
				if err != nil {
					t.Fatal(err)
				}
				defer again.Close()
				if got := appendState(t, again, a.Doc.Date); got != summed {
					t.Errorf("summed at ingest:\n%s\nsummed again from the results:\n%s", summed, got)
				}
				if rep, err := again.VerifyLog(ctx, true); err != nil || rep.Records != 2 {
					t.Errorf("log verify: %+v %v", rep, err)
				}
			})
		}
	}
}

// TestIngest_SameBytesAtOncePostgres: the same result sent twice at
// once, both uploads past their checks and holding their body stored
// ahead of the log's lock (resultBody.stage), gets one append and the
// same receipt twice; the second's staged body goes with its rolled
// back transaction. (SQLite stores the body under its write lock and
// stages nothing.)
func TestIngest_SameBytesAtOncePostgres(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, _ := centretest.NewCentreDirOn(t, "postgres", st)
	s := st.Exam(t, demo.Candidates[0].IDNumber, "twice", 0)
	hold, err := c.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer hold.Close()
	if _, err := hold.ExecContext(ctx, `SELECT pg_advisory_lock(?)`, centre.LogLock); err != nil {
		t.Fatal(err)
	}
	type answer struct {
		receipt []byte
		err     error
	}
	answers := make(chan answer, 2)
	for range 2 {
		go func() {
			r, err := c.Ingest(ctx, demo.Station, s.Bundle)
			answers <- answer{r, err}
		}()
	}
	// Wait until one upload waits for the lock and the other, its body
	// staged, waits for its turn in the process.
	deadline := time.Now().Add(2 * time.Minute)
	for {
		var waiting, staged int
		err := hold.QueryRowContext(ctx, `SELECT
			(SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'),
			(SELECT count(*) FROM pg_stat_activity WHERE state = 'idle in transaction' AND query LIKE 'INSERT INTO result_bodies%')`).Scan(&waiting, &staged)
		if err != nil {
			t.Fatal(err)
		}
		if waiting == 1 && staged == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the uploads did not meet at the lock: %d waiting, %d staged", waiting, staged)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if _, err := hold.ExecContext(ctx, `SELECT pg_advisory_unlock(?)`, centre.LogLock); err != nil {
		t.Fatal(err)
	}
	first, second := <-answers, <-answers
	if first.err != nil || second.err != nil || !bytes.Equal(first.receipt, second.receipt) {
		t.Fatalf("the same bytes at once: %v, %v; receipts equal: %v", first.err, second.err, bytes.Equal(first.receipt, second.receipt))
	}
	var results, bodies, low int64
	if err := c.DB().QueryRowContext(ctx, `SELECT (SELECT count(*) FROM results), (SELECT count(*) FROM result_bodies), (SELECT coalesce(min(log_index), 0) FROM result_bodies)`).Scan(&results, &bodies, &low); err != nil {
		t.Fatal(err)
	}
	if results != 1 || bodies != 1 || low != 0 {
		t.Errorf("%d results, %d bodies, lowest body key %d; want 1, 1, 0", results, bodies, low)
	}
}

// appendState is what a failed append must leave as it was: the newest
// checkpoint, the row counts of the tables an append writes, the day's
// figures and its examiners' consistency.
func appendState(t *testing.T, c *centre.Centre, date string) string {
	t.Helper()
	ctx := context.Background()
	cp, err := c.Checkpoint(ctx)
	if err != nil {
		t.Fatal(err)
	}
	out := string(cp)
	for _, table := range []string{"results", "result_bodies", "log_hashes", "checkpoints", "daily_rates", "daily_deductions", "daily_examiners"} {
		var n int
		if err := c.DB().QueryRowContext(ctx, `SELECT count(*) FROM `+table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		out += fmt.Sprintf("%s %d\n", table, n)
	}
	period, err := centre.ParsePeriod(date, date)
	if err != nil {
		t.Fatal(err)
	}
	x, err := c.ExaminerConsistency(ctx, period)
	if err != nil {
		t.Fatal(err)
	}
	return out + dayFigures(t, c, period) + fmt.Sprintf("\nexaminers %+v", x)
}

func execAll(t *testing.T, c *centre.Centre, stmts []string) {
	t.Helper()
	for _, q := range stmts {
		if _, err := c.DB().ExecContext(context.Background(), q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}
