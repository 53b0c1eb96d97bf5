package centre

import (
	"archive/zip"
	"bufio"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"iter"
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
	var out []ResultRow
	err := c.eachResultOn(ctx, day, func(r *ResultRow) error {
		out = append(out, *r)
		return nil
	})
	return out, err
}

// eachResultOn calls f with each result of the exams held on day (every
// result when day is zero), in log order, one row at a time from an open
// cursor: the export of every result holds one row, not the log. f may
// query the database meanwhile (another pooled connection answers it);
// its error stops the walk and is returned.
func (c *Centre) eachResultOn(ctx context.Context, day standards.Date, f func(*ResultRow) error) error {
	q, args := `SELECT id, station, site, plan_id, date, category, candidate, name, attempt, total, passed, examiners, log_index, sha256, received_ms, identity, identity_reason
		FROM results`, []any{}
	if !day.IsZero() {
		q, args = q+` WHERE date = ?`, append(args, day.String())
	}
	rows, err := c.db.QueryContext(ctx, q+` ORDER BY log_index`, args...)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var r ResultRow
		if err := rows.Scan(&r.ID, &r.Station, &r.Site, &r.Plan, &r.Date, &r.Category, &r.Candidate, &r.Name, &r.Attempt, &r.Total, &r.Passed, &r.Examiners, &r.Index, &r.SHA256, &r.ReceivedMs, &r.Identity, &r.IdentityReason); err != nil {
			return err
		}
		if err := f(&r); err != nil {
			return err
		}
	}
	return translate(rows.Err())
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
	// Source, when not nil, yields the rows in Rows' place, one at a
	// time as a writer takes them, so that a table as long as the log
	// (every result) is never held whole (issue #18). Each write of the
	// table runs it again; an error it yields ends the write.
	Source iter.Seq2[[]string, error]
	// Numbers marks the columns of numbers (序号, 总分): an XLSX stores
	// them as numbers, so that a spreadsheet sums, averages and sorts
	// them; a column of text that looks numeric (身份证号) stays text.
	Numbers map[int]bool
}

// All yields the table's rows: Source's when it is set, else Rows.
func (t *Table) All() iter.Seq2[[]string, error] {
	if t.Source != nil {
		return t.Source
	}
	return func(yield func([]string, error) bool) {
		for _, r := range t.Rows {
			if !yield(r, nil) {
				return
			}
		}
	}
}

