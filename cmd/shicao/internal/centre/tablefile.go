package centre

import (
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
)

// ReadTable reads a CSV or XLSX file (by its extension; XLSX: the first
// sheet) into a header and rows. Cells are trimmed; a UTF-8 byte order
// mark is dropped; blank rows are skipped; an XLSX date cell in the short
// date format reads as YYYY-MM-DD.
func ReadTable(path string) (header []string, rows [][]string, err error) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".csv", ".txt":
	default:
		return nil, nil, fmt.Errorf("%s: give a .csv or .xlsx file", path)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, nil, err
	}
	return readTable(path, b)
}

// findHeader finds the columns in the header, or, when a title or a note
// stands above the table (as on the provincial system's exports), in one
// of the next few rows; it returns the rows under the header it used.
func findHeader(header []string, rows [][]string, want map[string][]string, required ...string) (columns, [][]string, error) {
	cols, err := findColumns(header, want, required...)
	if err == nil {
		return cols, rows, nil
	}
	for k := 0; k < min(4, len(rows)); k++ {
		if c, err2 := findColumns(rows[k], want, required...); err2 == nil {
			return c, rows[k+1:], nil
		}
	}
	return nil, nil, err
}

// columns finds each wanted column in a header by any of its names.
type columns map[string]int

func findColumns(header []string, want map[string][]string, required ...string) (columns, error) {
	cols := columns{}
	for key, names := range want {
		for i, h := range header {
			for _, n := range names {
				if strings.EqualFold(h, n) {
					cols[key] = i
				}
			}
		}
	}
	var missing []string
	for _, k := range required {
		if _, ok := cols[k]; !ok {
			missing = append(missing, want[k][0])
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("the header lacks the column(s) %s (it has %s)", strings.Join(missing, ", "), strings.Join(header, ", "))
	}
	return cols, nil
}

func (c columns) get(row []string, key string) string {
	i, ok := c[key]
	if !ok || i >= len(row) {
		return ""
	}
	return row[i]
}

// ExaminerRowsFromFile reads the examiner import: one row per examiner
// and category, columns 身份证号, 考评员姓名 (or 姓名), 作业类别, 证书编号,
// 有效期起 and 有效期止 (or 有效期限 "YYYY-MM-DD至YYYY-MM-DD"), an
// optional 初始密码 (PIN), an optional 是否持证 (是/否) and an optional
// 考评员（培训教师） saying which the person is (考评员 or 培训教师; empty:
// as before, 考评员 for a new person). The 证书编号 column is required;
// an empty cell means 未持证 for a new examiner, and revokes a
// certificate held only with 是否持证 否.
func ExaminerRowsFromFile(path string) ([]ExaminerRow, error) {
	header, rows, err := ReadTable(path)
	if err != nil {
		return nil, err
	}
	return examinerRows(path, header, rows)
}

// examinerRows reads the examiner import's rows under header; path
// names the file in errors.
func examinerRows(path string, header []string, rows [][]string) ([]ExaminerRow, error) {
	cols, rows, err := findHeader(header, rows, map[string][]string{
		"id": {"身份证号", "id"}, "name": {"考评员姓名", "姓名", "name"}, "category": {"作业类别", "category"},
		"number": {"证书编号", "certificate"}, "from": {"有效期起", "valid_from"}, "to": {"有效期止", "valid_to"},
		"range": {"有效期限", "validity"}, "pin": {"初始密码", "PIN", "pin"}, "held": {"是否持证", "held"},
		"role":         {"考评员（培训教师）", "考评员(培训教师)", "人员类别", "role"},
		"institutions": {"所属培训机构", "institutions"}, "persons": {"回避人员", "recusals"},
	}, "id", "name", "category", "number")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []ExaminerRow
	for i, r := range rows {
		x := ExaminerRow{ID: cols.get(r, "id"), Name: cols.get(r, "name"), Category: cols.get(r, "category"), Number: cols.get(r, "number"),
			ValidFrom: cols.get(r, "from"), ValidTo: cols.get(r, "to"), PIN: cols.get(r, "pin")}
		_, hasInst := cols["institutions"]
		_, hasPersons := cols["persons"]
		if hasInst || hasPersons {
			x.Declared = true
			x.Institutions = splitList(cols.get(r, "institutions"))
			x.Persons = splitList(cols.get(r, "persons"))
		}
		switch h := cols.get(r, "held"); h {
		case "", "是", "yes":
		case "否", "no":
			x.NotHeld = true
		default:
			return nil, fmt.Errorf("%s: row %d: 是否持证 %q: want 是 or 否", path, i+1, h)
		}
		switch v := cols.get(r, "role"); v {
		case "":
		case RoleExaminer, "examiner":
			x.Role = RoleExaminer
		case RoleTeacher, "培训机构教师", "teacher":
			x.Role = RoleTeacher
		default:
			return nil, fmt.Errorf("%s: row %d: 考评员（培训教师） %q: want %s or %s", path, i+1, v, RoleExaminer, RoleTeacher)
		}
		if v := cols.get(r, "range"); v != "" && x.ValidFrom == "" {
			for _, sep := range []string{"至", "~", "—", " - "} {
				if a, b, ok := strings.Cut(v, sep); ok {
					x.ValidFrom, x.ValidTo = strings.TrimSpace(a), strings.TrimSpace(b)
					break
				}
			}
		}
		out = append(out, x)
	}
	return out, nil
}

// PlanRowsFromFile reads a plan roster (the provincial system's export):
// one row per candidate, columns 计划编号, 考试日期, 考点, 考站, 作业类别,
// 试卷, 身份证号, 姓名, 考试类型 (正考/补考) and 考评员 (身份证号 separated
// by ; or 、).
func PlanRowsFromFile(path string) ([]PlanRow, error) {
	header, rows, err := ReadTable(path)
	if err != nil {
		return nil, err
	}
	return planRows(path, header, rows)
}

// planRows reads a plan roster's rows under header; path names the
// file in errors.
func planRows(path string, header []string, rows [][]string) ([]PlanRow, error) {
	cols, rows, err := findHeader(header, rows, map[string][]string{
		"plan": {"计划编号", "plan"}, "date": {"考试日期", "date"}, "site": {"考点", "site"}, "station": {"考站", "station"},
		"category": {"作业类别", "category"}, "blueprint": {"试卷", "blueprint"}, "id": {"身份证号", "id_number"}, "name": {"姓名", "name"},
		"attempt": {"考试类型", "attempt"}, "examiners": {"考评员", "examiners"}, "institution": {"培训机构", "institution"},
	}, "plan", "date", "site", "station", "category", "blueprint", "id", "name", "examiners")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var out []PlanRow
	for i, r := range rows {
		attempt := 1
		switch a := cols.get(r, "attempt"); a {
		case "", "正考", "1":
		case "补考", "2":
			attempt = 2
		default:
			// Row numbers count the rows under the header, as
			// ImportPlans and ImportExaminers number them.
			return nil, fmt.Errorf("%s: row %d: 考试类型 %q: want 正考 or 补考", path, i+1, a)
		}
		ex := splitList(cols.get(r, "examiners"))
		out = append(out, PlanRow{Institution: strings.TrimSpace(cols.get(r, "institution")), Plan: cols.get(r, "plan"), Date: cols.get(r, "date"), Site: cols.get(r, "site"), Station: cols.get(r, "station"),
			Category: cols.get(r, "category"), Blueprint: cols.get(r, "blueprint"), IDNumber: cols.get(r, "id"), Name: cols.get(r, "name"), Attempt: attempt, Examiners: ex})
	}
	return out, nil
}

// splitList splits a cell listing several values, separated by ; ；
// 、 , or spaces.
func splitList(cell string) []string {
	return strings.FieldsFunc(cell, func(r rune) bool { return r == ';' || r == '；' || r == '、' || r == ',' || r == '，' || r == ' ' })
}

// IsTableFile reports whether WriteFile writes path: a .csv or .xlsx
// name (a command checks it before it opens the database).
func IsTableFile(path string) bool {
	ext := strings.ToLower(filepath.Ext(path))
	return ext == ".csv" || ext == ".xlsx"
}

// WriteFile writes the table as CSV or XLSX, by the file's extension,
// and returns the number of rows under the header. The XLSX has the
// title in its first row, the caption (if any) under it, the header
// frozen, and the Numbers columns as numbers. The file is mode 0644 (an
// export is handed on: to the 应急局, to a spreadsheet on another
// account), and written whole or not at all: the rows stream into a
// temporary file beside it, renamed over path once synced, so a reader
// never sees half a workbook.
func (t *Table) WriteFile(path string) (int, error) {
	var write func(io.Writer) (int, error)
	switch strings.ToLower(filepath.Ext(path)) {
	case ".csv":
		write = t.WriteCSV
	case ".xlsx":
		write = t.WriteXLSX
	default:
		return 0, errors.New(path + ": give a .csv or .xlsx file name")
	}
	var n int
	err := writeFileAtomic(path, 0o644, func(w io.Writer) error {
		var err error
		n, err = write(w)
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("%s: %w", path, err)
	}
	return n, nil
}

// writeFileAtomic writes path with mode perm (whatever the umask) by
// write, through a temporary file in the same directory, synced and
// renamed over path; on an error the temporary file is removed and path
// left as it was.
func writeFileAtomic(path string, perm os.FileMode, write func(io.Writer) error) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp) // after a successful rename there is nothing to remove
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

// idProblem words a refused 身份证号 for an import, with what to do when
// the cell was a number: Excel keeps 15 digits of a number, so an 18-digit
// 身份证号 typed into a number cell comes out as 3.70902E+17 or with its
// last digits zeroed.
func idProblem(raw, why string) string {
	digits := strings.Trim(raw, "0123456789") == ""
	if strings.ContainsAny(raw, "Ee") && strings.Contains(raw, "+") || digits && len(raw) == 18 && strings.HasSuffix(raw, "000") {
		return why + " (the cell looks like a number: Excel keeps 15 digits of a number, so format the 身份证号 column as text and type the numbers again)"
	}
	return why
}
