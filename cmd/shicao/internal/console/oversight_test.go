package console_test

import (
	"context"
	"errors"
	"html"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
)

const staffName, staffPass = "zhang.staff", "tuning-fork-3"

// signedIn returns a client signed in as the rig's admin, its inspector,
// or a staff account added for the test.
func (r *rig) signedIn(t *testing.T, role string) *client {
	t.Helper()
	c := r.client(t)
	name, pass := adminName, adminPass
	switch role {
	case centre.RoleInspector:
		name, pass = inspectorName, inspectorPass
	case centre.RoleStaff:
		if err := r.c.AddStaff(context.Background(), staffName, centre.RoleStaff, staffPass); err != nil && !errors.Is(err, centre.ErrStaffExists) {
			t.Fatal(err)
		}
		name, pass = staffName, staffPass
	}
	if code, _ := c.signIn(name, pass); code != http.StatusOK {
		t.Fatalf("sign in %s: %d", name, code)
	}
	return c
}

// TestOversight_RandomPull: staff draw a plan of the day; the seed is
// shown and in the audit trail, and the draw is redone from it; an
// inspector records an inspection against it, listed with the draw.
// Inspectors cannot draw, staff cannot record (403, nothing written);
// posts without the CSRF token are refused.
func TestOversight_RandomPull(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	day := r.shallow.Doc.Date
	staff := r.signedIn(t, centre.RoleStaff)
	insp := r.signedIn(t, centre.RoleInspector)

	if code, _ := insp.post("/oversight/draw", url.Values{"csrf": {insp.token("/oversight")}, "date": {day}}); code != http.StatusForbidden {
		t.Errorf("an inspector draws: %d, want 403", code)
	}
	if code, _ := staff.post("/oversight/draw", url.Values{"date": {day}}); code != http.StatusForbidden {
		t.Errorf("a draw without the CSRF token: %d, want 403", code)
	}
	if list, _ := r.c.InspectionDraws(ctx, 10); len(list) != 0 {
		t.Fatalf("refused posts drew: %+v", list)
	}
	code, body := staff.post("/oversight/draw", url.Values{"csrf": {staff.token("/oversight")}, "date": {"2001-01-01"}})
	if code != http.StatusUnprocessableEntity || !strings.Contains(body, "该日期没有考试计划") {
		t.Errorf("a day without plans: %d", code)
	}
	code, body = staff.post("/oversight/draw", url.Values{"csrf": {staff.token("/oversight")}, "date": {day}})
	if code != http.StatusOK || !strings.Contains(body, `id="drawn"`) {
		t.Fatalf("staff draw: %d", code)
	}
	list, err := r.c.InspectionDraws(ctx, 10)
	if err != nil || len(list) != 1 {
		t.Fatalf("draws: %+v %v", list, err)
	}
	d := list[0]
	// Anyone redoes the draw from the seed, by the published rule.
	if got := d.Pool[centre.DrawIndex(d.Seed, day, len(d.Pool))]; got != d.Drawn || !slices.Contains(d.Pool, r.shallow.Doc.Plan) || !d.Redo() {
		t.Errorf("redone from seed %s: %s, recorded %s", d.Seed, got, d.Drawn)
	}
	contains(t, body, d.Seed)
	contains(t, body, "结果一致")

	id := "/oversight/draws/" + itoa(d.ID) + "/inspect"
	if code, _ := staff.post(id, url.Values{"csrf": {staff.token("/oversight")}, "outcome": {"ok"}, "note": {"x"}}); code != http.StatusForbidden {
		t.Errorf("staff record an inspection: %d, want 403", code)
	}
	if code, _ := insp.post(id, url.Values{"outcome": {"ok"}, "note": {"x"}}); code != http.StatusForbidden {
		t.Errorf("an inspection without the CSRF token: %d, want 403", code)
	}
	if code, _ := insp.post(id, url.Values{"csrf": {insp.token("/oversight")}, "outcome": {"ok"}, "note": {"  "}}); code != http.StatusUnprocessableEntity {
		t.Errorf("an inspection without a note: %d, want 422", code)
	}
	code, body = insp.post(id, url.Values{"csrf": {insp.token("/oversight")}, "outcome": {"issues"}, "note": {"考位2摄像头角度不对，已调整"}})
	if code != http.StatusOK || !strings.Contains(body, "巡查结果已登记") || !strings.Contains(body, "考位2摄像头角度不对") || !strings.Contains(body, "发现问题，已整改") {
		t.Errorf("inspector records: %d", code)
	}
	d2, err := r.c.InspectionDrawByID(ctx, d.ID)
	if err != nil || len(d2.Inspections) != 1 || d2.Inspections[0].Staff != inspectorName {
		t.Errorf("inspections: %+v %v", d2, err)
	}
	_, audit := r.signedIn(t, centre.RoleAdmin).get("/audit")
	audit = html.UnescapeString(audit)
	for _, want := range []string{"random pull", "seed " + d.Seed, "plan " + d.Drawn, "record inspection", "role refused", "POST /oversight/draw", "csrf refused"} {
		contains(t, audit, want)
	}
}

