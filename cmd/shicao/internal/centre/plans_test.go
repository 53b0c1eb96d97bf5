package centre_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
)

// TestImportPlans_Roster: what a roster may not hold, and a roster
// imported again under the same plan id adds to the plan, never takes a
// candidate off it.
func TestImportPlans_Roster(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	today := r.st.S.Today().String()
	row := func(plan, id, name string) centre.PlanRow {
		return centre.PlanRow{Plan: plan, Date: today, Site: demo.Site, Station: demo.Station, Category: demo.Category, Blueprint: demo.Paper,
			IDNumber: id, Name: name, Attempt: 1, Examiners: []string{demo.Examiners[0].ID, demo.Examiners[1].ID}}
	}
	c0, c1 := demo.Candidates[0], demo.Candidates[1]
	for _, tt := range []struct {
		name string
		rows []centre.PlanRow
		want string
	}{
		{"SameIDTwice", []centre.PlanRow{row("P-1", c0.IDNumber, c0.Name), row("P-1", c0.IDNumber, c0.Name)}, "row 2: candidate 陈明 (370902199903081216) is on plan P-1 already, in row 1"},
		{"NoName", []centre.PlanRow{row("P-1", c0.IDNumber, " ")}, "row 1: candidate 370902199903081216 has no 姓名"},
		{"PastDate", func() []centre.PlanRow {
			x := row("P-1", c0.IDNumber, c0.Name)
			x.Date = "2025-06-01"
			return []centre.PlanRow{x}
		}(), "plan P-1: the exam date 2025-06-01 is past"},
		{"ExaminerAsCandidate", []centre.PlanRow{row("P-1", demo.Examiners[0].ID, demo.Examiners[0].Name)}, "plan P-1: 王建国 (370902198001011230) is both a candidate and an examiner: no one examines themself"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.c.ImportPlans(ctx, tt.rows)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %v, want %q", err, tt.want)
			}
			if _, _, err := r.c.PlanByID(ctx, "P-1"); err == nil {
				t.Fatal("a refused roster issued its plan")
			}
		})
	}

	if _, err := r.c.ImportPlans(ctx, []centre.PlanRow{row("P-2", c0.IDNumber, c0.Name)}); err != nil {
		t.Fatal(err)
	}
	// A supplementary roster: one new candidate only.
	if _, err := r.c.ImportPlans(ctx, []centre.PlanRow{row("P-2", c1.IDNumber, c1.Name)}); err != nil {
		t.Fatal(err)
	}
	p, _, err := r.c.PlanByID(ctx, "P-2")
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Candidates) != 2 || p.Candidates[0].IDNumber != c0.IDNumber || p.Candidates[1].IDNumber != c1.IDNumber {
		t.Fatalf("after a supplementary roster the plan holds %+v, want both candidates", p.Candidates)
	}
	// A plan keeps its date once issued; a candidate keeps their name.
	moved := row("P-2", c0.IDNumber, c0.Name)
	moved.Date = "2099-01-01"
	if _, err := r.c.ImportPlans(ctx, []centre.PlanRow{moved}); err == nil || !strings.Contains(err.Error(), "an issued plan keeps these — give the change a new plan id") {
		t.Fatalf("a roster moving the plan: %v", err)
	}
	if _, err := r.c.ImportPlans(ctx, []centre.PlanRow{row("P-2", c0.IDNumber, "别人")}); err == nil || !strings.Contains(err.Error(), "is on the plan as 陈明 (attempt 1); this roster says 别人 (attempt 1)") {
		t.Fatalf("a roster renaming a candidate: %v", err)
	}
}

// TestImportFiles_SpreadsheetMistakes: the usual ways a roster leaves a
// spreadsheet wrong are named with what to do.
func TestImportFiles_SpreadsheetMistakes(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name string, b []byte) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	// GBK bytes for 身份证号 (what Excel writes as "CSV" on a Chinese system).
	gbk := write("gbk.csv", []byte("\xc9\xed\xb7\xdd\xd6\xa4\xba\xc5,name\n370902199903081216,x\n"))
	if _, err := centre.PlanRowsFromFile(gbk); err == nil || !strings.Contains(err.Error(), `not UTF-8 text (Excel's "CSV" on a Chinese system writes GBK): save it as "CSV UTF-8" or as .xlsx`) {
		t.Fatalf("a GBK file: %v", err)
	}
	// A title above the header, as the provincial exports have.
	titled := write("titled.csv", []byte("2026年11月29日考试计划,,,,,,,,,\n计划编号,考试日期,考点,考站,作业类别,试卷,身份证号,姓名,考试类型,考评员\nP-9,2026-11-29,TA-KD-01,STN-01,低压电工作业,SD-DG-PAPER,370902199903081216,陈明,正考,370902198001011230;37090219820202234X\n"))
	rows, err := centre.PlanRowsFromFile(titled)
	if err != nil || len(rows) != 1 || rows[0].Name != "陈明" || len(rows[0].Examiners) != 2 {
		t.Fatalf("a roster under a title: %+v %v", rows, err)
	}
	// A 身份证号 that went through a number cell.
	ctx := context.Background()
	r := newRig(t)
	row := rows[0]
	row.Date, row.IDNumber = r.st.S.Today().String(), "370902199903081000"
	_, err = r.c.ImportPlans(ctx, []centre.PlanRow{row})
	if err == nil || !strings.Contains(err.Error(), "format the 身份证号 column as text") {
		t.Fatalf("a 身份证号 with its last digits zeroed: %v", err)
	}
}
