package centre_test

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"testing/fstest"
	"time"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/pgdb"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
	examsync "shicao/sync"
)

// BenchmarkIngest measures the centre's ingest of results whose event
// logs hold 2,000 events (verify the station's signature, the chains,
// re-score every item and the paper, check plan, examiners, equipment and
// standards, append to the Merkle log, sign a checkpoint, commit durably),
// 2×GOMAXPROCS uploads at a time: a centre receives from hundreds of
// stations at once, so while one upload holds the log's lock or waits
// for its commit to reach the disk, another is being verified. In the
// same run, with the same number in flight, it measures the ceiling: for
// the same bodies, only an Ed25519 verification of the result's
// signature and a durable SQLite insert of the body. It reports both in
// results/s and the ingest as a percentage of the ceiling. (Until
// issue #18's second pass both ran GOMAXPROCS at a time.)
func BenchmarkIngest(b *testing.B) { benchIngest(b, "sqlite") }

// BenchmarkIngestPostgres is BenchmarkIngest on PostgreSQL (the test
// binary's throwaway cluster, or SHICAO_TEST_POSTGRES), its ceiling the
// same Ed25519 verification and an insert of the same bytes into a
// PostgreSQL table, each committed, in the same run.
func BenchmarkIngestPostgres(b *testing.B) { benchIngest(b, "postgres") }

func benchIngest(b *testing.B, backend string) {
	ctx := context.Background()
	st := centretest.NewStation(b, "")
	c, _ := centretest.NewCentreDirOn(b, backend, st)
	base := st.Exam(b, demo.Candidates[0].IDNumber, centretest.CPRSeed("bench"), 0)
	events := 0
	for _, it := range base.Doc.Items {
		events += it.Events
	}
	base = st.Exam(b, demo.Candidates[1].IDNumber, centretest.CPRSeed("bench"), 2000-events)
	events = 0
	for _, it := range base.Doc.Items {
		events += it.Events
	}
	if events != 2000 {
		b.Fatalf("the result holds %d events, want 2000", events)
	}
	bodies := make([][]byte, b.N)
	cands := st.BulkPlan(b, c, "TA-BENCH", b.N) // one result per candidate and attempt
	for i := range bodies {
		v, err := centretest.Variant(base.Bundle, st.Signer, centretest.For(fmt.Sprintf("bench%08d", i), "TA-BENCH", cands[i]))
		if err != nil {
			b.Fatal(err)
		}
		bodies[i] = v
	}
	// The same uploads in flight for the ingest and its ceiling (see
	// BenchmarkIngest).
	workers := 2 * runtime.GOMAXPROCS(0)
	run := func(f func([]byte) error) time.Duration {
		var wg sync.WaitGroup
		next := make(chan []byte)
		errs := make(chan error, workers)
		start := time.Now()
		for range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for body := range next {
					if err := f(body); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		for _, body := range bodies {
			next <- body
		}
		close(next)
		wg.Wait()
		select {
		case err := <-errs:
			b.Fatal(err)
		default:
		}
		return time.Since(start)
	}

	// The ceiling, first, on its own database: the least any ingest must
	// do — check one Ed25519 signature over the exact bytes and store them
	// durably — with the signatures made beforehand.
	db := ceilingDB(b, backend)
	pub, priv, err := ed25519.GenerateKey(nil)
	if err != nil {
		b.Fatal(err)
	}
	sigs := map[*byte][]byte{}
	for _, body := range bodies {
		sigs[&body[0]] = ed25519.Sign(priv, body)
	}
	var seq atomic.Int64
	ceiling := run(func(body []byte) error {
		if !ed25519.Verify(pub, body, sigs[&body[0]]) {
			return errors.New("ceiling: signature does not verify")
		}
		_, err := db.ExecContext(ctx, `INSERT INTO results (id, body) VALUES (?, ?)`, seq.Add(1), body)
		return err
	})

	b.ResetTimer()
	elapsed := run(func(body []byte) error {
		_, err := c.Ingest(ctx, demo.Station, body)
		return err
	})
	b.StopTimer()
	rate := float64(b.N) / elapsed.Seconds()
	ceil := float64(b.N) / ceiling.Seconds()
	b.ReportMetric(rate, "results/s")
	b.ReportMetric(ceil, "ceiling-results/s")
	b.ReportMetric(100*rate/ceil, "%-of-ceiling")
	b.ReportMetric(float64(len(base.Bundle)), "bytes/result")
}

func ceilingDB(b *testing.B, backend string) *sql.DB {
	if backend == "postgres" {
		db, err := pgdb.Open(context.Background(), pgdbtest.DSN(b), fstest.MapFS{})
		if err != nil {
			b.Fatal(err)
		}
		b.Cleanup(func() { db.Close() })
		if _, err := db.Exec(`CREATE TABLE results (id BIGINT PRIMARY KEY, body BYTEA NOT NULL)`); err != nil {
			b.Fatal(err)
		}
		return db
	}
	q := url.Values{}
	for _, p := range []string{"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(FULL)"} {
		q.Add("_pragma", p)
	}
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+filepath.Join(b.TempDir(), "ceiling.db")+"?"+q.Encode())
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE results (id INTEGER PRIMARY KEY, body BLOB NOT NULL) STRICT`); err != nil {
		b.Fatal(err)
	}
	return db
}

// BenchmarkVerifyBundle is the CPU part of one ingest alone, in one
// goroutine: decode the bundle, verify its signature and chains, re-score
// every item and the paper (the standards parsed once).
func BenchmarkVerifyBundle(b *testing.B) {
	st := centretest.NewStation(b, "")
	base := st.Exam(b, demo.Candidates[0].IDNumber, centretest.CPRSeed("bench"), 0)
	events := 0
	for _, it := range base.Doc.Items {
		events += it.Events
	}
	base = st.Exam(b, demo.Candidates[1].IDNumber, centretest.CPRSeed("bench"), 2000-events)
	var bv examsync.BundleVerifier
	keys := []string{st.Pub}
	if _, err := bv.Verify(base.Bundle, keys, nil); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(base.Bundle)))
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		if _, err := bv.Verify(base.Bundle, keys, nil); err != nil {
			b.Fatal(err)
		}
	}
}
