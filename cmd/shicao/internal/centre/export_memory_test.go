package centre_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// exportChildEnv, set to a centre's data directory, makes
// TestCentre_ResultsTable_Memory the child that exports that centre and
// measures its own heap: the test binary runs the package's tests four at
// once, whose allocations a heap measured in the parent would count.
const exportChildEnv = "SHICAO_TEST_EXPORT_MEMORY_DIR"

// memoryResults is how many results the centre of
// TestCentre_ResultsTable_Memory holds, memoryDayResults of them (the
// first) of the day before (memoryDayBefore): enough that either export's
// XLSX sheet (2.3 KB a row) outgrows excelize's in-memory chunk.
const memoryResults, memoryDayResults = 12_000, 8_000

// memoryReason is each result's reason for a 身份证号 typed in: wider rows,
// so that the sheet outgrows excelize's chunk with fewer results to build.
var memoryReason = strings.Repeat("证件芯片损坏无法读取，已核对户籍证明与本人照片一致；", 6)

// TestCentre_ResultsTable_Memory: the results export's memory does not
// grow with the results (issue #18: "nothing that grows with the log held
// in memory"). A child process exports the results of one day (8,000)
// and then of every day (12,000), as CSV and as XLSX, and measures its
// live heap (after a collection) before each export and, from the
// writer, while the export is written.
//
// Holding the rows as cells costs at least their cells' bytes and string
// headers: the 4,000 rows more about 4 MiB, all 12,000 about 12 MiB
// (computed below from the bytes written); the export used to hold them,
// and the whole file besides. Streamed, exporting 4,000 rows more grows
// the heap by under 1 MiB more, in either format (measured: 0.0), and a
// CSV export grows it by under 1 MiB (measured: 0.0). An XLSX export
// grows it by a constant amount, under 24 MiB (measured: 21): excelize
// keeps up to 16 MiB of the sheet (StreamChunkSize) in a buffer before
// it spills to a temporary file, and the buffer keeps the capacity it
// grew to; both exports' sheets outgrow it.
func TestCentre_ResultsTable_Memory(t *testing.T) {
	t.Parallel()
	if dir := os.Getenv(exportChildEnv); dir != "" {
		exportMemoryChild(t, dir)
		return
	}
	if testing.Short() {
		t.Skip("builds a centre of 12,000 results: not in -short")
	}
	start := time.Now()
	c, dir := narrowCentre(t, memoryResults, memoryDayResults)
	before := memoryDayBefore(c)
	c.Close()
	t.Logf("a centre of %d results built in %v", memoryResults, time.Since(start).Round(time.Millisecond))

	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir() + "/figures.json"
	cmd := exec.Command(self, "-test.run=^TestCentre_ResultsTable_Memory$", "-test.count=1")
	cmd.Env = append(os.Environ(), exportChildEnv+"="+dir, exportChildEnv+"_OUT="+out, exportChildEnv+"_DAY="+before.String())
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("the exporting child: %v\n%s", err, b)
	}
	raw, err := os.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	var figures map[string]exportFigures
	if err := json.Unmarshal(raw, &figures); err != nil {
		t.Fatalf("the child's figures %q: %v", raw, err)
	}
	const mib = 1 << 20
	// What holding the extra rows would cost, at the least: their cells
	// (the CSV's bytes of them, less a comma each) and a string header
	// (16 bytes) per cell and a slice header (24 bytes) per row.
	dayCSV, allCSV := figures["csv-day"], figures["csv-all"]
	extra := int64(allCSV.Rows - dayCSV.Rows)
	holding := (allCSV.Bytes - dayCSV.Bytes) + extra*(24+21*16-21)
	const boundGrowth, boundCSV, boundXLSX = 1 * mib, 1 * mib, 24 * mib
	if holding < 2*boundGrowth {
		t.Fatalf("holding the %d extra rows costs %.1f MiB: too little to tell apart from the bound of %d MiB", extra, float64(holding)/mib, boundGrowth/mib)
	}
	for _, format := range []string{"csv", "xlsx"} {
		day, all := figures[format+"-day"], figures[format+"-all"]
		t.Logf("%s: %d rows: heap +%.1f MiB (%v); %d rows: +%.1f MiB (%v); holding the %d more rows costs at least %.1f MiB",
			format, day.Rows, float64(day.Growth)/mib, day.Took, all.Rows, float64(all.Growth)/mib, all.Took, extra, float64(holding)/mib)
		if day.Rows != memoryDayResults || all.Rows != memoryResults {
			t.Fatalf("%s: %d and %d rows exported, want %d and %d", format, day.Rows, all.Rows, memoryDayResults, memoryResults)
		}
		if d := all.Growth - day.Growth; d > boundGrowth {
			t.Errorf("%s: exporting %d more rows took %.1f MiB more heap, over %d MiB: the export holds rows", format, extra, float64(d)/mib, boundGrowth/mib)
			if format == "xlsx" && day.Growth < 16*mib {
				t.Logf("(or the day's sheet stayed within excelize's chunk of 16 MiB, which the comparison needs it to outgrow)")
			}
		}
	}
	// Every row held: three times the extra rows' cost.
	if holdingAll := 3 * holding; holdingAll < 2*boundCSV {
		t.Fatalf("holding all %d rows costs %.1f MiB: too little to tell apart from the bound of %d MiB", allCSV.Rows, float64(holdingAll)/mib, boundCSV/mib)
	}
	if g := allCSV.Growth; g > boundCSV {
		t.Errorf("csv: exporting %d rows grew the heap by %.1f MiB, over %d MiB: the export holds rows", allCSV.Rows, float64(g)/mib, boundCSV/mib)
	}
	// Not what tells streaming apart (the two exports' difference is):
	// excelize's constant share, kept from growing.
	if g := figures["xlsx-all"].Growth; g > boundXLSX {
		t.Errorf("xlsx: exporting %d rows grew the heap by %.1f MiB, over %d MiB (16 MiB of them excelize's): the export holds rows", allCSV.Rows, float64(g)/mib, boundXLSX/mib)
	}
}

