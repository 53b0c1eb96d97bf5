package console_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"io"
	"mime/multipart"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
)

// upload posts a multipart form: fields, then each file under "file".
func (c *client) upload(path string, fields map[string]string, files map[string]string) (int, string) {
	c.t.Helper()
	var b bytes.Buffer
	mw := multipart.NewWriter(&b)
	for k, v := range fields {
		mw.WriteField(k, v)
	}
	for name, content := range files {
		fw, err := mw.CreateFormFile("file", name)
		if err != nil {
			c.t.Fatal(err)
		}
		io.WriteString(fw, content)
	}
	mw.Close()
	resp, err := c.hc.Post(c.base+path, mw.FormDataContentType(), &b)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// rosterCSV is a plan roster for today with the demo's two certified
// examiners: one row per candidate given as 身份证号 and 姓名.
func rosterCSV(today, plan string, cands ...[2]string) string {
	ex := demo.Examiners[0].ID + ";" + demo.Examiners[1].ID
	lines := []string{"计划编号,考试日期,考点,考站,作业类别,试卷,身份证号,姓名,考试类型,考评员"}
	for _, x := range cands {
		lines = append(lines, strings.Join([]string{plan, today, demo.Site, demo.Station, demo.Category, demo.Paper, x[0], x[1], "正考", ex}, ","))
	}
	return strings.Join(lines, "\n") + "\n"
}

// badCheck is a 身份证号 with its check character changed.
func badCheck(id string) string {
	last := id[len(id)-1]
	if last == '1' {
		return id[:len(id)-1] + "2"
	}
	return id[:len(id)-1] + "1"
}

// TestRun_ImportPlans: a roster with a wrong 身份证号 in its second row is
// refused whole, the row named on the page; corrected, it is issued and
// listed; an inspector's upload is refused (403) and imports nothing.
func TestRun_ImportPlans(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	today := r.c.Today().String()
	a := r.client(t)
	a.signIn(adminName, adminPass)
	tok := a.token("/run")
	good, other := demo.Candidates[4], demo.Candidates[3]
	bad := rosterCSV(today, "TA-W-001", [2]string{good.IDNumber, good.Name}, [2]string{badCheck(other.IDNumber), other.Name})
	st, body := a.upload("/run/plans", map[string]string{"csrf": tok}, map[string]string{"roster.csv": bad})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("a roster with a wrong 身份证号: %d, want 422", st)
	}
	contains(t, body, `id="problems"`)
	contains(t, body, "row 2: candidate "+other.Name)
	contains(t, body, "roster.csv: plans not issued:")
	if _, _, err := r.c.PlanByID(ctx, "TA-W-001"); !errors.Is(err, centre.ErrNotFound) {
		t.Fatalf("after a refused import, plan TA-W-001: %v", err)
	}

	fixed := rosterCSV(today, "TA-W-001", [2]string{good.IDNumber, good.Name}, [2]string{other.IDNumber, other.Name})
	st, body = a.upload("/run/plans", map[string]string{"csrf": tok}, map[string]string{"roster.csv": fixed})
	if st != http.StatusOK {
		t.Fatalf("the corrected roster: %d\n%s", st, body)
	}
	contains(t, body, `id="done"`)
	contains(t, body, "TA-W-001 "+today)
	if p, _, err := r.c.PlanByID(ctx, "TA-W-001"); err != nil || len(p.Candidates) != 2 {
		t.Fatalf("after the import, plan TA-W-001: %+v %v", p, err)
	}

	i := r.client(t)
	i.signIn(inspectorName, inspectorPass)
	if st, _ := i.get("/run"); st != http.StatusForbidden {
		t.Errorf("an inspector's GET /run: %d, want 403", st)
	}
	itok := i.token("/results")
	st, _ = i.upload("/run/plans", map[string]string{"csrf": itok}, map[string]string{"roster.csv": rosterCSV(today, "TA-W-002", [2]string{good.IDNumber, good.Name})})
	if st != http.StatusForbidden {
		t.Errorf("an inspector's import: %d, want 403", st)
	}
	if _, _, err := r.c.PlanByID(ctx, "TA-W-002"); !errors.Is(err, centre.ErrNotFound) {
		t.Errorf("the inspector's upload issued plan TA-W-002: %v", err)
	}
	_, audit := a.get("/audit")
	for _, want := range []string{"import plans refused", "import plans", "TA-W-001", "role refused", "POST /run/plans"} {
		contains(t, audit, want)
	}
}

