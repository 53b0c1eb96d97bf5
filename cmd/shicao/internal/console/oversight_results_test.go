package console_test

import (
	"context"
	"html"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"shicao/cmd/shicao/internal/centre"
)

// TestOversight_ResultPull: staff draw one of the day's results at
// random; the page shows the seed and the result drawn, with a link to
// it; redoing the published rule by hand over the day's two result ids
// gives the same result; the seed is in the audit trail; a day with no
// result is refused with a sentence saying so.
func TestOversight_ResultPull(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	day := r.shallow.Doc.Date
	staff := r.signedIn(t, centre.RoleStaff)
	code, body := staff.post("/oversight/draw", url.Values{"csrf": {staff.token("/oversight")}, "date": {"2001-01-01"}, "kind": {"result"}})
	if code != http.StatusUnprocessableEntity {
		t.Errorf("a day without results: %d, want 422", code)
	}
	contains(t, body, "该日期没有成绩")
	code, body = staff.post("/oversight/draw", url.Values{"csrf": {staff.token("/oversight")}, "date": {day}, "kind": {"result"}})
	if code != http.StatusOK {
		t.Fatalf("draw a result: %d", code)
	}
	list, err := r.c.InspectionDraws(ctx, 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("draws: %+v %v", list, err)
	}
	d := list[0]
	pool := []string{r.shallow.ID, r.perfect.ID}
	slices.Sort(pool)
	want := pool[centre.DrawIndex(d.Seed, day, len(pool))]
	if d.Kind != centre.DrawResult || !slices.Equal(d.Pool, pool) || d.Drawn != want || !d.Redo() {
		t.Errorf("the draw %+v; redone by hand from seed %s over %v: %s", d, d.Seed, pool, want)
	}
	if d.Result == nil || d.Result.ID != want {
		t.Errorf("the draw's result row: %+v", d.Result)
	}
	body = html.UnescapeString(body)
	for _, s := range []string{`id="drawn" data-kind="result"`, d.Seed, "<strong>" + want + "</strong>", `href="/results/` + want + `"`, "候选成绩数", "结果一致"} {
		contains(t, body, s)
	}
	_, audit := r.signedIn(t, centre.RoleAdmin).get("/audit")
	audit = html.UnescapeString(audit)
	for _, s := range []string{"random pull", "seed " + d.Seed, "among 2 results: result " + want, "no result"} {
		contains(t, audit, s)
	}
}
