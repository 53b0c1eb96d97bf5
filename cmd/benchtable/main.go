// Command benchtable reads `go test -bench` output and prints one table of
// the benchmarks the issues set targets for: the figure measured, the
// target, and whether it was met. `make bench` pipes every benchmark of the
// repository through it, so all figures come from one run.
package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// target is one figure an issue asks for.
type target struct {
	issue, bench, metric string
	op                   string // "<=", ">=" or "==", or "" for a figure without a target
	want                 float64
	what                 string
}

var targets = []target{
	{"#2", "BenchmarkParse/library", "ns/op", "", 0, "parse + compile the whole sample library"},
	{"#3", "BenchmarkScoreMillion", "B/event", "<=", 300, "score 1,000,000 events: bytes allocated per event"},
	{"#3", "BenchmarkScoreMillion", "score/decode", "<=", 2, "score time / plain JSON-lines decode time"},
	{"#3", "BenchmarkScoreMillion", "events/s", ">=", 1e6, "scoring throughput (its goal: a million events a second)"},
	{"#3", "BenchmarkLiveRescore", "ns/op", "<=", 1e6, "re-score a 5-minute CPR item"},
	{"#4", "BenchmarkParser", "MB/s", ">=", 11.52, "codec decode (each family; 1,000 x 115200 baud)"},
	{"#4", "BenchmarkParseResponse", "MB/s", ">=", 11.52, "Modbus response decode"},
	{"#4", "BenchmarkEndToEnd1kHz", "lost", "==", 0, "sim -> pty -> driver at 1,000 readings/s"},
	{"#17", "BenchmarkFraming", "MB/s", ">=", 11.52, "record finding, each framing (1,000 x 115200 baud)"},
	{"#17", "BenchmarkStream", "MB/s", ">=", 11.52, "profile decode to events, each profile (1,000 x 115200 baud)"},
	{"#5", "BenchmarkAppendDurable", "events/s", ">=", 10000, "durable appends with group commit"},
	{"#5", "BenchmarkAppendDurable", "%-of-ceiling", ">=", 50, "of the raw SQLite ceiling in the same run"},
	{"#5", "BenchmarkLiveLatency1kHz", "p99-ms", "<=", 20, "event to live score at 1 kHz, p99"},
	{"#5", "BenchmarkStationMemory500", "RSS-MB", "<=", 80, "station RSS after 500 sessions"},
	{"#6", "BenchmarkIngest", "results/s", ">=", 200, "centre ingest of 2,000-event results"},
	{"#6", "BenchmarkIngest", "%-of-ceiling", ">=", 40, "of the ed25519 + SQLite ceiling in the same run"},
	{"#7", "BenchmarkFirstFrame", "ns/op", "<=", 300e6, "TUI time to first frame"},
	{"#7", "BenchmarkViewLiveCPR", "ns/op", "<=", 5e6, "View of the live CPR screen at 120x40"},
	{"#7", "BenchmarkDemoDay50", "RSS-MB", "<=", 100, "RSS after a demo day of 50 candidates"},
	{"#18", "BenchmarkScale/verify_rescore", "RSS-MB", "<=", 300, "centre log verify --rescore: peak RSS"},
	{"#18", "BenchmarkScale/verify_rescore", "s", "", 0, "centre log verify --rescore: time"},
	{"#18", "BenchmarkScale/verify_rescore", "results", ">=", 100000, "results in the centre measured"},
	{"#18", "BenchmarkScale/export_csv", "s", "<=", 30, "centre export results -o .csv"},
	{"#18", "BenchmarkScale/export_xlsx", "s", "<=", 30, "centre export results -o .xlsx"},
	{"#18", "BenchmarkScale/export_csv", "RSS-MB", "<=", 120, "centre export results -o .csv: peak RSS"},
	{"#18", "BenchmarkScale/export_xlsx", "RSS-MB", "<=", 120, "centre export results -o .xlsx: peak RSS"},
	{"#18", "BenchmarkIngestPostgres", "results/s", "", 0, "centre ingest of 2,000-event results on PostgreSQL"},
	{"#18", "BenchmarkIngestPostgres", "ceiling-results/s", "", 0, "ed25519 + PostgreSQL insert of the same bytes"},
	{"#18", "BenchmarkIngestPostgres", "%-of-ceiling", ">=", 40, "of the ed25519 + PostgreSQL ceiling in the same run"},
	{"#19", "BenchmarkConsole_Search", "ns/op", "<=", 200e6, "console result search page at 100,000 results"},
	{"#19", "BenchmarkConsole_Dashboard", "ns/op", "<=", 200e6, "console dashboard at 100,000 results"},
}

func main() {
	if err := table(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "benchtable:", err)
		os.Exit(1)
	}
}

// table reads `go test -bench` output from r and writes the table to w.
func table(r io.Reader, w io.Writer) error {
	type row struct {
		name  string
		value float64
	}
	found := map[string][]row{} // "bench|metric" -> values (one per package/sub-benchmark)
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	pkg := ""
	for sc.Scan() {
		line := sc.Text()
		if p, ok := strings.CutPrefix(line, "pkg: "); ok {
			pkg = strings.TrimPrefix(p, "shicao/")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") {
			continue
		}
		name := f[0]
		if i := strings.LastIndex(name, "-"); i > 0 {
			name = name[:i] // the GOMAXPROCS suffix
		}
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			for _, t := range targets {
				if (name == t.bench || strings.HasPrefix(name, t.bench+"/")) && f[i+1] == t.metric {
					key := t.bench + "|" + t.metric
					found[key] = append(found[key], row{pkg + " " + name, v})
				}
			}
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	fmt.Fprintf(w, "%-4s %-66s %-50s %12s %10s  %s\n", "", "benchmark", "what", "measured", "target", "met")
	missed, absent := 0, 0
	for _, t := range targets {
		rows := found[t.bench+"|"+t.metric]
		if len(rows) == 0 {
			fmt.Fprintf(w, "%-4s %-66s %-50s %12s %10s  %s\n", t.issue, t.bench+" "+t.metric, t.what, "-", goal(t), "not run")
			absent++
			continue
		}
		for _, got := range rows {
			met := "yes"
			switch {
			case t.op == "":
				met = ""
			case !meets(t, got.value):
				met = "NO"
				missed++
			}
			fmt.Fprintf(w, "%-4s %-66s %-50s %12s %10s  %s\n", t.issue, got.name+" "+t.metric, t.what, strconv.FormatFloat(got.value, 'g', 6, 64), goal(t), met)
		}
	}
	_, err := fmt.Fprintf(w, "\n%d target(s) missed, %d benchmark(s) not run\n", missed, absent)
	return err
}

func goal(t target) string {
	if t.op == "" {
		return ""
	}
	return t.op + " " + strconv.FormatFloat(t.want, 'g', 6, 64)
}

func meets(t target, v float64) bool {
	switch t.op {
	case "<=":
		return v <= t.want
	case ">=":
		return v >= t.want
	case "==":
		return v == t.want
	}
	return true
}
