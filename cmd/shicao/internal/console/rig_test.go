package console_test

import (
	"context"
	"io"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/console"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// Staff accounts of the rig.
const (
	adminName, adminPass         = "li.admin", "correct-horse-1"
	inspectorName, inspectorPass = "wang.inspect", "battery-staple-2"
)

// rig is a demo centre holding two results — 陈明's with the CPR item
// played with twelve shallow compressions (a deduction with evidence
// and a depth chart), 赵丽's perfect — and the console over it.
type rig struct {
	c       *centre.Centre
	dir     string
	srv     *httptest.Server
	shallow *station.Saved // 陈明's result
	perfect *station.Saved // 赵丽's result
	st      *centretest.Station
}

func newRig(t *testing.T) *rig {
	t.Helper()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, dir := centretest.NewCentreDir(t, st)
	shallow := st.ExamVectors(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("console"), 0, map[string]string{"SD-DG-K42": "twelve-shallow"})
	perfect := st.Exam(t, demo.Candidates[1].IDNumber, "console-perfect", 0)
	for _, s := range []*station.Saved{shallow, perfect} {
		if _, err := c.Ingest(ctx, demo.Station, s.Bundle); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddStaff(ctx, adminName, centre.RoleAdmin, adminPass); err != nil {
		t.Fatal(err)
	}
	if err := c.AddStaff(ctx, inspectorName, centre.RoleInspector, inspectorPass); err != nil {
		t.Fatal(err)
	}
	cs, err := console.New(c, console.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(cs.Handler())
	t.Cleanup(srv.Close)
	return &rig{c: c, dir: dir, srv: srv, shallow: shallow, perfect: perfect, st: st}
}

// client is a browser-like HTTP client: cookies kept, redirects followed.
type client struct {
	t    *testing.T
	base string
	hc   *http.Client
}

func (r *rig) client(t *testing.T) *client {
	jar, _ := cookiejar.New(nil)
	return &client{t: t, base: r.srv.URL, hc: &http.Client{Jar: jar}}
}

var csrfField = regexp.MustCompile(`name="csrf" value="([0-9a-f]+)"`)

// get returns the status and body of a GET.
func (c *client) get(path string) (int, string) {
	c.t.Helper()
	resp, err := c.hc.Get(c.base + path)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// post posts a form and returns the status and body.
func (c *client) post(path string, form url.Values) (int, string) {
	c.t.Helper()
	resp, err := c.hc.PostForm(c.base+path, form)
	if err != nil {
		c.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// token returns the CSRF token of the first form on a page.
func (c *client) token(path string) string {
	c.t.Helper()
	_, body := c.get(path)
	m := csrfField.FindStringSubmatch(body)
	if m == nil {
		c.t.Fatalf("no csrf field on %s", path)
	}
	return m[1]
}

// signIn signs in through the form and returns the landing page.
func (c *client) signIn(name, pass string) (int, string) {
	c.t.Helper()
	return c.post("/signin", url.Values{"csrf": {c.token("/signin")}, "name": {name}, "password": {pass}})
}

func contains(t *testing.T, body, want string) {
	t.Helper()
	if !strings.Contains(body, want) {
		t.Errorf("the page lacks %q", want)
	}
}
