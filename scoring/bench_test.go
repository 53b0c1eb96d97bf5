package scoring_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

// benchLog is a 1,000,000-event CPR log: cycles of 30 compressions and 2
// breaths, a few marks, under a copy of SS-1 whose time limit is long
// enough that every event is scored.
var benchLog = sync.OnceValues(func() ([]byte, error) {
	var b bytes.Buffer
	w := bufio.NewWriter(&b)
	fmt.Fprintf(w, `{"seq":1,"t_ms":0,"type":"session.start","source":"system","data":{"item":"SD-DG-K42","version":1,"examiners":["1","2"]}}`+"\n")
	seq, t := int64(2), int64(0)
	for seq < 1_000_000 {
		for i := 0; i < 30 && seq < 1_000_000; i++ {
			depth := 52 + (seq % 7)
			if seq%97 == 0 {
				depth = 47
			}
			fmt.Fprintf(w, `{"seq":%d,"t_ms":%d,"type":"cpr.compression","source":"device:cpr","data":{"depth_mm":%d,"position":"ok","recoil":true}}`+"\n", seq, t, depth)
			seq++
			t += 13
		}
		for i := 0; i < 2 && seq < 1_000_000; i++ {
			fmt.Fprintf(w, `{"seq":%d,"t_ms":%d,"type":"cpr.ventilation","source":"device:cpr","data":{"volume_ml":700,"airway_open":true,"gastric":false}}`+"\n", seq, t)
			seq++
			t += 13
		}
	}
	fmt.Fprintf(w, `{"seq":%d,"t_ms":%d,"type":"session.end","source":"system","data":{"reason":"finished"}}`+"\n", seq, t)
	w.Flush()
	return b.Bytes(), nil
})

func benchStandard(tb testing.TB) *standards.Standard {
	tb.Helper()
	src, err := library.Read("sd-dg-k42-cpr.yaml")
	if err != nil {
		tb.Fatal(err)
	}
	// Same rules, a 4-hour limit so that the whole million is in time.
	text := strings.Replace(string(src), "time_limit: 5m ", "time_limit: 4h ", 1)
	std, err := standards.Parse("bench.yaml", []byte(text))
	if err != nil {
		tb.Fatal(err)
	}
	return std
}

func writeBenchLog(b *testing.B) string {
	data, err := benchLog()
	if err != nil {
		b.Fatal(err)
	}
	path := filepath.Join(b.TempDir(), "million.jsonl")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	return path
}

// decodePlain is the baseline of the scoring benchmark: a plain
// encoding/json decode of every line into a generic event.
func decodePlain(tb testing.TB, path string) int {
	f, err := os.Open(path)
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 64<<10), 64<<10)
	n := 0
	for sc.Scan() {
		var e struct {
			Seq    int64           `json:"seq"`
			TMs    int64           `json:"t_ms"`
			Type   string          `json:"type"`
			Source string          `json:"source"`
			Data   json.RawMessage `json:"data"`
		}
		if err := json.Unmarshal(sc.Bytes(), &e); err != nil {
			tb.Fatal(err)
		}
		n++
	}
	return n
}

// BenchmarkScoreMillion scores a 1,000,000-event log the way `shicao
// score` does (stream the file, score it) and, in the same run, decodes the
// same file with plain encoding/json. It reports scoring throughput, the
// bytes allocated per event by scoring alone, and the ratio of scoring
// time to decode time. Targets (issue 3): ratio <= 2, <= 300 B/event.
func BenchmarkScoreMillion(b *testing.B) {
	path := writeBenchLog(b)
	std := benchStandard(b)
	var scoreNs, decodeNs, allocBytes int64
	var ms runtime.MemStats
	b.ResetTimer()
	for b.Loop() {
		t0 := time.Now()
		if n := decodePlain(b, path); n != 1_000_000 {
			b.Fatalf("decoded %d lines", n)
		}
		t1 := time.Now()
		runtime.ReadMemStats(&ms)
		before := ms.TotalAlloc
		f, err := os.Open(path)
		if err != nil {
			b.Fatal(err)
		}
		sheet, err := scoring.ScoreReader(std, f, path)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		t2 := time.Now()
		runtime.ReadMemStats(&ms)
		allocBytes += int64(ms.TotalAlloc - before)
		if sheet.Events != 1_000_000 {
			b.Fatalf("scored %d events", sheet.Events)
		}
		decodeNs += t1.Sub(t0).Nanoseconds()
		scoreNs += t2.Sub(t1).Nanoseconds()
	}
	n := float64(b.N) * 1e6
	b.ReportMetric(n/(float64(scoreNs)/1e9), "events/s")
	b.ReportMetric(float64(allocBytes)/n, "B/event")
	b.ReportMetric(float64(scoreNs)/float64(decodeNs), "score/decode")
}

// BenchmarkLiveRescore is the station's live use: after every compression
// of a 5-minute CPR item, re-score the whole log so far. It reports the
// cost of the last re-score (the largest), target well under 1 ms.
func BenchmarkLiveRescore(b *testing.B) {
	src, err := library.Read("sd-dg-k42-cpr.yaml")
	if err != nil {
		b.Fatal(err)
	}
	std, err := standards.Parse("k42.yaml", src)
	if err != nil {
		b.Fatal(err)
	}
	events := std.Expand(&std.Tests[0]) // perfect: 5 cycles, 160 device events
	s := scoring.NewSession(std)
	for i := range events[:len(events)-1] {
		if err := s.Add(&events[i]); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for b.Loop() {
		if _, err := s.Sheet(); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(len(events)), "events")
}
