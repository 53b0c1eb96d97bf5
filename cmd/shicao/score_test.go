package main

import (
	"strings"
	"testing"

	"shicao/scoring"
)

// TestPrintSheet_Outages: the readable sheet names every outage with the
// times its device was lost and back, and says when one never came back;
// a sheet without outages says nothing of them.
func TestPrintSheet_Outages(t *testing.T) {
	t.Parallel()
	sheet := &scoring.Sheet{ID: "SD-DG-K42", SHA256: strings.Repeat("0", 64), Score: 100, Passed: true, ElapsedMs: 120000, LimitMs: 300000,
		Outages: []scoring.Outage{
			{Device: "cpr", LostSeq: 18, LostMs: 15175, BackSeq: 19, BackMs: 18175, DurationMs: 3000},
			{Device: "cpr", LostSeq: 90, LostMs: 100000, DurationMs: 20000},
		}}
	var b strings.Builder
	if err := printSheet(&b, sheet); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"设备断开 cpr: 0:15.1 断开 #18, 0:18.1 恢复 #19, 3.0 秒\n",
		"设备断开 cpr: 1:40.0 断开 #90, 未恢复, 20.0 秒\n",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("sheet lacks %q:\n%s", want, b.String())
		}
	}
	b.Reset()
	sheet.Outages = nil
	if err := printSheet(&b, sheet); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(b.String(), "设备断开") {
		t.Errorf("a sheet without outages mentions them:\n%s", b.String())
	}
}
