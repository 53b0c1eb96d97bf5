package centre_test

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// scaleExtra is the CPR compressions added to each of BenchmarkScale's
// results: about 123 bytes each over the demo result's 107 KB.
const scaleExtra = 1900

// BenchmarkScale measures the real shicao commands over a centre of
// SHICAO_SCALE_RESULTS results (100,000 by default; issue #18), built by
// bigCentre (genuine signed demo results appended without the ingest
// checks): `centre log verify --rescore` (seconds, peak RSS) and `centre
// export results` to CSV and XLSX (seconds). It runs once whatever
// -benchtime says; `make bench` runs it apart, with -benchtime 1x.
//
// Each result is the size the issue counts a province's results at
// (~340 KB: scaleExtra more CPR compressions than the demo's 107 KB).
func BenchmarkScale(b *testing.B) {
	n := 100_000
	if v := os.Getenv("SHICAO_SCALE_RESULTS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil || n < 1 {
			b.Fatalf("SHICAO_SCALE_RESULTS=%q: want a number of results", v)
		}
	}
	start := time.Now()
	c, dir, size := bigCentre(b, n, scaleExtra)
	c.Close()
	bin := buildShicao(b)
	b.Logf("a centre of %d results of %d KB built in %v", n, size>>10, time.Since(start).Round(time.Second))
	command := func(b *testing.B, args ...string) {
		b.Helper()
		var elapsed time.Duration
		var peak int64
		for range b.N {
			t0 := time.Now()
			out, rss, err := runMeasured(b, bin, args...)
			elapsed += time.Since(t0)
			if err != nil {
				b.Fatalf("shicao %v: %v\n%s", args, err, out)
			}
			peak = max(peak, rss)
		}
		b.ReportMetric(elapsed.Seconds()/float64(b.N), "s")
		b.ReportMetric(float64(peak), "RSS-MB")
		b.ReportMetric(float64(n), "results")
	}
	b.Run("verify_rescore", func(b *testing.B) {
		command(b, "centre", "log", "verify", "--data", dir, "--rescore")
	})
	b.Run("export_csv", func(b *testing.B) {
		command(b, "centre", "export", "results", "--data", dir, "-o", filepath.Join(b.TempDir(), "results.csv"))
	})
	b.Run("export_xlsx", func(b *testing.B) {
		command(b, "centre", "export", "results", "--data", dir, "-o", filepath.Join(b.TempDir(), "results.xlsx"))
	})
}
