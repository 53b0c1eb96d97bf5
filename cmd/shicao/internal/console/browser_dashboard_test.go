package console_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
)

// TestBrowser_DashboardPullCharts: in a real browser, staff land on the
// dashboard with the day's figures; a result's extinguisher chart is
// drawn; a result of the day is drawn at random and the page's seed
// redoes the draw; the analytics page shows the examiners' consistency.
func TestBrowser_DashboardPullCharts(t *testing.T) {
	t.Parallel()
	ctx := browser(t) // first: without a Chromium, fail or skip at once
	r := newRig(t)
	dir := screenshotDir(t)
	base := r.srv.URL
	day := r.shallow.Doc.Date
	ext := r.st.ExamVectors(t, demo.Candidates[2].IDNumber, extSeed("browser"), 0, map[string]string{"SD-DG-K43": "aim-high-no-sweep"})
	review := r.st.ExamVectors(t, demo.Candidates[3].IDNumber, centretest.CPRSeed("browser"), 0, map[string]string{"SD-DG-K42": "review-resolved"})
	for _, b := range [][]byte{ext.Bundle, review.Bundle} {
		if _, err := r.c.Ingest(context.Background(), demo.Station, b); err != nil {
			t.Fatal(err)
		}
	}
	if err := r.c.AddStaff(context.Background(), staffName, centre.RoleStaff, staffPass); err != nil {
		t.Fatal(err)
	}

	var results string
	run(t, ctx, "dashboard",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), staffName),
		chromedp.SendKeys(chromedp.CSS(`#password`), staffPass+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#tile-results`)),
		into(&results, chromedp.Text(chromedp.CSS(`#tile-results p`))),
		shot(dir, "30-dashboard"),
	)
	if !strings.HasPrefix(results, "4 ") {
		t.Errorf("the dashboard's results today: %q, want the 4 received", results)
	}

	var sprays int
	run(t, ctx, "extinguisher chart",
		chromedp.Navigate(base+"/results/"+ext.ID),
		chromedp.WaitVisible(chromedp.CSS(`svg.ext`)),
		into(&sprays, chromedp.Evaluate[int](`document.querySelectorAll('svg.ext .in, svg.ext .out').length`)),
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.Screenshot(chromedp.CSS(`figure.chart.ext`))(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(dir, "31-extinguisher-chart.png"), png, 0o644)
		},
	)
	if sprays != 4 {
		t.Errorf("the chart draws %d marks, want the stance and the 3 sprays", sprays)
	}

	var seed, drawn string
	run(t, ctx, "random pull of a result",
		chromedp.Navigate(base+"/oversight"),
		chromedp.WaitVisible(chromedp.CSS(`#drawform input[name=date]`)),
		chromedp.SendKeys(chromedp.CSS(`#drawform input[name=date]`), day),
		chromedp.Click(chromedp.CSS(`#drawresult`)),
		chromedp.WaitVisible(chromedp.CSS(`#drawn[data-kind=result]`)),
		into(&seed, chromedp.Text(chromedp.CSS(`#drawn code`))),
		into(&drawn, chromedp.Text(chromedp.CSS(`#drawn strong`))),
		shot(dir, "32-result-pull"),
	)
	pool := []string{r.shallow.ID, r.perfect.ID, ext.ID, review.ID}
	slices.Sort(pool)
	if want := pool[centre.DrawIndex(seed, day, len(pool))]; drawn != want {
		t.Errorf("the page shows seed %q and result %q; redone from the seed: %q", seed, drawn, want)
	}

	var table string
	run(t, ctx, "examiner consistency",
		chromedp.Navigate(base+"/analytics?from="+day+"&to="+day+"#consistency-h"),
		chromedp.WaitVisible(chromedp.CSS(`#consistency`)),
		into(&table, chromedp.Text(chromedp.CSS(`#consistency`))),
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.Screenshot(chromedp.CSS(`#consistency`))(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(dir, "33-consistency.png"), png, 0o644)
		},
	)
	for _, want := range []string{demo.Examiners[0].Name, demo.Examiners[1].Name} {
		if !strings.Contains(table, want) {
			t.Errorf("consistency lacks %s:\n%s", want, table)
		}
	}
	t.Logf("screenshots in %s", dir)
}
