package centre

import (
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
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
	// Identity is how the candidate was identified: "card", "manual"
	// (with IdentityReason), or "" (not recorded).
	Identity, IdentityReason string
}

// Results returns every result received, in log order.
func (c *Centre) Results(ctx context.Context) ([]ResultRow, error) {
	return c.ResultsOn(ctx, standards.Date{})
}

// ResultsOn returns the results of the exams held on day (every result
// when day is zero), in log order.
func (c *Centre) ResultsOn(ctx context.Context, day standards.Date) ([]ResultRow, error) {
	q, args := `SELECT id, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, log_index, sha256, received_ms, identity, identity_reason
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
		if err := rows.Scan(&r.ID, &r.Station, &r.Site, &r.Plan, &r.Date, &r.Category, &r.Candidate, &r.Name, &r.Attempt, &r.Total, &r.Passed, &r.Examiners, &r.Index, &r.SHA256, &r.ReceivedMs, &r.Identity, &r.IdentityReason); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// ResultBody returns the exact bytes received for a result.
func (c *Centre) ResultBody(ctx context.Context, id string) ([]byte, error) {
	var b []byte
	err := c.db.QueryRowContext(ctx, `SELECT b.body FROM results r JOIN result_bodies b ON b.log_index = r.log_index WHERE r.id = ?`, id).Scan(&b)
	return b, translate(err)
}

// Table is a header and rows of cells, written as CSV or XLSX.
type Table struct {
	Title string
	// Sheet names the XLSX sheet ("Sheet1" when empty).
	Sheet string
	// Caption is a line under the title, above the header, in the XLSX
	// (the notice's attachment has 填报单位 and the date there); none
	// when empty.
	Caption string
	Header  []string
	Rows    [][]string
	// Numbers marks the columns of numbers (序号, 总分): an XLSX stores
	// them as numbers, so that a spreadsheet sums, averages and sorts
	// them; a column of text that looks numeric (身份证号) stays text.
	Numbers map[int]bool
}

// xlsxBytes returns the table as WriteFile lays it out in an XLSX (the
// title in the first row, the caption under it if any, then the header,
// frozen), with the Numbers columns as numbers.
func (t *Table) xlsxBytes() ([]byte, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	if t.Sheet != "" {
		if err := f.SetSheetName(sheet, t.Sheet); err != nil {
			return nil, fmt.Errorf("sheet %q: %w", t.Sheet, err)
		}
		sheet = t.Sheet
	}
	// A stream writer writes each row as it comes: the whole sheet is
	// never held as cells (100,000 results: seconds, not minutes).
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return nil, err
	}
	headerRow := 2
	if t.Caption != "" {
		headerRow = 3
	}
	top, err := excelize.CoordinatesToCellName(1, headerRow+1)
	if err != nil {
		return nil, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return nil, err
	}
	last := max(len(t.Header), 1)
	if err := mergedRow(sw, 1, last, t.Title); err != nil {
		return nil, err
	}
	if t.Caption != "" {
		if err := mergedRow(sw, 2, last, t.Caption); err != nil {
			return nil, err
		}
	}
	if err := putRow(sw, headerRow, t.Header, nil); err != nil {
		return nil, err
	}
	for i, r := range t.Rows {
		if err := putRow(sw, headerRow+1+i, r, t.Numbers); err != nil {
			return nil, err
		}
	}
	if err := sw.Flush(); err != nil {
		return nil, err
	}
	b, err := f.WriteToBuffer()
	if err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// mergedRow writes text in row, its cell merged across columns 1 to last.
func mergedRow(sw *excelize.StreamWriter, row, last int, text string) error {
	first, err := excelize.CoordinatesToCellName(1, row)
	if err != nil {
		return err
	}
	end, err := excelize.CoordinatesToCellName(last, row)
	if err != nil {
		return err
	}
	if err := sw.SetRow(first, []any{text}); err != nil {
		return err
	}
	return sw.MergeCell(first, end)
}

// putRow writes cells in row, those of the numbers columns as numbers.
func putRow(sw *excelize.StreamWriter, row int, cells []string, numbers map[int]bool) error {
	values := make([]any, len(cells))
	for i, v := range cells {
		values[i] = v
		if numbers[i] {
			// A total may hold a half point ("87.5"); a cell that is
			// no number at all stays the text it is.
			if n, ierr := strconv.ParseInt(v, 10, 64); ierr == nil {
				values[i] = n
			} else if x, ferr := strconv.ParseFloat(v, 64); ferr == nil {
				values[i] = x
			}
		}
	}
	cell, err := excelize.CoordinatesToCellName(1, row)
	if err != nil {
		return err
	}
	if err := sw.SetRow(cell, values); err != nil {
		return fmt.Errorf("row %d: %w", row, err)
	}
	return nil
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
	// The last four columns are the appeal's: its state, the score that
	// stands now (the original's unless a re-score decided another) and
	// every state with its log index. 总分 and 结果 stay the signed
	// result's.
	t := &Table{Title: title, Header: []string{"序号", "成绩编号", "考试日期", "考点", "考站", "考试计划", "作业类别", "身份证号", "姓名", "考试类型", "总分", "结果", "考评员", "日志序号", "SHA-256", "接收时间", "身份核验",
		"复核状态", "现行总分", "现行结果", "复核记录"}}
	t.Numbers = columnsNamed(t.Header, "序号", "总分", "日志序号", "现行总分")
	// Only the few appealed results are read again (AppealStanding reads
	// the result's body); the others stand as their row says.
	appealed, err := c.appealedResults(ctx)
	if err != nil {
		return nil, err
	}
	for i, r := range list {
		kind, verdict := "正考", "不合格"
		if r.Attempt > 1 {
			kind = "补考"
		}
		if r.Passed {
			verdict = "合格"
		}
		st := &Standing{Result: r.ID, Total: r.Total, Passed: r.Passed, Label: "原成绩"}
		if appealed[r.ID] {
			if st, err = c.AppealStanding(ctx, r.ID); err != nil {
				return nil, err
			}
		}
		now := "不合格"
		if st.Passed {
			now = "合格"
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(i + 1), r.ID, r.Date, r.Site, r.Station, r.Plan, r.Category, r.Candidate, r.Name, kind, r.Total, verdict, r.Examiners,
			strconv.FormatInt(r.Index, 10), r.SHA256, time.UnixMilli(r.ReceivedMs).Format(time.DateTime), IdentityText(r.Identity, r.IdentityReason),
			st.Label, st.Total, now, st.HistoryText()})
	}
	return t, nil
}

// IdentityText is the results export's 身份核验 cell: 身份证 for a card
// read, 手工录入 with its reason for a number typed in (marked, so the
// centre can follow manual entries up), 未记录 for a result from before
// the ID-card check.
func IdentityText(method, reason string) string {
	switch method {
	case "card":
		return "身份证"
	case "manual":
		return "手工录入：" + reason
	}
	return "未记录"
}

// ExaminersTitle is the title of the notice's attachment table.
const ExaminersTitle = "泰安市特种作业考评员（培训机构教师）持证情况统计表"

// ExaminersSheet names the attachment table's sheet.
const ExaminersSheet = "持证情况统计表"

// ExaminersHeader is the attachment table's header, its columns in the
// attachment's order.
var ExaminersHeader = []string{"序号", "考评员（培训教师）", "姓名", "作业类别", "是否持证", "证书编号", "有效期限", "备注"}

// ExpiringWithin is how soon an expiring certificate is flagged.
const ExpiringWithin = 60

// Name returns the centre's name: its key's name, the log's origin.
func (c *Centre) Name() string {
	name, _, _ := strings.Cut(c.verifier, "+")
	return name
}

// ExaminersTable is the attachment table of the notice (泰安市特种作业考评员
// （培训机构教师）持证情况统计表) as of day, reported by unit (填报单位; the
// centre's name when empty): one row per person and category, whether
// 考评员 or 培训教师, and 是否持证 是 only for a certificate valid on day.
// A certificate not valid on day is 否, with the reason in 备注 (expired
// on its last day, withdrawn, not yet valid); one valid but expiring
// within 60 days is 是, flagged in 备注.
func (c *Centre) ExaminersTable(ctx context.Context, day standards.Date, unit string) (*Table, error) {
	if unit == "" {
		unit = c.Name()
	}
	roles, err := c.metaWithPrefix(ctx, rolePrefix)
	if err != nil {
		return nil, err
	}
	withdrawn, err := c.metaWithPrefix(ctx, withdrawnPrefix)
	if err != nil {
		return nil, err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT e.id, e.name, coalesce(c.category, ''), coalesce(c.number, ''), coalesce(c.valid_from, ''), coalesce(c.valid_to, '')
		FROM examiners e LEFT JOIN certificates c ON c.examiner_id = e.id ORDER BY e.id, c.category`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	t := &Table{Title: ExaminersTitle, Sheet: ExaminersSheet, Header: ExaminersHeader,
		Caption: "填报单位（盖章）：" + unit + "　　填报人：　　联系电话：　　填报日期：" + day.String()}
	t.Numbers = columnsNamed(t.Header, "序号")
	soon := time.Date(day.Y, time.Month(day.M), day.D, 0, 0, 0, 0, time.UTC).AddDate(0, 0, ExpiringWithin)
	for rows.Next() {
		var id, name, cat, number, from, to string
		if err := rows.Scan(&id, &name, &cat, &number, &from, &to); err != nil {
			return nil, err
		}
		role := roles[roleKey(id)]
		if role == "" {
			role = RoleExaminer
		}
		held, validity, note := "否", "", "未持证，不得担任该类别考评员"
		if role == RoleTeacher {
			note = "未持证，不得从事该类别培训"
		}
		if old := withdrawn[withdrawnKey(id, cat)]; number == "" && old != "" {
			number, note = old, "证书已撤销"
		}
		if number != "" && from != "" {
			validity = from + "至" + to
			start, err1 := standards.ParseDate(from)
			end, err2 := standards.ParseDate(to)
			switch {
			case err1 != nil || err2 != nil:
				note = "有效期限无法识别"
			case end.Before(day):
				note = "证书已过期（有效期至" + to + "）"
			case day.Before(start):
				note = "证书尚未生效（" + from + "起有效）"
			default:
				held, note = "是", ""
				if end.Before(standards.DateOf(soon)) {
					note = fmt.Sprintf("证书将于%d日内到期（%s）", ExpiringWithin, to)
				}
			}
		}
		t.Rows = append(t.Rows, []string{strconv.Itoa(len(t.Rows) + 1), role, name, cat, held, number, validity, note})
	}
	return t, rows.Err()
}

// metaWithPrefix returns the meta rows whose keys start with prefix.
func (c *Centre) metaWithPrefix(ctx context.Context, prefix string) (map[string]string, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT key, value FROM meta WHERE substr(key, 1, ?) = ?`, len(prefix), prefix)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, rows.Err()
}
