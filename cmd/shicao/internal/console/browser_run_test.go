package console_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shicao/cmd/shicao/internal/demo"
)

// TestBrowser_RunTheDay: in a real browser, staff upload a roster with a
// wrong 身份证号 and see the refusal with its row on the page, then upload
// the corrected roster and see the plan issued.
func TestBrowser_RunTheDay(t *testing.T) {
	t.Parallel()
	ctx := browser(t) // first: without a Chromium, fail or skip at once
	r := newRig(t)
	dir := screenshotDir(t)
	base := r.srv.URL
	today := r.c.Today().String()
	good, other := demo.Candidates[4], demo.Candidates[3]
	files := t.TempDir()
	bad, fixed := filepath.Join(files, "bad", "roster.csv"), filepath.Join(files, "roster.csv")
	os.MkdirAll(filepath.Dir(bad), 0o755)
	if err := os.WriteFile(bad, []byte(rosterCSV(today, "TA-W-001", [2]string{good.IDNumber, good.Name}, [2]string{badCheck(other.IDNumber), other.Name})), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(fixed, []byte(rosterCSV(today, "TA-W-001", [2]string{good.IDNumber, good.Name}, [2]string{other.IDNumber, other.Name})), 0o644); err != nil {
		t.Fatal(err)
	}
	var problems, done string
	run(t, ctx, "refused import",
		chromedp.Navigate(base+"/signin"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), adminName),
		chromedp.SendKeys(chromedp.CSS(`#password`), adminPass+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#q-id`)),
		chromedp.Navigate(base+"/run"),
		chromedp.WaitVisible(chromedp.CSS(`#plans-form`)),
		chromedp.SetUploadFiles(chromedp.CSS(`#plans-form input[type=file]`), []string{bad}),
		chromedp.Click(chromedp.CSS(`#plans-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#problems`)),
		into(&problems, chromedp.Text(chromedp.CSS(`#outcome`))),
		shot(dir, "20-import-refused"),
	)
	if !strings.Contains(problems, "row 2: candidate "+other.Name) || !strings.Contains(problems, "roster.csv: plans not issued") {
		t.Errorf("the refusal shown:\n%s", problems)
	}
	run(t, ctx, "corrected import",
		chromedp.SetUploadFiles(chromedp.CSS(`#plans-form input[type=file]`), []string{fixed}),
		chromedp.Click(chromedp.CSS(`#plans-form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#done`)),
		into(&done, chromedp.Text(chromedp.CSS(`#done`))),
		shot(dir, "21-import-done"),
	)
	if !strings.Contains(done, "TA-W-001 "+today) {
		t.Errorf("the import shown: %q", done)
	}
	if _, _, err := r.c.PlanByID(context.Background(), "TA-W-001"); err != nil {
		t.Errorf("plan TA-W-001: %v", err)
	}
	t.Logf("screenshots in %s", dir)
}
