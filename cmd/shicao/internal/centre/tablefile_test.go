package centre_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// The headers of the two imports, as the provincial system exports them.
var (
	examinerHeader = []any{"身份证号", "考评员姓名", "作业类别", "证书编号", "有效期起", "有效期止", "初始密码"}
	planHeader     = []any{"计划编号", "考试日期", "考点", "考站", "作业类别", "试卷", "身份证号", "姓名", "考试类型", "考评员"}
)

// validID completes 17 digits with their GB 11643 check character.
func validID(first17 string) string {
	return first17 + string(credential.IDCheckChar(first17))
}

// wrongCheck is a 身份证号 whose check character is wrong: a typo.
func wrongCheck(first17 string) string {
	c := credential.IDCheckChar(first17)
	for _, x := range []byte("0123456789X") {
		if x != c {
			return first17 + string(x)
		}
	}
	panic("unreachable")
}

// writeXLSX writes a workbook whose first sheet, Sheet1, holds rows. A
// string is a text cell (what the provincial export holds); a time.Time
// is a date cell in Excel's short date format (built-in format 14), which
// is what Excel stores when a person types 2027-03-01 into a cell.
func writeXLSX(t *testing.T, path string, rows [][]any) {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	date, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	for r, row := range rows {
		for c, v := range row {
			cell, err := excelize.CoordinatesToCellName(c+1, r+1)
			if err != nil {
				t.Fatal(err)
			}
			switch v := v.(type) {
			case string:
				err = f.SetCellStr("Sheet1", cell, v)
			case time.Time:
				if err = f.SetCellValue("Sheet1", cell, v); err == nil {
					err = f.SetCellStyle("Sheet1", cell, cell, date)
				}
			default:
				err = f.SetCellValue("Sheet1", cell, v)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.SaveAs(path); err != nil {
		t.Fatal(err)
	}
}

// writeCSV writes lines as a CSV file with the byte order mark and CRLF
// line ends that Excel writes when it saves "CSV UTF-8".
func writeCSV(t *testing.T, path string, lines ...string) {
	t.Helper()
	if err := os.WriteFile(path, []byte("\ufeff"+strings.Join(lines, "\r\n")+"\r\n"), 0o644); err != nil {
		t.Fatal(err)
	}
}

// examinerByID returns the examiner the centre holds with that id.
func examinerByID(t *testing.T, c *centre.Centre, id string) examsync.Examiner {
	t.Helper()
	all, err := c.Examiners(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.ID == id {
			return x
		}
	}
	t.Fatalf("the centre holds no examiner %s", id)
	return examsync.Examiner{}
}

// day returns the date n days from today, as the roster writes it.
func day(n int) string { return standards.DateOf(time.Now().AddDate(0, 0, n)).String() }

// TestImportExaminers_XLSX: an examiner workbook adds a new examiner with
// a certificate and a 未持证 row, and renews a demo examiner's
// certificate keeping their PIN; the centre then holds exactly that.
func TestImportExaminers_XLSX(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := centretest.NewCentre(t, centretest.NewStation(t, ""))
	sunLi := validID("37090219900312012")
	wang := demo.Examiners[0] // 王建国, PIN 123456
	path := filepath.Join(t.TempDir(), "考评员.xlsx")
	writeXLSX(t, path, [][]any{
		examinerHeader,
		{sunLi, "孙丽", "低压电工作业", "T" + sunLi, "2024-01-01", "2099-12-31", "246802"},
		{sunLi, "孙丽", "高处作业", "", "", "", ""},
		{wang.ID, wang.Name, demo.Category, "T" + wang.ID + "-2", "2029-06-01", "2035-05-31", ""},
	})

	rows, err := centre.ExaminerRowsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ImportExaminers(ctx, rows); err != nil {
		t.Fatal(err)
	}

	all, err := c.Examiners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(demo.Examiners)+1 {
		t.Errorf("the centre holds %d examiners, want the %d of the demo and 孙丽", len(all), len(demo.Examiners))
	}
	sun := examinerByID(t, c, sunLi)
	if sun.Name != "孙丽" {
		t.Errorf("examiner %s is named %q, want 孙丽", sunLi, sun.Name)
	}
	// 未持证 (高处作业 without a number) entitles no one: not a certificate.
	want := []examsync.Certificate{{Category: "低压电工作业", Number: "T" + sunLi, ValidFrom: "2024-01-01", ValidTo: "2099-12-31"}}
	if !reflect.DeepEqual(sun.Certificates, want) {
		t.Errorf("孙丽's certificates are %+v, want %+v", sun.Certificates, want)
	}
	if !credential.CheckPIN(sun.PinHash, "246802") {
		t.Error("孙丽's initial PIN 246802 does not match the hash the centre holds")
	}
	w := examinerByID(t, c, wang.ID)
	// The 低压电工 row renews that certificate; his other categories' stay.
	want = append([]examsync.Certificate{{Category: demo.Category, Number: "T" + wang.ID + "-2", ValidFrom: "2029-06-01", ValidTo: "2035-05-31"}}, wang.Certificates[1:]...)
	byCategory := func(a, b examsync.Certificate) int { return strings.Compare(a.Category, b.Category) }
	slices.SortFunc(want, byCategory)
	if !reflect.DeepEqual(slices.SortedFunc(slices.Values(w.Certificates), byCategory), want) {
		t.Errorf("王建国's certificates are %+v, want the renewed %+v", w.Certificates, want)
	}
	if !credential.CheckPIN(w.PinHash, wang.PIN) {
		t.Error("王建国's PIN changed, but the row gave no 初始密码")
	}
}

// TestImportExaminers_CSV: the CSV that Excel saves (BOM, CRLF), with the
// other accepted headers (姓名, 有效期限 "from至to"), imports the same way.
func TestImportExaminers_CSV(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := centretest.NewCentre(t, centretest.NewStation(t, ""))
	zhou := validID("37090219850707002")
	path := filepath.Join(t.TempDir(), "examiners.csv")
	writeCSV(t, path,
		"身份证号,姓名,作业类别,证书编号,有效期限,初始密码",
		zhou+",周杰,低压电工作业,T"+zhou+",2022-02-01至2028-01-31,864209",
		zhou+",周杰,熔化焊接与热切割作业,W"+zhou+",2023-05-01至2029-04-30,",
	)
	rows, err := centre.ExaminerRowsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ImportExaminers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	x := examinerByID(t, c, zhou)
	want := []examsync.Certificate{
		{Category: "低压电工作业", Number: "T" + zhou, ValidFrom: "2022-02-01", ValidTo: "2028-01-31"},
		{Category: "熔化焊接与热切割作业", Number: "W" + zhou, ValidFrom: "2023-05-01", ValidTo: "2029-04-30"},
	}
	if x.Name != "周杰" || !reflect.DeepEqual(x.Certificates, want) {
		t.Errorf("the centre holds %s %+v, want 周杰 %+v", x.Name, x.Certificates, want)
	}
	if !credential.CheckPIN(x.PinHash, "864209") {
		t.Error("周杰's initial PIN 864209 does not match the hash the centre holds")
	}
}

// planCentre is a demo centre that also holds two examiners certified
// for 低压电工作业 until 2099, so that plans dated from today on are
// lawful whenever the test runs.
func planCentre(t *testing.T) (c *centre.Centre, examiners []string) {
	t.Helper()
	c = centretest.NewCentre(t, centretest.NewStation(t, ""))
	examiners = []string{validID("37090219700101001"), validID("37090219710202002")}
	var rows []centre.ExaminerRow
	for i, id := range examiners {
		rows = append(rows, centre.ExaminerRow{ID: id, Name: []string{"钱进", "马红"}[i], Category: demo.Category,
			Number: "T" + id, ValidFrom: "2020-01-01", ValidTo: "2099-12-31", PIN: "135790"})
	}
	if err := c.ImportExaminers(context.Background(), rows); err != nil {
		t.Fatal(err)
	}
	return c, examiners
}

// issued returns the plan the centre issued, after checking that its
// signed document is the centre's and says the same.
func issued(t *testing.T, c *centre.Centre, id string) *examsync.Plan {
	t.Helper()
	p, signed, err := c.PlanByID(context.Background(), id)
	if err != nil {
		t.Fatalf("plan %s: %v", id, err)
	}
	_, centreKey := demo.CentreKeys()
	var opened examsync.Plan
	if err := examsync.Open(signed, centreKey, examsync.KindPlan, &opened); err != nil {
		t.Fatalf("plan %s: the signed document: %v", id, err)
	}
	if !reflect.DeepEqual(&opened, p) {
		t.Errorf("plan %s: the signed document says %+v, the centre %+v", id, opened, *p)
	}
	return p
}

// stationPlans returns the ids of the plans STN-01 gets on its next sync.
func stationPlans(t *testing.T, c *centre.Centre) []string {
	t.Helper()
	signed, err := c.PlansFor(context.Background(), demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	_, centreKey := demo.CentreKeys()
	var list examsync.Plans
	if err := examsync.Open(signed, centreKey, examsync.KindPlans, &list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, s := range list.Plans {
		var p examsync.Plan
		if err := examsync.Open([]byte(s), centreKey, examsync.KindPlan, &p); err != nil {
			t.Fatal(err)
		}
		ids = append(ids, p.ID)
	}
	return ids
}

// TestImportPlans_XLSX: a roster workbook with two plans (examiners
// separated by 、 as the province writes them, a 补考 candidate) issues
// both, signed, with exactly the roster's candidates, and the station
// gets them.
func TestImportPlans_XLSX(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, ex := planCentre(t)
	d1, d2 := day(3), day(4)
	examiners := ex[0] + "、" + ex[1]
	cands := demo.Candidates
	row := func(plan, date string, cand examsync.Candidate, attempt string) []any {
		return []any{plan, date, demo.Site, demo.Station, demo.Category, demo.Paper, cand.IDNumber, cand.Name, attempt, examiners}
	}
	path := filepath.Join(t.TempDir(), "考试计划.xlsx")
	writeXLSX(t, path, [][]any{
		planHeader,
		row("TA-X-001", d1, cands[0], "正考"),
		row("TA-X-001", d1, cands[1], "正考"),
		row("TA-X-001", d1, cands[3], "补考"),
		row("TA-X-002", d2, cands[2], ""), // 考试类型 left empty: 正考
	})
	rows, err := centre.PlanRowsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := c.ImportPlans(ctx, rows)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(ids, []string{"TA-X-001", "TA-X-002"}) {
		t.Errorf("issued %q, want TA-X-001 and TA-X-002", ids)
	}

	want := &examsync.Plan{Kind: examsync.KindPlan, ID: "TA-X-001", Date: d1, Site: demo.Site, Station: demo.Station, Category: demo.Category,
		Blueprint: demo.Paper, Examiners: ex, Candidates: []examsync.Candidate{
			{IDNumber: cands[0].IDNumber, Name: cands[0].Name, Attempt: 1},
			{IDNumber: cands[1].IDNumber, Name: cands[1].Name, Attempt: 1},
			{IDNumber: cands[3].IDNumber, Name: cands[3].Name, Attempt: 2},
		}}
	if got := issued(t, c, "TA-X-001"); !reflect.DeepEqual(got, want) {
		t.Errorf("plan TA-X-001 is\n%+v, want\n%+v", *got, *want)
	}
	if got := issued(t, c, "TA-X-002"); got.Date != d2 || !reflect.DeepEqual(got.Candidates, []examsync.Candidate{{IDNumber: cands[2].IDNumber, Name: cands[2].Name, Attempt: 1}}) {
		t.Errorf("plan TA-X-002 is %+v, want %s with only %s 正考", *got, d2, cands[2].Name)
	}
	got := stationPlans(t, c)
	var wantIDs []string
	for _, p := range demo.Plans(d1) {
		wantIDs = append(wantIDs, p.ID)
	}
	wantIDs = append(wantIDs, "TA-X-001", "TA-X-002")
	slices.Sort(wantIDs)
	if !reflect.DeepEqual(got, wantIDs) {
		t.Errorf("station %s gets plans %q, want the demo day's plans, TA-X-001 and TA-X-002", demo.Station, got)
	}
}

// TestImportPlans_CSV: the same roster as a CSV issues its plan.
func TestImportPlans_CSV(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, ex := planCentre(t)
	d := day(5)
	line := func(cand examsync.Candidate, attempt string) string {
		return strings.Join([]string{"TA-C-001", d, demo.Site, demo.Station, demo.Category, demo.Paper, cand.IDNumber, cand.Name, attempt, ex[0] + ";" + ex[1]}, ",")
	}
	path := filepath.Join(t.TempDir(), "plan.csv")
	writeCSV(t, path, "计划编号,考试日期,考点,考站,作业类别,试卷,身份证号,姓名,考试类型,考评员",
		line(demo.Candidates[4], "正考"), line(demo.Candidates[3], "补考"))
	rows, err := centre.PlanRowsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ImportPlans(ctx, rows); err != nil {
		t.Fatal(err)
	}
	p := issued(t, c, "TA-C-001")
	want := []examsync.Candidate{
		{IDNumber: demo.Candidates[4].IDNumber, Name: demo.Candidates[4].Name, Attempt: 1},
		{IDNumber: demo.Candidates[3].IDNumber, Name: demo.Candidates[3].Name, Attempt: 2},
	}
	if p.Date != d || p.Station != demo.Station || !reflect.DeepEqual(p.Candidates, want) || !reflect.DeepEqual(p.Examiners, ex) {
		t.Errorf("plan TA-C-001 is %+v, want %s at %s with %+v and examiners %q", *p, d, demo.Station, want, ex)
	}
}

// TestReadTable_ExcelDates: dates a person typed into Excel are date
// cells (a serial number shown in the short date format), not text; the
// imports read them as YYYY-MM-DD, as they are written in the CSV.
func TestReadTable_ExcelDates(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, ex := planCentre(t)
	dir := t.TempDir()
	examiner := validID("37090219880808003")
	path := filepath.Join(dir, "examiners.xlsx")
	writeXLSX(t, path, [][]any{
		examinerHeader,
		{examiner, "冯磊", demo.Category, "T" + examiner, time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), time.Date(2031, 2, 28, 0, 0, 0, 0, time.UTC), 975310},
	})
	rows, err := centre.ExaminerRowsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := c.ImportExaminers(ctx, rows); err != nil {
		t.Fatal(err)
	}
	x := examinerByID(t, c, examiner)
	want := []examsync.Certificate{{Category: demo.Category, Number: "T" + examiner, ValidFrom: "2025-03-01", ValidTo: "2031-02-28"}}
	if !reflect.DeepEqual(x.Certificates, want) {
		t.Errorf("冯磊's certificates are %+v, want %+v", x.Certificates, want)
	}
	if !credential.CheckPIN(x.PinHash, "975310") {
		t.Error("冯磊's PIN typed as a number, 975310, does not match the hash the centre holds")
	}

	when := time.Now().AddDate(0, 0, 6)
	path = filepath.Join(dir, "plan.xlsx")
	writeXLSX(t, path, [][]any{
		planHeader,
		{"TA-D-001", time.Date(when.Year(), when.Month(), when.Day(), 0, 0, 0, 0, time.UTC), demo.Site, demo.Station, demo.Category, demo.Paper,
			demo.Candidates[0].IDNumber, demo.Candidates[0].Name, "正考", ex[0] + "、" + ex[1]},
	})
	plan, err := centre.PlanRowsFromFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.ImportPlans(ctx, plan); err != nil {
		t.Fatal(err)
	}
	if p := issued(t, c, "TA-D-001"); p.Date != day(6) {
		t.Errorf("plan TA-D-001 is dated %q, want %s", p.Date, day(6))
	}
}

// centreState is what an import may change: every examiner with PIN
// hash and certificates, the plans and the registry the station gets
// (signed, so their bytes change with any change of content or version).
func centreState(t *testing.T, c *centre.Centre) string {
	t.Helper()
	ctx := context.Background()
	all, err := c.Examiners(ctx)
	if err != nil {
		t.Fatal(err)
	}
	plans, err := c.PlansFor(ctx, demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	registry, err := c.RegistryFor(ctx, demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal([]any{all, string(plans), string(registry)})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestImport_Refused: files a person might give by mistake are refused
// whole, with a message naming the file and the column, row or plan at
// fault, and the centre is left exactly as it was.
func TestImport_Refused(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c, ex := planCentre(t)
	dir := t.TempDir()
	newID := validID("37090219920920004")
	badID := wrongCheck("37090219920920005")
	badCand := wrongCheck("37090220020202006")
	d := day(2)
	examiners := ex[0] + "、" + ex[1]
	planLine := func(site string, cand examsync.Candidate, attempt string) []any {
		return []any{"TA-R-001", d, site, demo.Station, demo.Category, demo.Paper, cand.IDNumber, cand.Name, attempt, examiners}
	}
	csvOf := func(rows [][]any) []string {
		var out []string
		for _, r := range rows {
			var cells []string
			for _, v := range r {
				cells = append(cells, v.(string))
			}
			out = append(out, strings.Join(cells, ","))
		}
		return out
	}

	tests := []struct {
		name string
		file string
		rows [][]any // the table: a workbook for .xlsx, CSV otherwise
		raw  string  // or these bytes as the file
		plan bool    // a plan roster, else an examiner file
		want string  // the message, the file named by its base name
	}{{
		name: "ExaminerColumnMissing",
		file: "examiners.csv",
		rows: [][]any{{"身份证号", "考评员姓名", "证书编号"}, {newID, "卫东", "T1"}},
		want: "examiners.csv: the header lacks the column(s) 作业类别 (it has 身份证号, 考评员姓名, 证书编号)",
	}, {
		name: "PlanColumnsMissingXLSX",
		file: "plan.xlsx",
		rows: [][]any{{"计划编号", "考试日期", "考站", "作业类别", "试卷", "身份证号", "姓名"}, {"TA-R-001", d, demo.Station, demo.Category, demo.Paper, demo.Candidates[0].IDNumber, demo.Candidates[0].Name}},
		plan: true,
		want: "plan.xlsx: the header lacks the column(s) 考点, 考评员 (it has 计划编号, 考试日期, 考站, 作业类别, 试卷, 身份证号, 姓名)",
	}, {
		name: "ExaminerBadIDXLSX",
		file: "examiners.xlsx",
		rows: [][]any{examinerHeader, {newID, "卫东", demo.Category, "T" + newID, "2024-01-01", "2030-01-01", "111111"}, {badID, "韩梅", demo.Category, "T2", "2024-01-01", "2030-01-01", "222222"}},
		want: `examiners not imported:
  row 2: 身份证号 "` + badID + `": the identity card number's check character is wrong: check the card`,
	}, {
		name: "ExaminerNewWithoutPIN",
		file: "examiners.csv",
		rows: [][]any{examinerHeader, {newID, "卫东", demo.Category, "T" + newID, "2024-01-01", "2030-01-01", "111111"}, {validID("37090219930303007"), "韩梅", demo.Category, "T2", "2024-01-01", "2030-01-01", ""}},
		want: "row 2: examiner " + validID("37090219930303007") + " is new: give an initial PIN",
	}, {
		name: "PlanBadIDNumber",
		file: "plan.csv",
		rows: [][]any{planHeader, planLine(demo.Site, demo.Candidates[0], "正考"), planLine(demo.Site, examsync.Candidate{IDNumber: badCand, Name: "郑爽"}, "正考")},
		plan: true,
		want: `plans not issued:
  row 2: candidate 郑爽 身份证号 "` + badCand + `": the identity card number's check character is wrong: check the card`,
	}, {
		name: "PlanBadIDNumberXLSX",
		file: "plan.xlsx",
		rows: [][]any{planHeader, planLine(demo.Site, examsync.Candidate{IDNumber: "37090220020202", Name: "郑爽"}, "正考")},
		plan: true,
		want: `plans not issued:
  row 1: candidate 郑爽 身份证号 "37090220020202": an identity card number has 18 characters, this has 14
  plan TA-R-001: no candidates`,
	}, {
		name: "PlanUnknownSite",
		file: "plan.csv",
		rows: [][]any{planHeader, planLine("TA-KD-09", demo.Candidates[0], "正考")},
		plan: true,
		want: `plans not issued:
  plan TA-R-001: site TA-KD-09 is not registered
  plan TA-R-001: station STN-01 stands at site TA-KD-01, not TA-KD-09`,
	}, {
		name: "PlanTrainingSite",
		file: "plan.csv",
		rows: [][]any{planHeader, planLine(demo.TrainingSite, demo.Candidates[0], "正考")},
		plan: true,
		want: `plans not issued:
  plan TA-R-001: site TA-PX-01 (泰安市某安全培训学校（培训机构）) is not an accepted exam site (考培分离)
  plan TA-R-001: station STN-01 stands at site TA-KD-01, not TA-PX-01`,
	}, {
		name: "PlanBadAttempt",
		file: "plan.csv",
		rows: [][]any{planHeader, planLine(demo.Site, demo.Candidates[0], "正考"), planLine(demo.Site, demo.Candidates[1], "重考")},
		plan: true,
		want: `plan.csv: row 2: 考试类型 "重考": want 正考 or 补考`,
	}, {
		name: "EmptyFirstSheet",
		file: "roster.xlsx",
		plan: true,
		want: `roster.xlsx: the first sheet "Sheet1" is empty (the table is read from the first sheet)`,
	}, {
		name: "NotAWorkbook",
		file: "plan.xlsx",
		raw:  "计划编号,考试日期\nTA-R-001,2027-01-01\n",
		plan: true,
		want: "plan.xlsx: not an Excel workbook (.xlsx); save it from Excel as .xlsx or as CSV UTF-8",
	}, {
		name: "NotATableFile",
		file: "plan.pdf",
		raw:  "%PDF-1.7\n",
		plan: true,
		want: "plan.pdf: give a .csv or .xlsx file",
	}, {
		name: "EmptyCSV",
		file: "examiners.csv",
		raw:  "\ufeff\r\n,,,\r\n",
		want: "examiners.csv: empty",
	}, {
		name: "BrokenCSV",
		file: "examiners.csv",
		raw:  "身份证号,考评员姓名,作业类别\n\"" + newID + ",卫东,低压电工作业\n",
		want: `examiners.csv: parse error on line 2, column 47: extraneous or missing " in quoted-field`,
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, tt.name, tt.file)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			switch {
			case tt.raw != "":
				if err := os.WriteFile(path, []byte(tt.raw), 0o644); err != nil {
					t.Fatal(err)
				}
			case tt.name == "EmptyFirstSheet":
				// The roster is on the second sheet; the first, as a new
				// workbook has it, is empty.
				f := excelize.NewFile()
				if _, err := f.NewSheet("名单"); err != nil {
					t.Fatal(err)
				}
				if err := f.SetSheetRow("名单", "A1", &planHeader); err != nil {
					t.Fatal(err)
				}
				if err := f.SaveAs(path); err != nil {
					t.Fatal(err)
				}
				f.Close()
			case strings.HasSuffix(tt.file, ".xlsx"):
				writeXLSX(t, path, tt.rows)
			default:
				writeCSV(t, path, csvOf(tt.rows)...)
			}

			before := centreState(t, c)
			var err error
			if tt.plan {
				var rows []centre.PlanRow
				if rows, err = centre.PlanRowsFromFile(path); err == nil {
					_, err = c.ImportPlans(ctx, rows)
				}
			} else {
				var rows []centre.ExaminerRow
				if rows, err = centre.ExaminerRowsFromFile(path); err == nil {
					err = c.ImportExaminers(ctx, rows)
				}
			}
			if err == nil {
				t.Fatal("imported; want it refused")
			}
			if got := strings.ReplaceAll(err.Error(), filepath.Dir(path)+string(filepath.Separator), ""); got != tt.want {
				t.Errorf("the message is\n%s\nwant\n%s", got, tt.want)
			}
			if centreState(t, c) != before {
				t.Error("the refused import changed the centre's examiners, plans or registry")
			}
			if _, _, err := c.PlanByID(ctx, "TA-R-001"); !errors.Is(err, centre.ErrNotFound) {
				t.Errorf("plan TA-R-001: %v, want it not issued", err)
			}
		})
	}
}
