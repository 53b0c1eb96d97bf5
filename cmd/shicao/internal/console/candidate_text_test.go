package console

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestCandidateText_Complete: every text the candidate templates and the
// PDF ask for is in a catalogue in both languages, appeal states
// included.
func TestCandidateText_Complete(t *testing.T) {
	t.Parallel()
	use := regexp.MustCompile(`(?:\.T|T\(|candidateText\(w\.lang,) "([a-z0-9.]+)"`)
	names, err := fs.Glob(candidateFS, "templates/candidate/*.html")
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, st := range []string{"filed", "assigned", "upheld", "rescored", "reexam"} {
		keys = append(keys, "appeal."+st, "appeal.now."+st)
	}
	parts, _ := fs.Glob(templateFS, "templates/parts/*.html")
	for _, n := range append(names, parts...) {
		b, _ := fs.ReadFile(candidateFS, n)
		if strings.HasPrefix(n, "templates/parts/") {
			b, _ = fs.ReadFile(templateFS, n)
		}
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
	}
	if len(keys) < 40 {
		t.Fatalf("found %d keys: the pattern no longer matches the templates", len(keys))
	}
	for _, k := range keys {
		zh, en := candidateText("zh", k), candidateText("en", k)
		if zh == k || en == k || zh == "" || en == "" {
			t.Errorf("no text for %q in both languages (zh %q, en %q)", k, zh, en)
		}
	}
}
