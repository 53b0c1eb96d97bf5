package console_test

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"shicao/cmd/shicao/internal/demo"
)

// The console in a real browser: Debian's chromium, driven by chromedp
// (.ci/run installs it when missing). Without a Chromium the test fails,
// unless SHICAO_SKIP_BROWSER=1 says to skip it. Screenshots go to
// $SHICAO_SCREENSHOTS when set (a directory), else to a temporary one.

// findChromium returns the browser's path, or "".
func findChromium() string {
	if p := os.Getenv("SHICAO_CHROMIUM"); p != "" {
		return p
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome", "google-chrome-stable"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	return ""
}

// browser starts a headless Chromium with a fresh profile and returns a
// tab's context; everything is torn down with the test.
func browser(t *testing.T) context.Context {
	t.Helper()
	path := findChromium()
	if path == "" {
		if os.Getenv("SHICAO_SKIP_BROWSER") == "1" {
			t.Skip("SKIPPED: no Chromium found (SHICAO_SKIP_BROWSER=1): the console's browser tests did not run; install Debian's chromium to run them")
		}
		t.Fatal("no Chromium found: install it (apt-get install -y chromium, as .ci/run does), point SHICAO_CHROMIUM at one, or set SHICAO_SKIP_BROWSER=1 to skip the browser tests")
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(path),
		chromedp.Headless,
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1280, 900),
	)
	actx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancel := chromedp.NewContext(actx)
	// A bound for the whole test, from the work it does (a dozen page
	// loads, each re-verify re-scores a paper): far above what it takes.
	ctx, cancelTimeout := context.WithTimeout(ctx, 2*time.Minute)
	t.Cleanup(func() { cancelTimeout(); cancel(); cancelAlloc() })
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("start %s: %v", path, err)
	}
	return ctx
}

func screenshotDir(t *testing.T) string {
	if d := os.Getenv("SHICAO_SCREENSHOTS"); d != "" {
		if err := os.MkdirAll(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return d
	}
	return t.TempDir()
}

// shot saves a full-page screenshot.
func shot(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.FullScreenshot(100)(ctx, tg) // quality 100: PNG (below it, JPEG)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// shotView saves a screenshot of what the window shows.
func shotView(dir, name string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		png, err := chromedp.CaptureScreenshot()(ctx, tg)
		if err != nil {
			return chromedp.Void{}, err
		}
		return chromedp.Void{}, os.WriteFile(filepath.Join(dir, name+".png"), png, 0o644)
	}
}

// into runs a query and keeps its value.
func into[T any](v *T, a chromedp.Action[T]) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		x, err := a(ctx, tg)
		*v = x
		return chromedp.Void{}, err
	}
}

// eval runs a script in the page, as a person with the browser's
// developer tools could.
func eval(js string) chromedp.Action[chromedp.Void] {
	return func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
		_, err := chromedp.Evaluate[any](js)(ctx, tg)
		return chromedp.Void{}, err
	}
}

// run runs a step's actions in order, one at a time, so that a failure
// names the action that failed (the one waiting when the test's deadline
// passed, say).
func run(t *testing.T, ctx context.Context, step string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	for i, a := range actions {
		if err := chromedp.Do(ctx, a); err != nil {
			t.Fatalf("%s: action %d of %d: %v", step, i+1, len(actions), err)
		}
	}
}

