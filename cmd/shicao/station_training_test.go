package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// TestStationTrainingExport: at a training institution's station, the
// export lists a trainee's attempts in order, one row each, and the
// status says training mode and why.
func TestStationTrainingExport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	r, err := demo.Registry()
	if err != nil {
		t.Fatal(err)
	}
	r.Version, r.Training = 2, true
	signer, _ := demo.CentreKeys()
	signed, err := examsync.Sign(r, signer)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.S.ImportRegistry(ctx, signed); err != nil {
		t.Fatal(err)
	}
	chen := demo.Candidates[0]
	first := st.Exam(t, chen.IDNumber, "t-1", 0)
	second := st.Exam(t, chen.IDNumber, "t-2", 0)

	runCmd := func(c *Command, args ...string) (string, string) {
		t.Helper()
		var out, errb bytes.Buffer
		if err := c.Flag.Parse(args); err != nil {
			t.Fatal(err)
		}
		if err := c.Run(ctx, &env{stdin: strings.NewReader(""), stdout: &out, stderr: &errb}, c.Flag.Args()); err != nil {
			t.Fatal(err)
		}
		return out.String(), errb.String()
	}
	status, _ := runCmd(stationTrainingStatusCmd(), "--data", st.Dir)
	if !strings.HasPrefix(status, "training mode: site TA-KD-01 is a training institution's site") {
		t.Errorf("status: %q", status)
	}
	file := filepath.Join(t.TempDir(), "培训成绩.csv")
	_, msg := runCmd(stationTrainingExportCmd(), "--data", st.Dir, "-o", file)
	if msg != "2 training result(s) of 1 trainee(s) written to "+file+"\n" {
		t.Errorf("stderr %q", msg)
	}
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || strings.Join(rows[0], ",") != strings.Join(station.TrainingCSVHeader, ",") {
		t.Fatalf("csv %q", rows)
	}
	for i, s := range []*station.Saved{first, second} {
		row := rows[i+1]
		if row[1] != chen.Name || row[2] != string(rune('1'+i)) || row[5] != s.Total.String() || row[8] != s.ID {
			t.Errorf("attempt %d: row %q, want result %s total %s", i+1, row, s.ID, s.Total)
		}
	}
}
