package station_test

import (
	"context"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// BenchmarkLiveLatency1kHz feeds CPR compressions into a running item at
// 1,000 per second of real time for 3 s and measures, per event, the time
// from Record to the event being durable and in the live score; it also
// reports the cost of computing the live sheet at the end (5-minute
// worth of events and more). Target (issue 5): p99 <= 20 ms.
func BenchmarkLiveLatency1kHz(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		dir := b.TempDir()
		if _, err := station.InitDir(ctx, dir, demo.Station, demo.Site); err != nil {
			b.Fatal(err)
		}
		var mu sync.Mutex
		var sent []time.Time
		var lat []time.Duration
		base := int64(-1)
		s, err := station.OpenDirConfig(ctx, dir, station.Config{OnAppend: func(session, seq int64) {
			mu.Lock()
			defer mu.Unlock()
			if base < 0 {
				return
			}
			if i := int(seq - base); i >= 0 && i < len(sent) {
				lat = append(lat, time.Since(sent[i]))
			}
		}})
		if err != nil {
			b.Fatal(err)
		}
		if err := demo.Seed(ctx, s); err != nil {
			b.Fatal(err)
		}
		ex, _ := s.NewExam(ctx, demo.PlanID)
		for _, x := range demo.Examiners[:2] {
			if _, err := ex.SignIn(ctx, x.ID, x.PIN); err != nil {
				b.Fatal(err)
			}
		}
		ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber)
		drawn, _ := ex.Draw(ctx, "latency")
		var subject string
		for _, d := range drawn {
			if d.Standard.ID == "SD-DG-K42" || slices.Contains(d.Standard.Devices, "cpr") {
				subject = d.Subject
			}
		}
		if subject == "" {
			// The CPR item is in the K4 pool; draw until it comes.
			for i := 0; subject == ""; i++ {
				ex, _ = s.NewExam(ctx, demo.PlanID)
				for _, x := range demo.Examiners[:2] {
					ex.SignIn(ctx, x.ID, x.PIN)
				}
				ex.VerifyCandidate(ctx, demo.Candidates[0].IDNumber)
				drawn, _ = ex.Draw(ctx, "latency-"+strconv.Itoa(i))
				for _, d := range drawn {
					if d.Standard.ID == "SD-DG-K42" {
						subject = d.Subject
					}
				}
			}
		}
		it, err := ex.StartItem(ctx, subject, allDevices())
		if err != nil {
			b.Fatal(err)
		}
		sheet, _ := it.Sheet()
		mu.Lock()
		base = int64(sheet.Events) + 1
		mu.Unlock()
		tick := time.NewTicker(time.Millisecond)
		data := map[string]any{"depth_mm": 55, "position": "ok", "recoil": true}
		for i := 0; i < 3000; i++ {
			<-tick.C
			mu.Lock()
			sent = append(sent, time.Now())
			mu.Unlock()
			if err := it.Record(ctx, "cpr", "cpr.compression", data); err != nil {
				b.Fatal(err)
			}
		}
		tick.Stop()
		if err := it.Flush(ctx); err != nil {
			b.Fatal(err)
		}
		t0 := time.Now()
		if _, err := it.Sheet(); err != nil {
			b.Fatal(err)
		}
		sheetCost := time.Since(t0)
		mu.Lock()
		slices.Sort(lat)
		p := func(q float64) float64 { return float64(lat[int(q*float64(len(lat)-1))]) / 1e6 }
		b.ReportMetric(p(0.5), "p50-ms")
		b.ReportMetric(p(0.99), "p99-ms")
		b.ReportMetric(float64(lat[len(lat)-1])/1e6, "max-ms")
		b.ReportMetric(float64(sheetCost)/1e6, "sheet-ms@3000")
		if len(lat) != 3000 {
			b.Fatalf("%d latencies for 3000 events", len(lat))
		}
		mu.Unlock()
		it.Close()
		s.Close()
	}
}

// BenchmarkStationMemory500 runs 500 complete item sessions (125 papers of
// 4 items, each playing its standard's perfect vector) through one
// station and reports the process's resident memory after. Target
// (issue 5): RSS <= 80 MB.
func BenchmarkStationMemory500(b *testing.B) {
	ctx := context.Background()
	for b.Loop() {
		dir := b.TempDir()
		if _, err := station.InitDir(ctx, dir, demo.Station, demo.Site); err != nil {
			b.Fatal(err)
		}
		c := &clock{t: time.Now()}
		s, err := station.OpenDir(ctx, dir, c.Now)
		if err != nil {
			b.Fatal(err)
		}
		if err := demo.Seed(ctx, s); err != nil {
			b.Fatal(err)
		}
		// One candidate per paper: each is examined once per plan.
		cands, err := demo.IssueBulkPlan(ctx, s, "TA-BULK", 125)
		if err != nil {
			b.Fatal(err)
		}
		sessions := 0
		day := c.Now()
		for n := 0; sessions < 500; n++ {
			c.Set(day) // each paper starts the same morning (the virtual clock would pass midnight)
			r := &station.ScriptRunner{S: s, Out: discard{}, Devices: allDevices, Advance: func(d time.Duration) { c.Set(c.Now().Add(d)) }}
			script := strings.Join([]string{"plan TA-BULK", "signin " + demo.Examiners[0].ID + " 123456", "signin " + demo.Examiners[1].ID + " 567890",
				"candidate " + cands[n].IDNumber, "draw mem-" + strconv.Itoa(n),
				"item K1", "play perfect", "finish", "confirm", "ack yes",
				"item K2", "play perfect", "finish", "confirm", "ack yes",
				"item K3", "play perfect", "finish", "confirm", "ack yes",
				"item K4", "play perfect", "finish", "confirm", "ack yes", "done"}, "\n")
			if err := r.Run(ctx, strings.NewReader(script), "mem"); err != nil {
				b.Fatal(err)
			}
			sessions += 4
		}
		runtime.GC()
		b.ReportMetric(rssMB(), "RSS-MB")
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapInuse)/(1<<20), "heap-MB")
		s.Close()
	}
}

type discard struct{}

func (discard) Write(p []byte) (int, error) { return len(p), nil }

func rssMB() float64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return -1
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseFloat(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 64)
			return kb / 1024
		}
	}
	return -1
}
