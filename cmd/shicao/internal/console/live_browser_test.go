package console_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestBrowser_LiveGrid: the grid in a real browser, signed in as an
// inspector: a station falls silent and turns offline, a drifting clock
// is flagged, a status posted while the page is open changes the
// station's card without a reload (a marker set on the page survives),
// and a second status changes it again. The screenshot goes to
// $SHICAO_SCREENSHOTS (or a temporary directory) as 10-live-grid.png.
func TestBrowser_LiveGrid(t *testing.T) {
	t.Parallel()
	ctx := browser(t)
	r := newLiveRig(t)
	dir := screenshotDir(t)
	base := r.srv.URL
	card := `article[data-station="` + demo.Station + `"]`
	// Two more stations at the site: STN-02 falls silent, STN-03's
	// clock is 5 s behind the centre's.
	others := map[string]*examsync.Client{}
	for _, name := range []string{"STN-02", "STN-03"} {
		signer, verifier, err := standards.GenerateKey(name)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.c.AddStation(context.Background(), name, demo.Site, verifier); err != nil {
			t.Fatal(err)
		}
		if others[name], err = examsync.NewClient(r.api.URL, name, signer, nil); err != nil {
			t.Fatal(err)
		}
		others[name].Now = r.clock.Now
	}
	others["STN-03"].Now = func() time.Time { return r.clock.Now().Add(-5 * time.Second) }
	postOther := func(name string, st examsync.StationStatus) {
		t.Helper()
		if err := others[name].PostStatus(context.Background(), st); err != nil {
			t.Fatal(err)
		}
	}

	var before string
	run(t, ctx, "sign in and open the grid",
		chromedp.Navigate(base+"/live"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), inspectorName),
		chromedp.SendKeys(chromedp.CSS(`#password`), inspectorPass+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#q-id`)),
		chromedp.Navigate(base+"/live?site="+demo.Site),
		chromedp.WaitVisible(chromedp.CSS(card+`[data-state="unseen"]`)),
		// The stream is open: from now on every status reaches the page.
		chromedp.WaitVisible(chromedp.CSS(`#live-conn.on`)),
		eval(`window.notReloaded = true`),
		into(&before, chromedp.Text(chromedp.CSS(card))),
	)
	if !strings.Contains(before, "当天未上报") {
		t.Errorf("card before any status: %q", before)
	}

	// STN-02 reports, then is silent for 30 s: at the stream's next
	// tick its card turns offline.
	idle := liveStatus("start", 0)
	idle.Plan, idle.Candidate, idle.Item = "P-2026-0001", "", ""
	postOther("STN-02", idle)
	run(t, ctx, "STN-02 online", chromedp.WaitVisible(chromedp.CSS(`article[data-station="STN-02"][data-state="online"]`)))
	r.clock.Advance(centre.OfflineAfter)
	r.tick <- r.clock.Now()
	run(t, ctx, "STN-02 offline", chromedp.WaitVisible(chromedp.CSS(`article[data-station="STN-02"][data-state="offline"]`)))
	postOther("STN-03", liveStatus("draw", 0))
	run(t, ctx, "STN-03 drifting", chromedp.WaitVisible(chromedp.CSS(`article[data-station="STN-03"] .drift`)))

	r.post(t, liveStatus("live", 73_000))
	var after string
	var kept bool
	run(t, ctx, "the card changes",
		chromedp.WaitVisible(chromedp.CSS(card+`[data-state="online"] .elapsed`)),
		into(&after, chromedp.Text(chromedp.CSS(card))),
		into(&kept, chromedp.Evaluate[bool](`window.notReloaded === true`)),
		shot(dir, "10-live-grid"),
	)
	if !kept {
		t.Error("the page was reloaded")
	}
	for _, want := range []string{"● 在线", "考试中", "陈明 370902********0011", "1:13", "extinguisher ✗ 断开"} {
		if !strings.Contains(after, want) {
			t.Errorf("the card lacks %q:\n%s", want, after)
		}
	}

	r.post(t, liveStatus("sheet", 301_000))
	run(t, ctx, "the card changes again",
		chromedp.WaitVisible(chromedp.CSS(card+` .elapsed`)),
		// Bounded by the browser's context (browser), not by a poll timeout.
		chromedp.Poll[chromedp.Void](`document.querySelector('`+card+` .elapsed').textContent === '5:01'`,
			chromedp.WithPollingMutation(), chromedp.WithPollingTimeout(0)),
		into(&kept, chromedp.Evaluate[bool](`window.notReloaded === true`)),
	)
	if !kept {
		t.Error("the page was reloaded")
	}
	t.Logf("screenshot in %s", dir)
}
