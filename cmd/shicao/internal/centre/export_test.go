package centre_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/credential"
	"shicao/standards"
)

// TestCentre_ExaminersTable is the notice's attachment
// (泰安市特种作业考评员（培训机构教师）持证情况统计表) as a person reads the
// file: a sheet named 持证情况统计表, the title, a line with 填报单位 and
// the report date, the attachment's eight columns in order, one row per
// person and category saying whether the person is a 考评员 or a
// 培训教师, 是否持证 否 for every certificate not valid on the report
// date with the reason in 备注, and a file anyone may read (0644).
func TestCentre_ExaminersTable(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	dir := t.TempDir()
	centretest.Init(t, filepath.Join(dir, "c"), "taian-centre", "")
	c, err := centre.Open(ctx, filepath.Join(dir, "c"), centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	id := func(first17 string) string { return first17 + string(credential.IDCheckChar(first17)) }
	var (
		valid    = id("37090219800101123")
		teacher  = id("37090219750505345")
		future   = id("37090219790909456")
		revoked  = id("37090219850303111")
		expiring = id("37090219860404222")
		none     = id("37090219870505333")
	)
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	imp := func(path string) {
		t.Helper()
		rows, err := centre.ExaminerRowsFromFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := c.ImportExaminers(ctx, rows); err != nil {
			t.Fatal(err)
		}
	}
	// The role column is optional: a file without it makes 考评员.
	imp(write("first.csv", "身份证号,姓名,作业类别,证书编号,有效期限,初始密码\n"+
		revoked+",赵刚,低压电工作业,T-REVOKED,2023-01-01至2029-01-01,482916\n"))
	imp(write("examiners.csv", "身份证号,考评员（培训教师）,姓名,作业类别,证书编号,有效期限,初始密码,是否持证\n"+
		valid+",考评员,王建国,低压电工作业,T-VALID,2023-06-01至2029-05-31,482916,\n"+
		teacher+",培训教师,张伟,低压电工作业,T-EXPIRED,2018-01-01至2024-01-01,735048,\n"+
		future+",考评员,刘洋,高处作业,T-FUTURE,2027-01-01至2033-01-01,735048,\n"+
		revoked+",,赵刚,低压电工作业,,,,否\n"+
		expiring+",培训教师,孙丽,低压电工作业,T-SOON,2020-01-01至2026-12-31,735048,\n"+
		none+",考评员,周敏,高处作业,,,735048,\n"))

	day, err := standards.ParseDate("2026-11-28")
	if err != nil {
		t.Fatal(err)
	}
	tbl, err := c.ExaminersTable(ctx, day, "泰安市安全生产培训考务中心")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "持证情况统计表.xlsx")
	if _, err := tbl.WriteFile(path); err != nil {
		t.Fatal(err)
	}

	fi, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != 0o644 {
		t.Errorf("file mode %v, want -rw-r--r-- (0644)", fi.Mode().Perm())
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); !slices.Equal(got, []string{"持证情况统计表"}) {
		t.Errorf("sheets %q, want one named 持证情况统计表", got)
	}
	all, err := f.GetRows(f.GetSheetName(0))
	if err != nil {
		t.Fatal(err)
	}
	if len(all) < 3 {
		t.Fatalf("%d rows, want a title, a 填报单位 line, a header and the examiners", len(all))
	}
	if got := all[0][0]; got != "泰安市特种作业考评员（培训机构教师）持证情况统计表" {
		t.Errorf("A1 (the title) = %q", got)
	}
	if got := all[1][0]; !strings.Contains(got, "填报单位（盖章）：泰安市安全生产培训考务中心") || !strings.Contains(got, "2026-11-28") {
		t.Errorf("A2 = %q, want 填报单位（盖章）：泰安市安全生产培训考务中心 and the date 2026-11-28", got)
	}
	wantHeader := []string{"序号", "考评员（培训教师）", "姓名", "作业类别", "是否持证", "证书编号", "有效期限", "备注"}
	if !slices.Equal(all[2], wantHeader) {
		t.Errorf("header (row 3) = %q, want %q", all[2], wantHeader)
	}
	// A row as read back; excelize drops the empty cells at a row's end.
	row := func(cells ...string) []string { return cells }
	want := map[string][]string{
		"王建国": row("考评员", "王建国", "低压电工作业", "是", "T-VALID", "2023-06-01至2029-05-31"),
		"张伟":  row("培训教师", "张伟", "低压电工作业", "否", "T-EXPIRED", "2018-01-01至2024-01-01", "证书已过期（有效期至2024-01-01）"),
		"刘洋":  row("考评员", "刘洋", "高处作业", "否", "T-FUTURE", "2027-01-01至2033-01-01", "证书尚未生效（2027-01-01起有效）"),
		"赵刚":  row("考评员", "赵刚", "低压电工作业", "否", "T-REVOKED", "", "证书已撤销"),
		"孙丽":  row("培训教师", "孙丽", "低压电工作业", "是", "T-SOON", "2020-01-01至2026-12-31", "证书将于60日内到期（2026-12-31）"),
		"周敏":  row("考评员", "周敏", "高处作业", "否", "", "", "未持证，不得担任该类别考评员"),
	}
	seen := 0
	for i, r := range all[3:] {
		if len(r) < 3 {
			t.Errorf("row %d = %q: too short", i+4, r)
			continue
		}
		if r[0] != strconv.Itoa(i+1) {
			t.Errorf("row %d: 序号 %q, want %d", i+4, r[0], i+1)
		}
		w, ok := want[r[2]]
		if !ok {
			t.Errorf("row %d = %q: nobody of that name was imported", i+4, r)
			continue
		}
		seen++
		if !slices.Equal(r[1:], w) {
			t.Errorf("row %d = %q,\nwant %q", i+4, r[1:], w)
		}
	}
	if seen != len(want) {
		t.Errorf("%d of the %d imported rows in the table", seen, len(want))
	}
}