// exportFigures are one export's, measured by the child.
type exportFigures struct {
	Rows   int
	Bytes  int64 // written
	Growth int64 // the live heap's peak while writing, less before
	Took   time.Duration
}

// exportMemoryChild exports the centre in dir, every day and the day
// exportChildEnv_DAY names, and writes the figures to the file
// exportChildEnv_OUT names.
func exportMemoryChild(t *testing.T, dir string) {
	ctx := context.Background()
	before, err := standards.ParseDate(os.Getenv(exportChildEnv + "_DAY"))
	if err != nil {
		t.Fatal(err)
	}
	_, zone := centretest.Zone()
	c, err := centre.Open(ctx, dir, centre.Options{Zone: zone})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	figures := map[string]exportFigures{}
	for _, format := range []string{"csv", "xlsx"} {
		for _, which := range []string{"day", "all"} {
			day := standards.Date{}
			if which == "day" {
				day = before
			}
			figures[format+"-"+which] = measureExport(t, c, day, format)
		}
	}
	b, err := json.Marshal(figures)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(os.Getenv(exportChildEnv+"_OUT"), b, 0o600); err != nil {
		t.Fatal(err)
	}
}

// measureExport writes the results of day as format into a heapSink.
func measureExport(t *testing.T, c *centre.Centre, day standards.Date, format string) exportFigures {
	t.Helper()
	start := time.Now()
	base := liveHeap()
	tbl, err := c.ResultsTable(context.Background(), day)
	if err != nil {
		t.Fatal(err)
	}
	sink := &heapSink{every: 256 << 10}
	var n int
	if format == "csv" {
		n, err = tbl.WriteCSV(sink)
	} else {
		n, err = tbl.WriteXLSX(sink)
	}
	if err != nil {
		t.Fatal(err)
	}
	sink.sample()
	runtime.KeepAlive(tbl)
	return exportFigures{Rows: n, Bytes: sink.written, Growth: int64(sink.peak) - int64(base), Took: time.Since(start).Round(time.Millisecond)}
}