// TestBrowser_Console: sign in from the keyboard, find a result by
// 身份证号 and by name, read its deduction, evidence and chart,
// re-verify it, see a forged form refused (403), and an inspector
// refused a registration (403).
func TestBrowser_Console(t *testing.T) {
	t.Parallel()
	ctx := browser(t) // first: without a Chromium, fail or skip at once
	r := newRig(t)
	dir := screenshotDir(t)
	base := r.srv.URL

	// Sign in, typing into the form and submitting with Enter.
	run(t, ctx, "sign-in page",
		chromedp.Navigate(base+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), adminName),
		chromedp.SendKeys(chromedp.CSS(`#password`), adminPass),
		shot(dir, "01-signin"),
		chromedp.SendKeys(chromedp.CSS(`#password`), "\r"),
		chromedp.WaitVisible(chromedp.CSS(`#q-id`)),
	)

	// Search by 身份证号.
	var listed string
	run(t, ctx, "search by 身份证号",
		chromedp.SendKeys(chromedp.CSS(`#q-id`), demo.Candidates[0].IDNumber+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#results[data-query="id_number=`+demo.Candidates[0].IDNumber+`"]`)),
		into(&listed, chromedp.Text(chromedp.CSS(`#results`))),
		shot(dir, "02-search-idnumber"),
	)
	if !strings.Contains(listed, r.shallow.ID) || strings.Contains(listed, r.perfect.ID) {
		t.Errorf("search by 身份证号 listed:\n%s", listed)
	}

	// Search by name (entered as an input method enters Chinese: the
	// value at once), then submitted with the search button.
	run(t, ctx, "search by name",
		chromedp.Navigate(base+"/results"),
		chromedp.WaitVisible(chromedp.CSS(`#q-name`)),
		chromedp.SetValue(chromedp.CSS(`#q-name`), "赵丽"),
		chromedp.Click(chromedp.CSS(`#search`)),
		chromedp.WaitVisible(chromedp.CSS(`#results[data-query="name=赵丽"]`)),
		into(&listed, chromedp.Text(chromedp.CSS(`#results`))),
	)
	if !strings.Contains(listed, r.perfect.ID) || strings.Contains(listed, r.shallow.ID) {
		t.Errorf("search by name listed:\n%s", listed)
	}

	// The result page: deduction, evidence, chart.
	var deduction, evidence string
	var bands, marks int
	run(t, ctx, "result page",
		chromedp.Navigate(base+"/results?id_number="+demo.Candidates[0].IDNumber),
		chromedp.Click(chromedp.CSS(`a[href="/results/`+r.shallow.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.depth`)),
		into(&deduction, chromedp.Text(chromedp.CSS(`.deduction .dtext`))),
		into(&evidence, chromedp.Text(chromedp.CSS(`.deduction .evidence`))),
		into(&bands, chromedp.Evaluate[int](`document.querySelectorAll('svg.depth rect.band').length`)),
		into(&marks, chromedp.Evaluate[int](`document.querySelectorAll('svg.depth .in, svg.depth .out').length`)),
		shot(dir, "03-result"),
		func(ctx context.Context, tg *chromedp.Target) (chromedp.Void, error) {
			png, err := chromedp.Screenshot(chromedp.CSS(`figure.chart`))(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			if err := os.WriteFile(filepath.Join(dir, "03-result-chart.png"), png, 0o644); err != nil {
				return chromedp.Void{}, err
			}
			png, err = chromedp.Screenshot(chromedp.CSS(`.deduction`))(ctx, tg)
			if err != nil {
				return chromedp.Void{}, err
			}
			return chromedp.Void{}, os.WriteFile(filepath.Join(dir, "03-result-deduction.png"), png, 0o644)
		},
	)
	if deduction != "按压深度不足5cm，每次扣2分" {
		t.Errorf("deduction text %q", deduction)
	}
	if !strings.Contains(evidence, "cpr.compression") || !strings.Contains(evidence, `"depth_mm":45`) {
		t.Errorf("evidence:\n%s", evidence)
	}
	if bands != 1 || marks < 150 {
		t.Errorf("chart: %d bands, %d compressions drawn; want the band and every compression", bands, marks)
	}

	// Re-verify.
	var v string
	run(t, ctx, "re-verify",
		chromedp.Click(chromedp.CSS(`#reverify`)),
		chromedp.WaitVisible(chromedp.CSS(`#verdict`)),
		into(&v, chromedp.Text(chromedp.CSS(`#verdict`))),
		shotView(dir, "04-verified"),
	)
	if !strings.Contains(v, "verified") || strings.Contains(v, "NOT") {
		t.Errorf("verdict %q", v)
	}

	// A form whose token is not the session's: refused.
	var status, msg string
	run(t, ctx, "forged form",
		eval(`document.querySelector('#reverify').form.csrf.value = 'forged'`),
		chromedp.Click(chromedp.CSS(`#reverify`)),
		chromedp.WaitVisible(chromedp.CSS(`#error`)),
		into(&status, chromedp.Text(chromedp.CSS(`h1`))),
		into(&msg, chromedp.Text(chromedp.CSS(`#error`))),
		shot(dir, "05-csrf-refused"),
	)
	if status != "403" || !strings.Contains(msg, "表单已过期") {
		t.Errorf("forged form: %q %q, want 403", status, msg)
	}

	// An alarm acknowledged with a note, from the keyboard.
	if _, err := r.c.Ingest(context.Background(), demo.Station, append(append([]byte{}, r.shallow.Bundle...), ' ')); err == nil {
		t.Fatal("other bytes under a held result id were accepted")
	}
	var state string
	run(t, ctx, "acknowledge an alarm",
		chromedp.Navigate(base+"/alarms"),
		chromedp.WaitVisible(chromedp.CSS(`#alarms form.ack input[name=note]`)),
		chromedp.SetValue(chromedp.CSS(`#alarms form.ack input[name=note]`), "已核实：考位重发，保留第一份"),
		chromedp.SendKeys(chromedp.CSS(`#alarms form.ack input[name=note]`), "\r"),
		chromedp.WaitVisible(chromedp.CSS(`#alarms .pass`)),
		into(&state, chromedp.Text(chromedp.CSS(`#alarms tbody tr`))),
		shotView(dir, "09-alarm-acknowledged"),
	)
	if !strings.Contains(state, "已确认") || !strings.Contains(state, "已核实：考位重发，保留第一份") {
		t.Errorf("acknowledged alarm: %q", state)
	}

	// English by the switch.
	var heading string
	run(t, ctx, "english",
		chromedp.Navigate(base+"/results/"+r.shallow.ID),
		chromedp.Click(chromedp.CSS(`a.lang`)),
		chromedp.WaitVisible(chromedp.CSS(`html[lang="en"] svg.depth`)),
		into(&heading, chromedp.Text(chromedp.CSS(`h1`))),
		shotView(dir, "06-result-en"),
	)
	if !strings.HasPrefix(heading, "Result") {
		t.Errorf("English heading %q", heading)
	}

	// An inspector: no register form, and a post made anyway is refused.
	var forms int
	run(t, ctx, "inspector",
		chromedp.Click(chromedp.CSS(`.top form button`)),
		chromedp.WaitVisible(chromedp.CSS(`#name`)),
		chromedp.SendKeys(chromedp.CSS(`#name`), inspectorName),
		chromedp.SendKeys(chromedp.CSS(`#password`), inspectorPass+"\r"),
		chromedp.WaitVisible(chromedp.CSS(`#q-id`)),
		chromedp.Navigate(base+"/sites"),
		chromedp.WaitVisible(chromedp.CSS(`#sites`)),
		into(&forms, chromedp.Evaluate[int](`document.querySelectorAll('#addsite').length`)),
		shot(dir, "07-inspector-sites"),
		eval(`(() => {
			const f = document.createElement('form'); f.method = 'post'; f.action = '/sites';
			for (const [k, v] of [['csrf', document.querySelector('.top input[name=csrf]').value], ['id', 'TA-KD-77'], ['name', 'x'], ['kind', 'accepted']]) {
				const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
			}
			document.body.appendChild(f); f.submit(); return true })()`),
		chromedp.WaitVisible(chromedp.CSS(`#error`)),
		into(&status, chromedp.Text(chromedp.CSS(`h1`))),
		shot(dir, "08-inspector-refused"),
	)
	if forms != 0 {
		t.Error("an inspector is offered the register form")
	}
	if status != "403" {
		t.Errorf("inspector's registration: %q, want 403", status)
	}
	if _, err := r.c.SiteByID(context.Background(), "TA-KD-77"); err == nil {
		t.Error("the inspector's post registered the site")
	}
	t.Logf("screenshots in %s", dir)
}
