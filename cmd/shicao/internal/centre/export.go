package centre

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"

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
	rows, err := c.db.QueryContext(ctx, `SELECT id, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, log_index, sha256, received_ms
		FROM results ORDER BY log_index`)
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

// ResultsTable is the results export.
func (c *Centre) ResultsTable(ctx context.Context) (*Table, error) {
	list, err := c.Results(ctx)
	if err != nil {
		return nil, err
	}
	t := &Table{Title: "实操考试成绩", Header: []string{"序号", "成绩编号", "考试日期", "考点", "考站", "考试计划", "作业类别", "身份证号", "姓名", "考试类型", "总分", "结果", "考评员", "日志序号", "SHA-256", "接收时间"}}
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
