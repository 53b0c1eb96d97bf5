package cjkpdf_test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/cjkpdf"
)

// PDFToText returns pdftotext's text of pdf, or skips the test loudly
// when poppler-utils is not installed.
func pdfToText(t *testing.T, pdf []byte) string {
	t.Helper()
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("SKIPPED: pdftotext not found: install Debian's poppler-utils (.ci/run does) to check the PDF's text")
	}
	f := filepath.Join(t.TempDir(), "doc.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	return string(out)
}

// TestText: Chinese and Latin text, on two pages, comes back out of
// pdftotext as written.
func TestText(t *testing.T) {
	d := cjkpdf.New("成绩单 test")
	p := d.Page()
	p.Text(40, 60, 14, "考生成绩单 Score record")
	p.Color(0.8, 0, 0)
	p.Rect(40, 80, 100, 10)
	p.Line(40, 100, 200, 100, 1)
	p.Polyline([][2]float64{{40, 120}, {60, 110}, {80, 130}}, 0.5)
	d.Page().Text(40, 60, 10, "第二页：扣分 −20 证据 0:12.500 ✓合格")
	var buf bytes.Buffer
	if _, err := d.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	got := pdfToText(t, buf.Bytes())
	for _, want := range []string{"考生成绩单 Score record", "第二页：扣分 -20 证据 0:12.500 合格"} {
		if !strings.Contains(got, want) {
			t.Errorf("pdftotext lacks %q; it gives:\n%s", want, got)
		}
	}
	if n := strings.Count(got, "\f"); n != 2 {
		t.Errorf("%d pages, want 2", n)
	}
}
