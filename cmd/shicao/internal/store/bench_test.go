package store_test

import (
	"context"
	"crypto/sha256"
	"sync"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/store"
)

// BenchmarkAppendDurable measures durable event appends per second through
// group commit (4 device streams, each a reader keeping events in flight)
// and, in the same run, the raw ceiling: the
// same rows inserted by one writer in transactions of 1024 with no
// hashing, canonical JSON or acknowledgement. Targets (issue 5):
// >= 10,000 events/s and >= 50% of the ceiling.
func BenchmarkAppendDurable(b *testing.B) {
	ctx := context.Background()
	const n = 20000
	var groupNs, rawNs int64
	for b.Loop() {
		s, _ := open(b)
		ids := []int64{newSession(b, s), newSession(b, s), newSession(b, s), newSession(b, s)}
		data := []byte(`{"depth_mm":55,"position":"ok","recoil":true}`)
		// One reader per device stream, each keeping up to 256 events in
		// flight, as the station's device readers do.
		var wg sync.WaitGroup
		t0 := time.Now()
		for k := range ids {
			wg.Add(1)
			go func(k int) {
				defer wg.Done()
				var inflight []*store.Pending
				for i := 0; i < n/len(ids); i++ {
					p, err := s.Enqueue(ctx, ids[k], store.NewEvent{TMs: int64(i), Type: "cpr.compression", Source: "device:cpr", Data: data})
					if err != nil {
						b.Error(err)
						return
					}
					inflight = append(inflight, p)
					if len(inflight) == 256 {
						if _, err := inflight[0].Wait(); err != nil {
							b.Error(err)
							return
						}
						inflight = inflight[1:]
					}
				}
				for _, p := range inflight {
					if _, err := p.Wait(); err != nil {
						b.Error(err)
						return
					}
				}
			}(k)
		}
		wg.Wait()
		groupNs += time.Since(t0).Nanoseconds()
		for _, id := range ids {
			if _, err := s.VerifyChain(ctx, id); err != nil {
				b.Fatal(err)
			}
		}

		// The ceiling, on the same database file.
		t1 := time.Now()
		sess := newSession(b, s)
		hash := sha256.Sum256(nil)
		for i := 0; i < n; i += 1024 {
			tx, err := s.DB().Begin()
			if err != nil {
				b.Fatal(err)
			}
			stmt, _ := tx.Prepare(`INSERT INTO events (session_id, seq, t_ms, wall_ms, type, source, data, prev_hash, hash) VALUES (?, ?, ?, 0, 'cpr.compression', 'device:cpr', ?, ?, ?)`)
			for j := i; j < min(i+1024, n); j++ {
				if _, err := stmt.Exec(sess, j+1, j, data, hash[:], hash[:]); err != nil {
					b.Fatal(err)
				}
			}
			stmt.Close()
			if err := tx.Commit(); err != nil {
				b.Fatal(err)
			}
		}
		rawNs += time.Since(t1).Nanoseconds()
	}
	group := float64(n*b.N) / (float64(groupNs) / 1e9)
	raw := float64(n*b.N) / (float64(rawNs) / 1e9)
	b.ReportMetric(group, "events/s")
	b.ReportMetric(raw, "ceiling-events/s")
	b.ReportMetric(100*group/raw, "%-of-ceiling")
}

// BenchmarkAppendLatency: one writer at a time, each event waiting for its
// own commit (the worst case of a quiet station).
func BenchmarkAppendLatency(b *testing.B) {
	ctx := context.Background()
	s, _ := open(b)
	id := newSession(b, s)
	var t int64
	for b.Loop() {
		t++
		if _, err := s.Append(ctx, id, store.NewEvent{TMs: t, Type: "tick"}); err != nil {
			b.Fatal(err)
		}
	}
}
