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

// TestVocabulary_SourcesAndWhenDocumented: every system event type of
// vocabulary.yaml is listed in docs/events.md's "Sources" table on the row
// of the source its own row names (so a type added later, such as
// readiness.check or identity.card, is not missing from who writes it),
// and is named in "What counts, and when", which says whether it still
// counts after the hard stop and after session.end.
func TestVocabulary_SourcesAndWhenDocumented(t *testing.T) {
	b, err := os.ReadFile("../docs/events.md")
	if err != nil {
		t.Fatal(err)
	}
	md := string(b)
	typeRows := tableRows(t, md, "## Event types") // type -> cells
	sources := tableRows(t, md, "## Sources")      // source -> cells
	// The `names` of a cell or a text: every other piece between backticks.
	named := func(text string) []string {
		var names []string
		for i, part := range strings.Split(text, "`") {
			if i%2 == 1 {
				names = append(names, part)
			}
		}
		return names
	}
	_, whenSec, _ := strings.Cut(md, "\n## What counts, and when\n")
	whenSec, _, _ = strings.Cut(whenSec, "\n## ")
	inWhen := map[string]bool{}
	for _, n := range named(whenSec) {
		inWhen[n] = true
	}
	v := standards.DefaultVocabulary()
	var system []string
	for name, et := range v.Types {
		if et.Device == "" {
			system = append(system, name)
		}
	}
	slices.Sort(system)
	if len(system) < 10 {
		t.Fatalf("%d system event types in the vocabulary: the test reads the wrong vocabulary", len(system))
	}
	for _, name := range system {
		row, ok := typeRows[name]
		if !ok || len(row) < 3 {
			t.Errorf("docs/events.md: no row with a source for system event type %s", name)
			continue
		}
		src := named(row[2])
		if len(src) != 1 {
			t.Errorf("docs/events.md: %s's row names the source %q: want one `source`", name, row[2])
			continue
		}
		srow, ok := sources[src[0]]
		if !ok {
			t.Errorf("docs/events.md: %s's source %s has no row in the Sources table", name, src[0])
		} else if !slices.Contains(named(srow[1]), name) {
			t.Errorf("docs/events.md: the Sources table's row for %s does not list %s", src[0], name)
		}
		if !inWhen[name] {
			t.Errorf("docs/events.md: %s is not named in \"What counts, and when\"", name)
		}
	}
}

// tableRows returns the rows of the first markdown table under heading
// (up to the next "## " heading), keyed by the first backticked name of
// the row's first cell; cells[0] is that first cell.
func tableRows(t *testing.T, md, heading string) map[string][]string {
	t.Helper()
	_, sec, ok := strings.Cut(md, "\n"+heading+"\n")
	if !ok {
		t.Fatalf("docs/events.md: no section %q", heading)
	}
	sec, _, _ = strings.Cut(sec, "\n## ")
	rows := map[string][]string{}
	for _, l := range strings.Split(sec, "\n") {
		if !strings.HasPrefix(l, "| ") {
			continue
		}
		cells := strings.Split(strings.Trim(l, "|"), " | ")
		for i := range cells {
			cells[i] = strings.TrimSpace(cells[i])
		}
		_, rest, ok := strings.Cut(cells[0], "`")
		if !ok {
			continue
		}
		key, _, _ := strings.Cut(rest, "`")
		if _, dup := rows[key]; !dup {
			rows[key] = cells
		}
	}
	return rows
}
