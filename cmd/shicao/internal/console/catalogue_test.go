package console

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

// TestCatalogue_Complete: every text a template asks for is in the
// catalogue in both languages (a missing key would show as itself), and
// so are the keys built at run time (roles, attempts, page titles).
func TestCatalogue_Complete(t *testing.T) {
	t.Parallel()
	use := regexp.MustCompile(`\.T "([a-z0-9.]+)"`)
	names, err := fs.Glob(templateFS, "templates/*.html")
	if err != nil {
		t.Fatal(err)
	}
	parts, _ := fs.Glob(templateFS, "templates/parts/*.html")
	names = append(names, parts...)
	keys := []string{"role.admin", "role.staff", "role.inspector", "attempt.1", "attempt.2"}
	for _, n := range names {
		b, _ := fs.ReadFile(templateFS, n)
		for _, m := range use.FindAllStringSubmatch(string(b), -1) {
			keys = append(keys, m[1])
		}
		if base := strings.TrimSuffix(strings.TrimPrefix(n, "templates/"), ".html"); base != "layout" && !strings.HasPrefix(base, "parts/") {
			keys = append(keys, base+".title")
		}
	}
	if len(keys) < 50 {
		t.Fatalf("found %d keys in the templates: the pattern no longer matches them", len(keys))
	}
	for _, k := range keys {
		tr, ok := catalogue[k]
		if !ok || tr[0] == "" || tr[1] == "" {
			t.Errorf("catalogue lacks %q in both languages", k)
		}
	}
}
