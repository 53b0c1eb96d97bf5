package centre

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"time"

	"github.com/xuri/excelize/v2"

	"shicao/standards"
)

// ResultRow is a result as the centre lists it.
type ResultRow struct {
	ID, Station, Site, Plan, Date, Category string
	Candidate, Name                         string
	Attempt                                 int
	Total                                   string
	Passed                                  bool
	Examiners                               string
	Index                                   int64
	SHA256                                  string
	ReceivedMs                              int64
}

// Results returns every result received, in log order.
func (c *Centre) Results(ctx context.Context) ([]ResultRow, error) {
	return c.ResultsOn(ctx, standards.Date{})
}

// ResultsOn returns the results of the exams held on day (every result
// when day is zero), in log order.
func (c *Centre) ResultsOn(ctx context.Context, day standards.Date) ([]ResultRow, error) {
	q, args := `SELECT id, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, log_index, sha256, received_ms
		FROM results`, []any{}
	if !day.IsZero() {
		q, args = q+` WHERE date = ?`, append(args, day.String())
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY log_index`, args...)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []ResultRow
	for rows.Next() {
		var r ResultRow
		if err := rows.Scan(&r.ID, &r.Station, &r.Site, &r.Plan, &r.Date, &r.Category, &r.Candidate, &r.Name, &r.Attempt, &r.Total, &r.Passed, &r.Examiners, &r.Index, &r.SHA256, &r.ReceivedMs); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResultBody returns the exact bytes received for a result.
func (c *Centre) ResultBody(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := c.db.QueryRowContext(ctx, `SELECT body FROM results WHERE id = ?`, id).Scan(&b)
	return b, translate(err)
}

// Table is a header and rows of cells, written as CSV or XLSX.
type Table struct {
	Title  string
	Header []string
	Rows   [][]string
	// Numbers marks the columns of numbers (序号, 总分): an XLSX stores
	// them as numbers, so that a spreadsheet sums, averages and sorts
	// them; a column of text that looks numeric (身份证号) stays text.
	Numbers map[int]bool
}

// writeXLSX writes the table as WriteFile lays it out (the title in the
// first row, the header frozen under it), with the Numbers columns as
// numbers.
func (t *Table) writeXLSX(path string) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Sheet1"
	if err := f.SetCellStr(sheet, "A1", t.Title); err != nil {
		return err
	}
	last, err := excelize.CoordinatesToCellName(max(len(t.Header), 1), 1)
	if err != nil {
		return err
	}
	if err := f.MergeCell(sheet, "A1", last); err != nil {
		return err
	}
	put := func(row int, cells []string, numbers map[int]bool) error {
		for i, v := range cells {
			cell, err := excelize.CoordinatesToCellName(i+1, row)
			if err != nil {
				return err
			}
			err = f.SetCellStr(sheet, cell, v)
			if numbers[i] {
				// A total may hold a half point ("87.5"); a cell that is
				// no number at all stays the text it is.
				if n, ierr := strconv.ParseInt(v, 10, 64); ierr == nil {
					err = f.SetCellInt(sheet, cell, n)
				} else if x, ferr := strconv.ParseFloat(v, 64); ferr == nil {
					err = f.SetCellFloat(sheet, cell, x, -1, 64)
				}
			}
			if err != nil {
				return fmt.Errorf("%s: cell %s: %w", path, cell, err)
			}
		}
		return nil
	}
	if err := put(2, t.Header, nil); err != nil {
		return err
	}
	for i, r := range t.Rows {
		if err := put(i+3, r, t.Numbers); err != nil {
			return err
		}
	}
	if err := f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 2, TopLeftCell: "A3", ActivePane: "bottomLeft"}); err != nil {
		return err
	}
	return f.SaveAs(path)
}

// WriteCSV writes the table as CSV with a UTF-8 byte order mark, which
// spreadsheet programs need to read Chinese text correctly.
func (t *Table) WriteCSV(w io.Writer) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	if err := cw.Write(t.Header); err != nil {
		return err
	}
	if err := cw.WriteAll(t.Rows); err != nil {
		return err
	}
	return cw.Error()
}

// columnsNamed returns the indexes of the named header cells.
func columnsNamed(header []string, names ...string) map[int]bool {
	out := map[int]bool{}
	for i, h := range header {
		if slices.Contains(names, h) {
			out[i] = true
		}
	}
	return out
}

// ResultsTitle is the title of the results export.
const ResultsTitle = "实操考试成绩"

// ResultsTable is the results export: the results of the exams held on
// day, or every result when day is zero.
func (c *Centre) ResultsTable(ctx context.Context, day standards.Date) (*Table, error) {
	list, err := c.ResultsOn(ctx, day)
	if err != nil {
		return nil, err
	}
	title := ResultsTitle
	if !day.IsZero() {
		title += "（" + day.String() + "）"
	}
	t := &Table{Title: title, Header: []string{"序号", "成绩编号", "考试日期", "考点", "考站", "考试计划", "作业类别", "身份证号", "姓名", "考试类型", "总分", "结果", "考评员", "日志序号", "SHA-256", "接收时间"}}
	t.Numbers = columnsNamed(t.Header, "序号", "总分", "日志序号")
	for i, r := range list {
		kind, verdict := "正考", "不合格"
		if r.Attempt > 1 {
			kind = "补考"
		}
		if r.Passed {
			verdict = "合格"
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), r.ID, r.Date, r.Site, r.Station, r.Plan, r.Category, r.Candidate, r.Name, kind, r.Total, verdict, r.Examiners,
			strconv.FormatInt(r.Index, 10), r.SHA256, time.UnixMilli(r.ReceivedMs).Format(time.DateTime)})
	}
	return t, nil
}

// ExaminersTitle is the title of the notice's attachment table.
const ExaminersTitle = "泰安市特种作业考评员（培训机构教师）持证情况统计表"

// ExpiringWithin is how soon an expiring certificate is flagged.
const ExpiringWithin = 60

// ExaminersTable is the attachment table of the notice (泰安市特种作业考评员
// （培训机构教师）持证情况统计表): one row per examiner and category, with
// 是否持证, the certificate number and validity, and in 备注 a flag for a
// certificate expired or expiring within 60 days of day.
func (c *Centre) ExaminersTable(ctx context.Context, day standards.Date) (*Table, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT e.name, coalesce(c.category, ''), coalesce(c.number, ''), coalesce(c.valid_from, ''), coalesce(c.valid_to, '')
		FROM examiners e LEFT JOIN certificates c ON c.examiner_id = e.id ORDER BY e.id, c.category`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	t := &Table{Title: ExaminersTitle, Header: []string{"序号", "考评员姓名", "作业类别", "是否持证", "证书编号", "有效期限", "备注"}}
	t.Numbers = columnsNamed(t.Header, "序号")
	soon := time.Date(day.Y, time.Month(day.M), day.D, 0, 0, 0, 0, time.UTC).AddDate(0, 0, ExpiringWithin)
	for rows.Next() {
		var name, cat, number, from, to string
		if err := rows.Scan(&name, &cat, &number, &from, &to); err != nil {
			return nil, err
		}
		held, validity, note := "否", "", "未持证，不得担任该类别考评员"
		if number != "" {
			held, validity, note = "是", from+"至"+to, ""
			end, err := standards.ParseDate(to)
			switch {
			case err != nil:
				note = "有效期限无法识别"
			case end.Before(day):
				note = "证书已过期"
			case end.Before(standards.DateOf(soon)):
				note = fmt.Sprintf("证书将于%d日内到期", ExpiringWithin)
			}
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(len(t.Rows) + 1), name, cat, held, number, validity, note})
	}
	return t, rows.Err()
}
