package console_test

import (
	"context"
	"html"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/console"
	"shicao/cmd/shicao/internal/demo"
)

// TestSignIn_OK: the right password opens a session with a cookie that
// scripts cannot read and other sites cannot send; the pages then open.
func TestSignIn_OK(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client(t)
	if code, _ := c.get("/results"); code != http.StatusOK {
		t.Fatalf("GET /results signed out: %d", code)
	}
	if _, body := c.get("/results"); !strings.Contains(body, `action="/signin"`) {
		t.Fatal("signed out, /results did not go to the sign-in page")
	}
	resp, err := c.hc.PostForm(c.base+"/signin", url.Values{"csrf": {c.token("/signin")}, "name": {adminName}, "password": {adminPass}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var sess *http.Cookie
	for _, rr := range resp.Request.Response.Cookies() {
		if rr.Name == "shicao_session" {
			sess = rr
		}
	}
	if sess == nil || !sess.HttpOnly || sess.SameSite != http.SameSiteStrictMode || len(sess.Value) < 32 {
		t.Fatalf("session cookie %+v: want HttpOnly, SameSite=Strict, a long random id", sess)
	}
	code, body := c.get("/results")
	if code != http.StatusOK || !strings.Contains(body, adminName) {
		t.Fatalf("GET /results signed in: %d", code)
	}
	// Signing out ends the session on the server: the old cookie is dead.
	code, _ = c.post("/signout", url.Values{"csrf": {c.token("/results")}})
	if code != http.StatusOK {
		t.Fatalf("sign out: %d", code)
	}
	if _, err := r.c.SessionByID(context.Background(), sess.Value); err != centre.ErrNoSession {
		t.Errorf("the session outlived sign-out: %v", err)
	}
}

// TestSignIn_Lockout: wrong passwords are refused (401), five in a row
// lock the account, and the lock survives a restart of the centre: even
// the right password is refused, through a centre opened anew.
func TestSignIn_Lockout(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client(t)
	code, body := c.signIn(adminName, "wrong-password")
	if code != http.StatusUnauthorized || !strings.Contains(body, "账号或密码错误") {
		t.Fatalf("wrong password: %d", code)
	}
	if code, _ := c.signIn("nobody", adminPass); code != http.StatusUnauthorized {
		t.Fatalf("unknown name: %d", code)
	}
	for range centre.MaxFailures - 1 {
		c.signIn(adminName, "wrong-password")
	}
	code, body = c.signIn(adminName, adminPass)
	if code != http.StatusUnauthorized || !strings.Contains(body, "账号已锁定") {
		t.Fatalf("right password while locked: %d, want 401 and the lockout", code)
	}
	// A restart: the same database opened by a new centre.
	ctx := context.Background()
	again, err := centre.Open(ctx, r.dir, centre.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if _, err := again.SignIn(ctx, adminName, adminPass); err == nil || !strings.Contains(err.Error(), centre.ErrLocked.Error()) {
		t.Fatalf("after a restart: %v, want the lockout", err)
	}
	// The inspector's account is not affected.
	if code, _ := c.signIn(inspectorName, inspectorPass); code != http.StatusOK {
		t.Errorf("another account: %d", code)
	}
}

// TestCSRF_Refused: a POST without the session's token, or with another
// one, is refused with 403 and changes nothing; so is a sign-in post
// that did not come from the sign-in form.
func TestCSRF_Refused(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client(t)
	if code, _ := c.post("/signin", url.Values{"name": {adminName}, "password": {adminPass}}); code != http.StatusForbidden {
		t.Errorf("sign-in without the form's token: %d, want 403", code)
	}
	if code, _ := c.signIn(adminName, adminPass); code != http.StatusOK {
		t.Fatalf("sign in: %d", code)
	}
	verify := "/results/" + r.shallow.ID + "/verify"
	for _, form := range []url.Values{{}, {"csrf": {strings.Repeat("0", 64)}}} {
		code, body := c.post(verify, form)
		if code != http.StatusForbidden || !strings.Contains(body, "表单已过期或来源不明") {
			t.Errorf("POST %s with csrf %q: %d, want 403", verify, form.Get("csrf"), code)
		}
	}
	if code, _ := c.post("/sites", url.Values{"id": {"X-1"}, "name": {"x"}, "kind": {"accepted"}}); code != http.StatusForbidden {
		t.Errorf("register a site without a token: %d, want 403", code)
	}
	if _, err := r.c.SiteByID(context.Background(), "X-1"); err == nil {
		t.Error("a refused post registered a site")
	}
	// With the token, the same post is done.
	code, body := c.post(verify, url.Values{"csrf": {c.token("/results/" + r.shallow.ID)}})
	if code != http.StatusOK || !strings.Contains(body, "已验证 verified") {
		t.Errorf("re-verify with the token: %d", code)
	}
}

// TestRoles_Inspector: an inspector reads and re-verifies, but cannot
// register (403, and nothing registered); staff can.
func TestRoles_Inspector(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	insp := r.client(t)
	if code, _ := insp.signIn(inspectorName, inspectorPass); code != http.StatusOK {
		t.Fatalf("sign in: %d", code)
	}
	_, body := insp.get("/sites")
	if strings.Contains(body, `id="addsite"`) {
		t.Error("an inspector is offered the register form")
	}
	code, body := insp.post("/sites", url.Values{"csrf": {insp.token("/sites")}, "id": {"TA-KD-99"}, "name": {"新考点"}, "kind": {"accepted"}})
	if code != http.StatusForbidden || !strings.Contains(body, "无权执行此操作") {
		t.Errorf("inspector registers a site: %d, want 403", code)
	}
	if _, err := r.c.SiteByID(ctx, "TA-KD-99"); err == nil {
		t.Error("the inspector's post registered the site")
	}
	if code, _ := insp.post("/results/"+r.perfect.ID+"/verify", url.Values{"csrf": {insp.token("/results/" + r.perfect.ID)}}); code != http.StatusOK {
		t.Errorf("inspector re-verifies: %d", code)
	}
	admin := r.client(t)
	admin.signIn(adminName, adminPass)
	code, body = admin.post("/sites", url.Values{"csrf": {admin.token("/sites")}, "id": {"TA-KD-99"}, "name": {"新考点"}, "kind": {"accepted"}})
	if code != http.StatusOK || !strings.Contains(body, "已登记") {
		t.Errorf("admin registers a site: %d", code)
	}
	if s, err := r.c.SiteByID(ctx, "TA-KD-99"); err != nil || !s.Accepted {
		t.Errorf("the site: %+v %v", s, err)
	}
}

// TestAudit_Trail: every action is on the audit page with who, what and
// from where, refusals too; and the trail cannot be edited.
func TestAudit_Trail(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	insp := r.client(t)
	insp.signIn(inspectorName, "wrong-password")
	insp.signIn(inspectorName, inspectorPass)
	insp.get("/results?id_number=" + demo.Candidates[0].IDNumber)
	insp.get("/results/" + r.shallow.ID)
	insp.post("/sites", url.Values{"csrf": {insp.token("/sites")}, "id": {"Z"}, "name": {"z"}})
	_, body := insp.get("/audit")
	body = html.UnescapeString(body)
	for _, want := range []string{
		"sign-in refused", "sign-in", "search", "id_number=" + demo.Candidates[0].IDNumber, "read result", "result " + r.shallow.ID,
		"role refused", "POST /sites", inspectorName, "127.0.0.1",
	} {
		contains(t, body, want)
	}
	ctx := context.Background()
	if _, err := r.c.DB().ExecContext(ctx, `UPDATE audit SET staff = 'someone else'`); err == nil || !strings.Contains(err.Error(), "append-only") {
		t.Errorf("editing the audit trail: %v, want refused", err)
	}
	if _, err := r.c.DB().ExecContext(ctx, `DELETE FROM audit`); err == nil {
		t.Error("deleting the audit trail was allowed")
	}
}

// TestResults_Search: by 身份证号, by name, by examiner, by date; paged.
func TestResults_Search(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client(t)
	c.signIn(adminName, adminPass)
	_, body := c.get("/results?id_number=" + demo.Candidates[0].IDNumber)
	contains(t, body, r.shallow.ID)
	if strings.Contains(body, r.perfect.ID) {
		t.Error("a search by 身份证号 listed another candidate")
	}
	_, body = c.get("/results?name=" + url.QueryEscape("赵丽"))
	contains(t, body, r.perfect.ID)
	_, body = c.get("/results?examiner=" + url.QueryEscape(demo.Examiners[0].Name) + "&date=" + r.shallow.Doc.Date)
	contains(t, body, r.shallow.ID)
	contains(t, body, r.perfect.ID)
	_, body = c.get("/results?name=" + url.QueryEscape("无此人"))
	contains(t, body, "没有符合条件的成绩")
	// Pages: one result a page, newest first.
	ctx := context.Background()
	page, more, err := r.c.SearchResults(ctx, centre.ResultQuery{}, -1, 1)
	if err != nil || len(page) != 1 || !more || page[0].ID != r.perfect.ID {
		t.Fatalf("first page: %v %v %v", page, more, err)
	}
	page, more, err = r.c.SearchResults(ctx, centre.ResultQuery{}, page[0].Index, 1)
	if err != nil || len(page) != 1 || more || page[0].ID != r.shallow.ID {
		t.Fatalf("second page: %v %v %v", page, more, err)
	}
	if code, _ := c.get("/results?before=x"); code != http.StatusBadRequest {
		t.Errorf("a bad page: %d, want 400", code)
	}
}

// TestResult_Page: the result page shows the paper, the deduction with
// its evidence events, the depth chart and its numbers, the signatures
// and the log index; an unknown id is 404.
func TestResult_Page(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client(t)
	c.signIn(adminName, adminPass)
	code, body := c.get("/results/" + r.shallow.ID)
	if code != http.StatusOK {
		t.Fatalf("GET result: %d", code)
	}
	body = html.UnescapeString(body)
	for _, want := range []string{"按压深度不足5cm，每次扣2分", "×12", "cpr.compression", `"depth_mm":45`, "<svg", "50–60 mm", "否 ✗", demo.Station, `id="logindex">0<`, "SD-DG-K42", "✗ 不合格"} {
		contains(t, body, want)
	}
	if code, _ := c.get("/results/no-such-result"); code != http.StatusNotFound {
		t.Errorf("unknown result: %d, want 404", code)
	}
	// English by the switch.
	c.get("/lang?to=en&back=/results")
	_, body = c.get("/results/" + r.shallow.ID)
	contains(t, body, "Evidence events")
}

// TestVerify_Tampered: a row edited in the database is caught by
// Re-verify, which says so.
func TestVerify_Tampered(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	c := r.client(t)
	c.signIn(adminName, adminPass)
	if _, err := r.c.DB().Exec(`UPDATE results SET total = '100' WHERE id = ?`, r.shallow.ID); err != nil {
		t.Fatal(err)
	}
	code, body := c.post("/results/"+r.shallow.ID+"/verify", url.Values{"csrf": {c.token("/results/" + r.shallow.ID)}})
	if code != http.StatusOK || !strings.Contains(body, "验证失败 NOT verified") || !strings.Contains(body, "the row was edited") {
		t.Errorf("re-verify an edited row: %d", code)
	}
}

// TestAlarms_Ack: a real alarm (a result id sent again with other
// bytes) is shown unacknowledged; an acknowledgement needs a note, an
// inspector cannot give one (403), staff can, once; it is shown with
// who and the note, and is in the audit trail.
func TestAlarms_Ack(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	if _, err := r.c.Ingest(ctx, demo.Station, append(append([]byte{}, r.shallow.Bundle...), ' ')); err == nil {
		t.Fatal("other bytes under a held result id were accepted")
	}
	page, err := r.c.AlarmPage(ctx, 0, 10)
	if err != nil || len(page) != 1 {
		t.Fatalf("alarms: %v %v", page, err)
	}
	ack := "/alarms/" + strconv.FormatInt(page[0].ID, 10) + "/ack"

	insp := r.client(t)
	insp.signIn(inspectorName, inspectorPass)
	_, body := insp.get("/alarms")
	contains(t, body, "⚠ 未确认")
	if strings.Contains(body, `action="`+ack+`"`) {
		t.Error("an inspector is offered the acknowledge form")
	}
	if code, _ := insp.post(ack, url.Values{"csrf": {insp.token("/alarms")}, "note": {"看过了"}}); code != http.StatusForbidden {
		t.Errorf("inspector acknowledges: %d, want 403", code)
	}

	c := r.client(t)
	c.signIn(adminName, adminPass)
	if code, body := c.post(ack, url.Values{"csrf": {c.token("/alarms")}, "note": {"  "}}); code != http.StatusUnprocessableEntity || !strings.Contains(body, "needs a note") {
		t.Errorf("acknowledge without a note: %d, want 422", code)
	}
	note := "已联系考点：考位恢复备份后重发，保留第一份"
	code, body := c.post(ack, url.Values{"csrf": {c.token("/alarms")}, "note": {note}})
	if code != http.StatusOK {
		t.Fatalf("acknowledge: %d", code)
	}
	for _, want := range []string{"✓ 已确认", adminName, note} {
		contains(t, body, want)
	}
	if code, _ := c.post(ack, url.Values{"csrf": {c.token("/alarms")}, "note": {"again"}}); code != http.StatusUnprocessableEntity {
		t.Errorf("acknowledged twice: %d, want 422", code)
	}
	_, body = c.get("/audit")
	contains(t, html.UnescapeString(body), "acknowledge alarm")
}

// TestSignIn_SecureCookies: served over TLS (centre serve --console with
// --cert), the session cookie is also marked Secure.
func TestSignIn_SecureCookies(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cs, err := console.New(r.c, console.Options{Secure: true})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(cs.Handler())
	defer srv.Close()
	hc := srv.Client()
	hc.Jar, _ = cookiejar.New(nil)
	c := &client{t: t, base: srv.URL, hc: hc}
	resp, err := hc.PostForm(srv.URL+"/signin", url.Values{"csrf": {c.token("/signin")}, "name": {adminName}, "password": {adminPass}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	var sess *http.Cookie
	for _, ck := range resp.Request.Response.Cookies() {
		if ck.Name == "shicao_session" {
			sess = ck
		}
	}
	if sess == nil || !sess.Secure || !sess.HttpOnly {
		t.Errorf("session cookie over TLS: %+v, want Secure and HttpOnly", sess)
	}
}
