package centre_test

import (
	"context"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
)

// TestCentre_Plans: the plan list names each plan with its number of
// candidates, and keeps only the exam date asked for.
func TestCentre_Plans(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	today := r.st.S.Today().String()
	// The demo day: the 低压电工 plan with its five candidates, then one plan
	// per other category with one candidate each (listed by id).
	var day []centre.PlanSummary
	for _, p := range demo.Plans(today) {
		day = append(day, centre.PlanSummary{ID: p.ID, Date: today, Site: demo.Site, Station: demo.Station, Category: p.Category, Blueprint: p.Blueprint, Candidates: len(p.Candidates)})
	}
	slices.SortFunc(day, func(a, b centre.PlanSummary) int { return strings.Compare(a.ID, b.ID) })
	tests := []struct {
		date string
		want []centre.PlanSummary
	}{
		{"", day},
		{today, day},
		{"2020-01-01", nil},
	}
	for _, tt := range tests {
		got, err := r.c.Plans(ctx, tt.date)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Plans(%q) = %+v, want %+v", tt.date, got, tt.want)
		}
	}
}

// TestTable_Save: in an XLSX export 序号, 总分 and 日志序号 are numbers a
// spreadsheet can sum and sort, 身份证号 stays text (18 digits would lose
// their last ones as a number, and an X is no digit), and the results of
// another exam day are not in it.
func TestTable_Save(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "xlsx-1", 0)
	if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	today := r.st.S.Today()
	dir := t.TempDir()

	// cell returns a cell's text and whether it is stored as a number.
	cell := func(t *testing.T, path, name string) (string, bool) {
		t.Helper()
		f, err := excelize.OpenFile(path)
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		sheet := f.GetSheetName(0)
		v, err := f.GetCellValue(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		typ, err := f.GetCellType(sheet, name)
		if err != nil {
			t.Fatal(err)
		}
		// A number cell has no type attribute or "n"; text is a shared
		// or inline string.
		return v, typ == excelize.CellTypeUnset || typ == excelize.CellTypeNumber
	}

	t.Run("Results", func(t *testing.T) {
		tbl, err := r.c.ResultsTable(ctx, today)
		if err != nil {
			t.Fatal(err)
		}
		if want := centre.ResultsTitle + "（" + today.String() + "）"; tbl.Title != want {
			t.Errorf("title %q, want %q", tbl.Title, want)
		}
		path := filepath.Join(dir, "results.xlsx")
		if _, err := tbl.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		// Row 1 is the title, row 2 the header, row 3 the result.
		tests := []struct {
			cell, header, want string
			number             bool
		}{
			{"A2", "序号", "序号", false},
			{"A3", "序号", "1", true},
			{"H3", "身份证号", demo.Candidates[0].IDNumber, false},
			{"K3", "总分", saved.Total.String(), true},
			{"N3", "日志序号", "0", true},
		}
		for _, tt := range tests {
			col, _, err := excelize.SplitCellName(tt.cell)
			if err != nil {
				t.Fatal(err)
			}
			if h, _ := cell(t, path, col+"2"); h != tt.header {
				t.Fatalf("column %s is %q, want %q", col, h, tt.header)
			}
			v, number := cell(t, path, tt.cell)
			if v != tt.want || number != tt.number {
				t.Errorf("%s (%s) = %q, a number: %v; want %q, a number: %v", tt.cell, tt.header, v, number, tt.want, tt.number)
			}
		}
	})

	t.Run("OtherDay", func(t *testing.T) {
		other, err := standards.ParseDate("2020-01-01")
		if err != nil {
			t.Fatal(err)
		}
		tbl, err := r.c.ResultsTable(ctx, other)
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rowsOf(t, tbl)); n != 0 {
			t.Errorf("results of 2020-01-01: %d rows, want none (the result is of %s)", n, today)
		}
		all, err := r.c.ResultsTable(ctx, standards.Date{})
		if err != nil {
			t.Fatal(err)
		}
		if n := len(rowsOf(t, all)); n != 1 || all.Title != centre.ResultsTitle {
			t.Errorf("every result: %d rows titled %q, want 1 titled %q", n, all.Title, centre.ResultsTitle)
		}
	})

	t.Run("Examiners", func(t *testing.T) {
		tbl, err := r.c.ExaminersTable(ctx, today, "")
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, "examiners.xlsx")
		if _, err := tbl.WriteFile(path); err != nil {
			t.Fatal(err)
		}
		// Row 1 is the title, row 2 填报单位 and the date, row 3 the header.
		if v, number := cell(t, path, "A4"); v != "1" || !number {
			t.Errorf("序号 A4 = %q, a number: %v; want 1, a number", v, number)
		}
		if v, number := cell(t, path, "C4"); v == "" || number {
			t.Errorf("姓名 C4 = %q, a number: %v; want a name, as text", v, number)
		}
		if title, _ := cell(t, path, "A1"); !strings.HasPrefix(title, "泰安市") {
			t.Errorf("title row A1 = %q", title)
		}
	})
}