// WriteXLSX writes the table to w (a file, a browser's download) as an
// XLSX: the title in the first row, the caption under it if any, then
// the header, frozen, with the Numbers columns as numbers. It returns the
// number of rows under the header. Nothing is written to w until every
// row is in: an error from the rows leaves w untouched.
func (t *Table) WriteXLSX(w io.Writer) (int, error) {
	f := excelize.NewFile()
	defer f.Close()
	sheet := "Sheet1"
	if t.Sheet != "" {
		if err := f.SetSheetName(sheet, t.Sheet); err != nil {
			return 0, fmt.Errorf("sheet %q: %w", t.Sheet, err)
		}
		sheet = t.Sheet
	}
	// A stream writer writes each row as it comes: the whole sheet is
	// never held as cells (100,000 results: seconds, not minutes). It
	// keeps up to excelize.StreamChunkSize (16 MiB) of the sheet's XML
	// in memory, the rest in a temporary file.
	sw, err := f.NewStreamWriter(sheet)
	if err != nil {
		return 0, err
	}
	headerRow := 2
	if t.Caption != "" {
		headerRow = 3
	}
	top, err := excelize.CoordinatesToCellName(1, headerRow+1)
	if err != nil {
		return 0, err
	}
	if err := sw.SetPanes(&excelize.Panes{Freeze: true, YSplit: headerRow, TopLeftCell: top, ActivePane: "bottomLeft"}); err != nil {
		return 0, err
	}
	last := max(len(t.Header), 1)
	if err := mergedRow(sw, 1, last, t.Title); err != nil {
		return 0, err
	}
	if t.Caption != "" {
		if err := mergedRow(sw, 2, last, t.Caption); err != nil {
			return 0, err
		}
	}
	if err := putRow(sw, headerRow, t.Header, nil); err != nil {
		return 0, err
	}
	n := 0
	for r, err := range t.All() {
		if err != nil {
			return n, err
		}
		if err := putRow(sw, headerRow+1+n, r, t.Numbers); err != nil {
			return n, err
		}
		n++
	}
	if err := sw.Flush(); err != nil {
		return n, err
	}
	// File.Write and WriteTo zip the workbook into a bytes.Buffer before
	// they copy it to w (excelize v2.11: WriteTo calls WriteToBuffer), so
	// the whole workbook would sit in memory. Handing excelize a zip
	// writer on w instead streams the archive out as it is made — the
	// sheet copied from the stream's temporary file — and leaves the
	// buffer WriteToBuffer returns empty. (That buffer is where excelize
	// would mark a part over 4 GiB as ZIP64 in its local header: a sheet
	// of some ten million results, far beyond a centre's.)
	f.SetZipWriter(func(io.Writer) excelize.ZipWriter { return zip.NewWriter(w) })
	if _, err := f.WriteToBuffer(); err != nil {
		return n, err
	}
	return n, nil
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
// spreadsheet programs need to read Chinese text correctly, and returns
// the number of rows under the header. The rows go out as they come,
// through a 4 KiB buffer: an error from the rows before the first 4 KiB
// leaves w untouched.
func (t *Table) WriteCSV(w io.Writer) (int, error) {
	// csv.NewWriter takes this buffer as its own (bufio.NewWriter returns
	// a *bufio.Writer already large enough), so the mark goes through it.
	bw := bufio.NewWriter(w)
	if _, err := bw.WriteString("\ufeff"); err != nil {
		return 0, err
	}
	cw := csv.NewWriter(bw)
	if err := cw.Write(t.Header); err != nil {
		return 0, err
	}
	n := 0
	for r, err := range t.All() {
		if err != nil {
			return n, err
		}
		if err := cw.Write(r); err != nil {
			return n, err
		}
		n++
	}
	cw.Flush()
	return n, cw.Error()
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
// day, or every result when day is zero. Its rows come from the
// database as a writer takes them (Table.Source): each write reads the
// results as they are then, and the query's errors are the write's.
func (c *Centre) ResultsTable(ctx context.Context, day standards.Date) (*Table, error) {
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
	t.Source = func(yield func([]string, error) bool) {
		// Only the few appealed results are read again (AppealStanding
		// reads the result's body); the others stand as their row says.
		appealed, err := c.appealedResults(ctx)
		if err != nil {
			yield(nil, err)
			return
		}
		i := 0
		err = c.eachResultOn(ctx, day, func(r *ResultRow) error {
			i++
			row, err := c.resultCells(ctx, i, r, appealed[r.ID])
			if err != nil {
				return err
			}
			if !yield(row, nil) {
				return errStopped
			}
			return nil
		})
		if err != nil && !errors.Is(err, errStopped) {
			yield(nil, err)
		}
	}
	return t, nil
}

// errStopped ends a walk of the results when the table's reader stops.
var errStopped = errors.New("stopped")

// resultCells is the results export's row for r, its i-th: the appeal's
// columns read from the appeal records when appealed, r's own otherwise.
// AppealStanding runs while the results' cursor is open: database/sql
// gives it another connection (the centre's pools have no cap on open
// connections; SQLite in WAL mode reads beside a reader).
func (c *Centre) resultCells(ctx context.Context, i int, r *ResultRow, appealed bool) ([]string, error) {
	kind, verdict := "正考", "不合格"
	if r.Attempt > 1 {
		kind = "补考"
	}
	if r.Passed {
		verdict = "合格"
	}
	st := &Standing{Result: r.ID, Total: r.Total, Passed: r.Passed, Label: "原成绩"}
	if appealed {
		var err error
		if st, err = c.AppealStanding(ctx, r.ID); err != nil {
			return nil, err
		}
	}
	now := "不合格"
	if st.Passed {
		now = "合格"
	}
	return []string{strconv.Itoa(i), r.ID, r.Date, r.Site, r.Station, r.Plan, r.Category, r.Candidate, r.Name, kind, r.Total, verdict, r.Examiners,
		strconv.FormatInt(r.Index, 10), r.SHA256, time.UnixMilli(r.ReceivedMs).Format(time.DateTime), IdentityText(r.Identity, r.IdentityReason),
		st.Label, st.Total, now, st.HistoryText()}, nil
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
