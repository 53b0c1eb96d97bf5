package console_test

import (
	"context"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
)

// TestDashboard: signing in lands on the day's dashboard: the station
// registered and not heard today, the day's two results (both passed)
// and pass rate, no open alarm; then an upload refused (another result
// under a held id) shows as one open alarm of its kind, until it is
// acknowledged.
func TestDashboard(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	if r.shallow.Doc.Date != r.c.Today().String() {
		t.Fatalf("the rig's results are of %s, the centre's today is %s", r.shallow.Doc.Date, r.c.Today())
	}
	c := r.client(t)
	st, body := c.signIn(inspectorName, inspectorPass)
	if st != http.StatusOK || !strings.Contains(body, `id="tile-stations"`) {
		t.Fatalf("landing page after sign-in: %d, not the dashboard", st)
	}
	for _, want := range []string{
		`<strong class="online">● 0</strong> 在线 · <strong class="offline">○ 0</strong> 离线 · – 1 当天未上报`,
		`<strong>2</strong> · 合格 2`,
		`<strong>100.0%</strong> 今日`,
		`✓ 没有未处理的告警`,
		`<td>` + demo.Station + `</td><td>` + demo.Site + `</td>`,
		`href="/results/` + r.shallow.ID + `"`,
		`id="q-id"`,
	} {
		contains(t, body, want)
	}
	if _, err := r.c.Ingest(context.Background(), demo.Station, append(append([]byte{}, r.shallow.Bundle...), ' ')); err == nil {
		t.Fatal("other bytes under a held result id were accepted")
	}
	_, body = c.get("/")
	contains(t, body, `<strong>⚠ 1</strong> 条未处理`)
	contains(t, body, `<li>duplicate-id: 1</li>`)

	a := r.client(t)
	a.signIn(adminName, adminPass)
	_, alarms := a.get("/alarms")
	m := ackForm.FindStringSubmatch(alarms)
	if m == nil {
		t.Fatal("no acknowledge form on the alarms page")
	}
	if st, _ := a.post(m[1], map[string][]string{"csrf": {a.token("/alarms")}, "note": {"已核实"}}); st != http.StatusOK {
		t.Fatalf("acknowledge: %d", st)
	}
	_, body = c.get("/")
	contains(t, body, `✓ 没有未处理的告警`)
}

var ackForm = regexp.MustCompile(`action="(/alarms/[0-9]+/ack)"`)