// TestRun_ImportExaminers: an examiner table with a bad row is refused
// with the row named; a good one imports.
func TestRun_ImportExaminers(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a := r.client(t)
	a.signIn(adminName, adminPass)
	tok := a.token("/run")
	head := "身份证号,考评员姓名,作业类别,证书编号,有效期起,有效期止,初始密码\n"
	id := validID("37090219920920004")
	row := func(id string) string {
		return id + ",卫东," + demo.Category + ",T" + id + ",2024-01-01,2030-01-01,314159\n"
	}
	st, body := a.upload("/run/examiners", map[string]string{"csrf": tok}, map[string]string{"examiners.csv": head + row(demo.Examiners[0].ID) + row(badCheck(id))})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("a bad examiner row: %d", st)
	}
	contains(t, body, "examiners.csv: examiners not imported:")
	contains(t, body, "row 2: 身份证号")
	st, body = a.upload("/run/examiners", map[string]string{"csrf": tok}, map[string]string{"examiners.csv": head + row(id)})
	if st != http.StatusOK {
		t.Fatalf("a good examiner table: %d\n%s", st, problems(body))
	}
	contains(t, body, "已导入考评员行数： 1")
	list, err := r.c.Examiners(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, x := range list {
		found = found || x.ID == id
	}
	if !found {
		t.Errorf("examiner %s not imported", id)
	}
}

// TestRun_Registry: a station and a device registered by the forms; an
// unknown device kind refused with the kinds listed; a file that is no
// signed standard refused with its name.
func TestRun_Registry(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	a := r.client(t)
	a.signIn(adminName, adminPass)
	tok := a.token("/run")
	st, body := a.post("/run/equipment", map[string][]string{"csrf": {tok}, "site": {demo.Site}, "serial": {"CPR-2026-0042"}, "kind": {"cpr"}, "model": {"XF-CPR500"}})
	if st != http.StatusOK {
		t.Fatalf("register a device: %d\n%s", st, body)
	}
	contains(t, body, "cpr XF-CPR500 CPR-2026-0042 → "+demo.Site)
	st, body = a.post("/run/equipment", map[string][]string{"csrf": {tok}, "site": {demo.Site}, "serial": {"X-1"}, "kind": {"toaster"}})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("a device of no kind: %d", st)
	}
	contains(t, body, `&#34;toaster&#34; is not a device kind`)
	q, err := r.c.Equipment(ctx, demo.Site)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, x := range q {
		if x.Serial == "CPR-2026-0042" || x.Serial == "X-1" {
			n++
		}
	}
	if n != 1 {
		t.Errorf("%d of the two devices registered, want the good one", n)
	}

	key := stationKey(t)
	st, body = a.upload("/run/stations", map[string]string{"csrf": tok, "name": "STN-09", "site": demo.Site}, map[string]string{"station.pub": key + "\n"})
	if st != http.StatusOK {
		t.Fatalf("register a station: %d\n%s", st, body)
	}
	contains(t, body, "STN-09 → "+demo.Site)
	if s, err := r.c.StationSite(ctx, "STN-09"); err != nil || s != demo.Site {
		t.Errorf("station STN-09 at %q: %v", s, err)
	}

	st, body = a.upload("/run/standards", map[string]string{"csrf": tok}, map[string]string{"junk.signed": "not a standard\n"})
	if st != http.StatusUnprocessableEntity {
		t.Fatalf("publish junk: %d", st)
	}
	contains(t, body, "<li>junk.signed: ")
}

// stationKey is a fresh station's verifier key, as station.pub holds it.
func stationKey(t *testing.T) string {
	t.Helper()
	_, vkey, err := note.GenerateKey(rand.Reader, "station-STN-09")
	if err != nil {
		t.Fatal(err)
	}
	return vkey
}

var outcome = regexp.MustCompile(`(?s)<section id="outcome".*?</section>`)

// problems is a page's refusal block, for a failing test's message.
func problems(body string) string { return outcome.FindString(body) }

// validID completes 17 digits with their GB 11643 check character.
func validID(d17 string) string {
	w := []int{7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2}
	sum := 0
	for i, c := range d17 {
		sum += int(c-'0') * w[i]
	}
	return d17 + string("10X98765432"[sum%11])
}

// TestRun_TooLarge: an upload over the limit is refused with 413 and a
// sentence saying so, not as an expired form.
func TestRun_TooLarge(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	a := r.client(t)
	a.signIn(adminName, adminPass)
	tok := a.token("/run")
	st, body := a.upload("/run/plans", map[string]string{"csrf": tok}, map[string]string{"roster.csv": strings.Repeat("x", 17<<20)})
	if st != http.StatusRequestEntityTooLarge {
		t.Fatalf("a 17 MB upload: %d, want 413", st)
	}
	contains(t, body, "上传的文件过大")
}
