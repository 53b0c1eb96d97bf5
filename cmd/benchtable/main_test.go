package main

import (
	"strings"
	"testing"
)

// TestTable_Scale: the #18 rows of BenchmarkScale (log verify's peak RSS
// and the exports' seconds and peak RSS over 100,000 results) come out with their
// figures and targets, a miss shows as NO, and a figure without a target
// shows without a verdict.
func TestTable_Scale(t *testing.T) {
	t.Parallel()
	in := `goos: linux
pkg: shicao/cmd/shicao/internal/centre
BenchmarkScale
    scale_bench_test.go:33: a centre of 100000 results of 255 KB built in 9m0s
BenchmarkScale/verify_rescore-2         	       1	5624563803 ns/op	        40.00 RSS-MB	      100000 results	         301.5 s
BenchmarkScale/export_csv-2             	       1	  56317531 ns/op	        30.00 RSS-MB	      100000 results	         4.2 s
BenchmarkScale/export_xlsx-2            	       1	 123917447 ns/op	       137.00 RSS-MB	      100000 results	         31.5 s
PASS
`
	var out strings.Builder
	if err := table(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	want := map[string][]string{ // row -> its last fields: measured, target, met
		"BenchmarkScale/verify_rescore RSS-MB":  {"40", "<=", "300", "yes"},
		"BenchmarkScale/verify_rescore s":       {"301.5"},
		"BenchmarkScale/verify_rescore results": {"100000", ">=", "100000", "yes"},
		"BenchmarkScale/export_csv s":           {"4.2", "<=", "30", "yes"},
		"BenchmarkScale/export_xlsx s":          {"31.5", "<=", "30", "NO"},
		"BenchmarkScale/export_csv RSS-MB":      {"30", "<=", "120", "yes"},
		"BenchmarkScale/export_xlsx RSS-MB":     {"137", "<=", "120", "NO"},
	}
	for row, fields := range want {
		line := ""
		for l := range strings.Lines(out.String()) {
			if strings.Contains(l, "cmd/shicao/internal/centre "+row+" ") {
				line = l
			}
		}
		if line == "" {
			t.Errorf("no row %q in\n%s", row, out.String())
			continue
		}
		f := strings.Fields(line)
		if got := f[len(f)-len(fields):]; strings.Join(got, " ") != strings.Join(fields, " ") {
			t.Errorf("row %q ends %q, want %q", row, got, fields)
		}
	}
	if !strings.Contains(out.String(), "\n2 target(s) missed,") {
		t.Errorf("want 2 targets missed (the xlsx export's time and memory), got\n%s", out.String())
	}
}
