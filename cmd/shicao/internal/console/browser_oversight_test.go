package console_test

import (
	"context"
	"database/sql"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shicao/cmd/shicao/internal/centre"
)

// TestBrowser_OversightAnalytics: in a real browser, staff draw a plan
// of the exam day at random (the seed shown redoes the draw), an
// inspector records an inspection against it, and the analytics page
// shows a period's pass rates and deduction frequencies.
func TestBrowser_OversightAnalytics(t *testing.T) {
	t.Parallel()
	ctx := browser(t) // first: without a Chromium, fail or skip at once
	r := newRig(t)
	dir := screenshotDir(t)
	base := r.srv.URL
	day := r.shallow.Doc.Date
	// More figures on the exam day than the rig's two results: 40 at two
	// sites of three institutions.
	if err := sqlTx(r.c.DB(), func(tx *sql.Tx) error {
		return seedFacts(tx, 40, day, []string{"TA-KD-01", "TA-KD-02"}, []string{"泰安市安全技术培训中心", "泰山职业培训学校", "岱岳区安全培训站"})
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.c.AddStaff(context.Background(), staffName, centre.RoleStaff, staffPass); err != nil {
		t.Fatal(err)
	}
	signIn := func(name, pass string) chromedp.Action[chromedp.Void] {
		return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			return chromedp.Void{}, chromedp.Do(ctx,
				chromedp.Navigate(base+"/signin"),
				chromedp.WaitVisible(chromedp.CSS(`#name`)),
				chromedp.SendKeys(chromedp.CSS(`#name`), name),
				chromedp.SendKeys(chromedp.CSS(`#password`), pass+"\r"),
				chromedp.WaitVisible(chromedp.CSS(`#q-id`)),
			)
		}
	}

	var seed, plan string
	run(t, ctx, "random pull",
		signIn(staffName, staffPass),
		chromedp.Navigate(base+"/oversight"),
		chromedp.WaitVisible(chromedp.CSS(`#drawform input[name=date]`)),
		chromedp.SendKeys(chromedp.CSS(`#drawform input[name=date]`), day+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#drawn`)),
		into(&seed, chromedp.Text(chromedp.CSS(`#drawn code`))),
		into(&plan, chromedp.Text(chromedp.CSS(`#drawn strong`))),
		shot(dir, "10-random-pull"),
	)
	list, err := r.c.InspectionDraws(context.Background(), 1)
	if err != nil || len(list) != 1 {
		t.Fatalf("draws: %v %v", list, err)
	}
	if seed != list[0].Seed || plan != list[0].Pool[centre.DrawIndex(seed, day, len(list[0].Pool))] {
		t.Errorf("the page shows seed %q plan %q; redone: %+v", seed, plan, list[0])
	}

	var recorded string
	run(t, ctx, "inspection",
		chromedp.Click(chromedp.CSS(`.top form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		signIn(inspectorName, inspectorPass),
		chromedp.Navigate(base+"/oversight"),
		chromedp.WaitVisible(chromedp.CSS(`.draw form input[name=note]`)),
		chromedp.SetValue(chromedp.CSS(`.draw form select[name=outcome]`), "issues"),
		chromedp.SetValue(chromedp.CSS(`.draw form input[name=note]`), "2号考位监控角度偏移，已现场调整"),
		chromedp.Click(chromedp.CSS(`.draw form button`)),
		chromedp.WaitVisible(chromedp.CSS(`.draw table.inspections`)),
		into(&recorded, chromedp.Text(chromedp.CSS(`.draw table.inspections`))),
		shot(dir, "11-inspection"),
	)
	if !strings.Contains(recorded, "2号考位监控角度偏移") || !strings.Contains(recorded, inspectorName) {
		t.Errorf("the inspection listed: %q", recorded)
	}

	var sites, deductions string
	run(t, ctx, "analytics",
		chromedp.Navigate(base+"/analytics?from="+day+"&to="+day),
		chromedp.WaitVisible(chromedp.CSS(`#by-site`)),
		into(&sites, chromedp.Text(chromedp.CSS(`#by-site`))),
		into(&deductions, chromedp.Text(chromedp.CSS(`#deductions`))),
		shot(dir, "12-analytics"),
	)
	var heading string
	run(t, ctx, "analytics in English",
		chromedp.Click(chromedp.CSS(`a.lang`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] #by-site`)),
		into(&heading, chromedp.Text(chromedp.CSS(`h1`))),
		shot(dir, "13-analytics-en"),
	)
	if heading != "Analytics" {
		t.Errorf("English heading %q", heading)
	}
	// TA-KD-01: the rig's 2 (both passed) and the even 20 of the 40 (10
	// failed): 12 of 22.
	if !strings.Contains(sites, "54.5%") || !strings.Contains(deductions, "胸外按压") {
		t.Errorf("analytics by site:\n%s\ndeductions:\n%s", sites, deductions)
	}
	t.Logf("screenshots in %s", dir)
}