// TestExaminerRowsFromFile_Role: the role column takes 考评员 or
// 培训教师, and refuses anything else with its row.
func TestExaminerRowsFromFile_Role(t *testing.T) {
	t.Parallel()
	p := filepath.Join(t.TempDir(), "bad-role.csv")
	text := "身份证号,考评员（培训教师）,姓名,作业类别,证书编号\n370902198001011230,教练,王建国,低压电工作业,T1\n"
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := centre.ExaminerRowsFromFile(p)
	if err == nil || !strings.Contains(err.Error(), `row 1: 考评员（培训教师） "教练": want 考评员 or 培训教师`) {
		t.Errorf("got %v, want row 1's role refused", err)
	}
}

// TestTable_WriteFile: a table whose rows stream from a source is written
// whole or not at all. A source that fails after some rows leaves the
// file that was there as it was, and no temporary file beside it; one
// that ends writes every row and says how many.
func TestTable_WriteFile(t *testing.T) {
	t.Parallel()
	broken := errors.New("the database went away")
	source := func(rows int, err error) func(func([]string, error) bool) {
		return func(yield func([]string, error) bool) {
			for i := range rows {
				if !yield([]string{strconv.Itoa(i + 1), "成绩" + strconv.Itoa(i)}, nil) {
					return
				}
			}
			if err != nil {
				yield(nil, err)
			}
		}
	}
	for _, ext := range []string{".csv", ".xlsx"} {
		t.Run("ErrRows"+ext, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			path := filepath.Join(dir, "results"+ext)
			if err := os.WriteFile(path, []byte("the export before"), 0o644); err != nil {
				t.Fatal(err)
			}
			// Enough rows that the CSV's buffer has gone to the file.
			tbl := &centre.Table{Title: "t", Header: []string{"序号", "成绩编号"}, Source: source(5000, broken)}
			if _, err := tbl.WriteFile(path); !errors.Is(err, broken) {
				t.Fatalf("WriteFile with rows that fail: %v, want %v", err, broken)
			}
			if b, err := os.ReadFile(path); err != nil || string(b) != "the export before" {
				t.Errorf("the file is now %.40q (%v), want the export before", b, err)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 1 {
				t.Errorf("the directory holds %d files, want the one export: a temporary file was left", len(entries))
			}
		})
		t.Run("OK"+ext, func(t *testing.T) {
			t.Parallel()
			path := filepath.Join(t.TempDir(), "results"+ext)
			tbl := &centre.Table{Title: "t", Header: []string{"序号", "成绩编号"}, Source: source(3, nil)}
			n, err := tbl.WriteFile(path)
			if err != nil || n != 3 {
				t.Fatalf("WriteFile: %d rows, %v; want 3", n, err)
			}
			header, rows, err := centre.ReadTable(path)
			if err != nil {
				t.Fatal(err)
			}
			if ext == ".xlsx" { // the title row above the header
				header, rows = rows[0], rows[1:]
			}
			if !slices.Equal(header, tbl.Header) || len(rows) != 3 || rows[2][1] != "成绩2" {
				t.Errorf("read back %q and %q", header, rows)
			}
		})
	}
}

// rowsOf reads a table's rows as a writer takes them (Table.All: from
// the database for the results).
func rowsOf(t testing.TB, tbl *centre.Table) [][]string {
	t.Helper()
	var rows [][]string
	for r, err := range tbl.All() {
		if err != nil {
			t.Fatal(err)
		}
		rows = append(rows, r)
	}
	return rows
}
