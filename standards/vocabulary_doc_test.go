package standards_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"shicao/standards"
)

// TestVocabulary_Documented: every event type of vocabulary.yaml has its
// row in docs/events.md, naming every one of its fields with its type,
// so that the page an author or an auditor reads is the vocabulary the
// engine uses; and the page documents no type the vocabulary lacks.
func TestVocabulary_Documented(t *testing.T) {
	b, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	_, sec, ok := strings.Cut(string(b), "\n## Event types\n")
	if !ok {
		t.Fatal(`docs/events.md: no section "## Event types"`)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	rows := map[string]string{} // type -> its table row
	for _, l := range strings.Split(sec, "\n") {
		rest, ok := strings.CutPrefix(l, "| `")
		if !ok {
			continue
		}
		if typ, _, ok := strings.Cut(rest, "` |"); ok {
			rows[typ] = l
		}
	}
	v := standards.DefaultVocabulary()
	names := make([]string, 0, len(v.Types))
	for name := range v.Types {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		row, ok := rows[name]
		if !ok {
			t.Errorf("docs/events.md has no row for event type %s", name)
			continue
		}
		for _, f := range v.Types[name].Fields {
			if want := "`" + f.Name + "` " + string(f.Type); !strings.Contains(row, want) {
				t.Errorf("docs/events.md: %s's row does not say %s", name, want)
			}
		}
	}
	for typ := range rows {
		if _, ok := v.Types[typ]; !ok {
			t.Errorf("docs/events.md documents %s, which is not in vocabulary.yaml", typ)
		}
	}
}