// TestOversight_CertificateWarnings: a certificate ending within the span
// is listed with its days left; an examiner whose certificate has ended
// but who is on a plan of today is a red alert naming the plan; the span
// is chosen by ?within.
func TestOversight_CertificateWarnings(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	today := time.Date(r.c.Today().Y, time.Month(r.c.Today().M), r.c.Today().D, 0, 0, 0, 0, time.UTC)
	ended, soon := today.AddDate(0, 0, -1).Format(time.DateOnly), today.AddDate(0, 0, 10).Format(time.DateOnly)
	for _, u := range []struct{ id, to string }{{demo.Examiners[0].ID, ended}, {demo.Examiners[1].ID, soon}} {
		if _, err := r.c.DB().ExecContext(ctx, `UPDATE certificates SET valid_to = ? WHERE examiner_id = ?`, u.to, u.id); err != nil {
			t.Fatal(err)
		}
	}
	c := r.signedIn(t, centre.RoleInspector)
	code, body := c.get("/oversight")
	if code != http.StatusOK {
		t.Fatalf("GET /oversight: %d", code)
	}
	expired, _, _ := strings.Cut(body[strings.Index(body, `id="expired"`):], "</div>")
	for _, want := range []string{demo.Examiners[0].Name, ended, r.shallow.Doc.Plan, "请更换考评员"} {
		contains(t, expired, want)
	}
	if strings.Contains(expired, demo.Examiners[1].Name) {
		t.Error("an examiner whose certificate is valid is in the red alert")
	}
	expiring, _, _ := strings.Cut(body[strings.Index(body, `id="expiring"`):], "</table>")
	for _, want := range []string{demo.Examiners[1].Name, soon, "⚠ 10"} {
		contains(t, expiring, want)
	}
	_, body = c.get("/oversight?within=5")
	if strings.Contains(body, `id="expiring"`) || !strings.Contains(body, `id="noexpiring"`) {
		t.Error("within=5 lists a certificate ending in 10 days")
	}
}

// TestExports_Download: staff download the results and the examiners'
// table for a day as CSV and XLSX; an inspector is refused (403); each
// download is in the audit trail.
func TestExports_Download(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	day := r.shallow.Doc.Date
	staff := r.signedIn(t, centre.RoleStaff)
	resp, err := staff.hc.Get(staff.base + "/exports/results?date=" + day + "&format=csv")
	if err != nil {
		t.Fatal(err)
	}
	b := readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") || !strings.HasPrefix(b, "\ufeff序号,成绩编号") {
		t.Fatalf("results CSV: %d %s %.40q", resp.StatusCode, resp.Header.Get("Content-Type"), b)
	}
	for _, want := range []string{r.shallow.ID, r.perfect.ID, "陈明", "95.2"} {
		contains(t, b, want)
	}
	if !strings.Contains(resp.Header.Get("Content-Disposition"), "results-"+day+".csv") {
		t.Errorf("disposition %q", resp.Header.Get("Content-Disposition"))
	}
	resp, err = staff.hc.Get(staff.base + "/exports/examiners?date=" + day + "&format=xlsx")
	if err != nil {
		t.Fatal(err)
	}
	b = readAll(t, resp)
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(b, "PK") {
		t.Errorf("examiners XLSX: %d, %.4q", resp.StatusCode, b)
	}
	if code, _ := staff.get("/exports/results?format=pdf"); code != http.StatusBadRequest {
		t.Errorf("format=pdf: %d, want 400", code)
	}
	insp := r.signedIn(t, centre.RoleInspector)
	if code, body := insp.get("/exports/results?date=" + day + "&format=csv"); code != http.StatusForbidden || strings.Contains(body, r.shallow.ID) {
		t.Errorf("an inspector exports: %d, want 403", code)
	}
	if _, body := insp.get("/results"); strings.Contains(body, `href="/exports"`) {
		t.Error("an inspector is offered the exports")
	}
	_, audit := r.signedIn(t, centre.RoleAdmin).get("/audit")
	contains(t, audit, "export results")
	contains(t, audit, "date "+day+" format csv: 2 rows")
	contains(t, audit, "export examiners")
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func readAll(t *testing.T, resp *http.Response) string {
	t.Helper()
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
