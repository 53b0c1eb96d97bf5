package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"shicao/standards"
)

// goDuration is how time.Duration prints ("1h0m0s", "5m0s"): a published
// sheet says 60分钟.
var goDuration = regexp.MustCompile(`\b\d+[hm]\d+[ms]`)

// TestStandardShow_Library: `shicao standard show` of every library file
// reads as the published sheet: the heading in Chinese with the time in
// minutes, every item's title and points and every deduction's text, every
// veto; a paper's pools by code and title, each subject's weight.
func TestStandardShow_Library(t *testing.T) {
	t.Parallel()
	paths, err := filepath.Glob("../../standards/library/*.yaml")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no library files: %v", err)
	}
	for _, p := range paths {
		var out, errb bytes.Buffer
		if code := run(context.Background(), []string{"standard", "show", p}, strings.NewReader(""), &out, &errb); code != exitOK {
			t.Errorf("%s: exit %d: %s", p, code, errb.String())
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		doc, err := standards.ParseAny(p, b)
		if err != nil {
			t.Fatal(err)
		}
		checkShown(t, filepath.Base(p), out.String(), doc)
	}
}

func checkShown(t *testing.T, name, got string, doc *standards.Candidate) {
	t.Helper()
	want := []string{"考试时间 "}
	if s := doc.Standard; s != nil {
		want = append(want, s.ID+" "+s.Title, s.Category+"  "+s.Subject, "配分", "扣分标准")
		for _, it := range s.Items {
			want = append(want, it.Title)
			for _, m := range it.Marks {
				want = append(want, "[考评] "+m.Text)
			}
			for _, r := range it.Rules {
				want = append(want, "] "+r.Text)
			}
		}
		for _, v := range s.Veto {
			want = append(want, v.ID+"  "+v.Text)
		}
	} else {
		bp := doc.Blueprint
		want = append(want, bp.ID+" "+bp.Title, "合格", "否决项")
		for _, s := range bp.Subjects {
			want = append(want, s.ID+"    "+s.Title)
			for _, id := range s.Pool {
				want = append(want, "（"+id+"）") // a titled pool entry: the title, then the id
			}
		}
	}
	for _, w := range want {
		if !strings.Contains(got, w) {
			t.Errorf("%s: the sheet lacks %q:\n%s", name, w, got)
		}
	}
	for _, bad := range []string{"version", "effective", "devices", "total time", "rounding", "/  "} {
		if strings.Contains(got, bad) {
			t.Errorf("%s: the sheet says %q, not as a published sheet would:\n%s", name, bad, got)
		}
	}
	if d := goDuration.FindString(got); d != "" {
		t.Errorf("%s: a Go duration %q on the sheet:\n%s", name, d, got)
	}
}
