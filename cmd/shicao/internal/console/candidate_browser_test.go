package console_test

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/demo"
)

// TestBrowser_Candidate: in a real browser, a candidate types their ID
// number and pastes their slip code, reads their total, deduction and
// depth chart, and the appeal line; a mistyped code shows the refusal.
func TestBrowser_Candidate(t *testing.T) {
	t.Parallel()
	ctx := browser(t) // first: without a Chromium, fail or skip at once
	r := newCandRig(t)
	srv := httptest.NewServer(r.h)
	t.Cleanup(srv.Close)
	dir := screenshotDir(t)
	id := demo.Candidates[0].IDNumber

	var masked, total, deduction, appeal string
	var marks int
	run(t, ctx, "candidate record",
		chromedp.Navigate(srv.URL+"/candidate"),
		chromedp.WaitVisible(chromedp.CSS(`#idnumber`)),
		chromedp.SendKeys(chromedp.CSS(`#idnumber`), id),
		chromedp.SetValue(chromedp.CSS(`#code`), r.code),
		shot(dir, "candidate-1-form"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`svg.depth`)),
		into(&masked, chromedp.Text(chromedp.CSS(`#masked`))),
		into(&total, chromedp.Text(chromedp.CSS(`#total`))),
		into(&deduction, chromedp.Text(chromedp.CSS(`.deduction .dtext`))),
		into(&appeal, chromedp.Text(chromedp.CSS(`#appeal-state`))),
		into(&marks, chromedp.Evaluate[int](`document.querySelectorAll('svg.depth .in, svg.depth .out').length`)),
		shot(dir, "candidate-2-record"),
	)
	if masked != centre.MaskIDNumber(id) {
		t.Errorf("masked ID %q", masked)
	}
	doc, _ := docOf(t, r.shallow.Bundle)
	if !strings.Contains(total, "总分 "+doc.Paper.Total.String()) || !strings.Contains(deduction, "按压深度不足5cm") || appeal != "无申诉。" || marks == 0 {
		t.Errorf("record: total %q, deduction %q, appeal %q, %d chart marks", total, deduction, appeal, marks)
	}

	var msg string
	run(t, ctx, "a mistyped code",
		chromedp.Navigate(srv.URL+"/candidate"),
		chromedp.WaitVisible(chromedp.CSS(`#idnumber`)),
		chromedp.SendKeys(chromedp.CSS(`#idnumber`), id),
		chromedp.SetValue(chromedp.CSS(`#code`), r.code[:len(r.code)-2]+"xx"),
		chromedp.Click(chromedp.CSS(`#submit`)),
		chromedp.WaitVisible(chromedp.CSS(`#message`)),
		into(&msg, chromedp.Text(chromedp.CSS(`#message`))),
		shot(dir, "candidate-3-refused"),
	)
	if !strings.Contains(msg, "身份证号与核验码不匹配") {
		t.Errorf("refusal: %q", msg)
	}
}
