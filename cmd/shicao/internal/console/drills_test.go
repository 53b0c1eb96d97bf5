package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/console"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestDrills_Page: two examiners mark a CPR drill, one as the panel did
// and one taking 3 points more off 呼救; the drills page lists both, the
// harsh one first, marked 超差 (a word, not a colour), and counts one
// pair over the tolerance.
func TestDrills_Page(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, _ := centretest.NewCentreDir(t, st)
	std, err := st.S.StandardVersion(ctx, "SD-DG-K42", 1)
	if err != nil {
		t.Fatal(err)
	}
	var events []standards.Event
	for i := range std.Tests {
		if std.Tests[i].Name == "perfect" {
			events = std.Expand(&std.Tests[i])
		}
	}
	signed, err := c.PublishDrill(ctx, examsync.Drill{ID: "DR-C", Standard: examsync.StandardRef{ID: std.ID, Version: std.Version},
		Panel: []examsync.PanelMark{{Item: "call", Deduct: standards.PointsOf(1)}}}, events)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.S.InstallDrill(ctx, signed); err != nil {
		t.Fatal(err)
	}
	marks := map[string][]string{demo.Examiners[0].ID: {"no-aed"}, demo.Examiners[1].ID: {"no-call", "no-aed", "wrong-posture", "no-loosen"}}
	for _, x := range demo.Examiners[:2] {
		run, err := st.S.StartDrill(ctx, "DR-C", x.ID, x.PIN)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range marks[x.ID] {
			if err := run.Mark("call", m); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := run.Finish(ctx); err != nil {
			t.Fatal(err)
		}
	}
	recs, err := st.S.Calibrations(ctx)
	if err != nil {
		t.Fatal(err)
	}
	for _, k := range recs {
		if _, err := c.Calibrate(ctx, demo.Station, k.Signed); err != nil {
			t.Fatal(err)
		}
	}
	if err := c.AddStaff(ctx, adminName, centre.RoleAdmin, adminPass); err != nil {
		t.Fatal(err)
	}
	cs, err := console.New(c, console.Options{})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(cs.Handler())
	t.Cleanup(srv.Close)
	cl := (&rig{srv: srv}).client(t)
	cl.signIn(adminName, adminPass)
	code, body := cl.get("/drills")
	if code != http.StatusOK {
		t.Fatalf("/drills: %d", code)
	}
	contains(t, body, `<strong id="drills-over">1</strong>`)
	rows := strings.Split(body, "<tr")
	var first string
	for _, r := range rows {
		if strings.Contains(r, "SD-DG-K42 call") {
			first = r
			break
		}
	}
	if !strings.Contains(first, "✗ 超差") || !strings.Contains(first, demo.Examiners[1].ID) || !strings.Contains(first, "<td>3</td>") {
		t.Errorf("the first call row is not the harsh examiner's, over by 3:\n%s", first)
	}
	contains(t, body, "✓ 正常")
}