// heapSink discards what is written to it and samples the live heap at
// the first write and every so many bytes after.
type heapSink struct {
	every, written, next int64
	peak                 uint64
}

func (s *heapSink) Write(p []byte) (int, error) {
	s.written += int64(len(p))
	if s.written >= s.next {
		s.sample()
		s.next = s.written + s.every
	}
	return len(p), nil
}

func (s *heapSink) sample() { s.peak = max(s.peak, liveHeap()) }

var _ io.Writer = (*heapSink)(nil)

// liveHeap returns the bytes of the heap's live objects, after a
// collection.
func liveHeap() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// memoryDayBefore is the day before the centre's today: the exam date of
// the first third of narrowCentre's results.
func memoryDayBefore(c *centre.Centre) standards.Date {
	today := c.Today()
	return standards.DateOf(time.Date(today.Y, time.Month(today.M), today.D, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1))
}

// narrowCentre makes a centre of n results of the demo station, the first
// day of them dated the day before, each with its 身份证号 typed in for
// memoryReason: signed results of the demo exam with their items, events
// and standards left out (about 2 KB each, against the demo's 107 KB),
// which the results table and its export do not read, appended as Ingest
// would once its checks pass (centre.AppendBulk).
func narrowCentre(t *testing.T, n, day int) (*centre.Centre, string) {
	t.Helper()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	// SQLite whatever the harness's backend: appending 20,000 results to
	// PostgreSQL took 50 s (8 on SQLite), and the export's figures there
	// were SQLite's.
	c, dir := centretest.NewCentreDirOn(t, "sqlite", st)
	saved := st.Exam(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("narrow"), 0)
	var b examsync.Bundle
	if err := json.Unmarshal(saved.Bundle, &b); err != nil {
		t.Fatal(err)
	}
	var base examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &base); err != nil {
		t.Fatal(err)
	}
	b.Events, b.Standards, b.Vocabularies = nil, nil, nil
	base.Items = nil
	if base.Paper != nil {
		paper := *base.Paper
		paper.Subjects = nil
		base.Paper = &paper
	}
	signer, err := note.NewSigner(st.Signer)
	if err != nil {
		t.Fatal(err)
	}
	before := memoryDayBefore(c).String()
	cands := demo.BulkPlan(base.Date, "TA-NARROW", n).Candidates
	// One goroutine signs the results, in order, while AppendBulk
	// appends the ones before.
	type signed struct {
		body []byte
		err  error
	}
	bodies := make(chan signed, 256)
	done := make(chan struct{})
	defer close(done)
	go func() {
		defer close(bodies)
		for i := range n {
			doc := base
			doc.ID, doc.Plan = fmt.Sprintf("narrow%06d", i), "TA-NARROW"
			doc.Candidate = examsync.CandidateRef{IDNumber: cands[i].IDNumber, Name: cands[i].Name, Attempt: 1}
			doc.Identity = &examsync.Identity{Method: examsync.IdentityManual, IDNumber: cands[i].IDNumber, Name: cands[i].Name, Reason: memoryReason, ConfirmedBy: []string{}}
			if i < day {
				doc.Date = before
			}
			var s signed
			text, err := json.Marshal(&doc)
			if err == nil {
				var sig []byte
				sig, err = note.Sign(&note.Note{Text: string(text) + "\n"}, signer)
				body := b
				body.Result = string(sig)
				if err == nil {
					s.body, err = json.Marshal(&body)
				}
			}
			s.err = err
			select {
			case bodies <- s:
			case <-done:
				return
			}
		}
	}()
	got, err := centre.AppendBulk(ctx, c, demo.Station, 2000, func() ([]byte, error) {
		s, ok := <-bodies
		if !ok {
			return nil, nil
		}
		return s.body, s.err
	})
	if err != nil {
		t.Fatal(err)
	}
	if got != n {
		t.Fatalf("appended %d results, want %d", got, n)
	}
	return c, dir
}
