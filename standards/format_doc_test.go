package standards_test

import (
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	"shicao/standards"
)

// TestStandardFormat_Defaults: every field of the standard and blueprint
// formats (every yaml key of standards.Standard and standards.Blueprint,
// down to vector steps and wants) is named in docs/standard-format.md's
// "Defaults" section, as required or with what leaving it out means, so a
// field added to the format cannot go without its default. A field counts
// as named when its path, or a tail of it (`marks[].max`, `max`), is
// written in backticks in the section's prose or in the first column of
// its table (the second column explains, and does not count).
func TestStandardFormat_Defaults(t *testing.T) {
	b, err := os.ReadFile("../docs/standard-format.md")
	if err != nil {
		t.Fatal(err)
	}
	const heading = "### Defaults: what a field left out means\n"
	_, sec, ok := strings.Cut(string(b), "\n"+heading)
	if !ok {
		t.Fatalf("docs/standard-format.md: no section %q", strings.TrimSpace(heading))
	}
	sec, _, _ = strings.Cut(sec, "\n### ")
	named := map[string]bool{}
	for _, l := range strings.Split(sec, "\n") {
		if strings.HasPrefix(l, "|") {
			cells := strings.Split(strings.Trim(l, "|"), "|")
			l = cells[0] // what is left out; the other column says what it means
		}
		for i, part := range strings.Split(l, "`") {
			if i%2 == 1 {
				named[part] = true
			}
		}
	}
	var paths []string
	seen := map[reflect.Type]bool{}
	for _, typ := range []reflect.Type{reflect.TypeFor[standards.Standard](), reflect.TypeFor[standards.Blueprint]()} {
		paths = append(paths, yamlPaths(typ, "", seen)...)
	}
	if len(paths) < 60 {
		t.Fatalf("%d fields found in the formats: the walk over the types is wrong", len(paths))
	}
	for _, p := range paths {
		if !documented(p, named) {
			t.Errorf("docs/standard-format.md, Defaults: %s is neither among the required fields nor in the table (say what leaving it out means)", p)
		}
	}
}

// documented reports whether path (items[].marks[].max) or a tail of it
// (marks[].max, max) is named.
func documented(path string, named map[string]bool) bool {
	segs := strings.Split(path, ".")
	for i := range segs {
		if named[strings.Join(segs[i:], ".")] {
			return true
		}
	}
	return false
}

// yamlPaths returns the yaml paths of a struct's fields, going into the
// struct types of this package it holds (directly, through a pointer, a
// slice or a map's values); a list adds [] to its field's name. Each
// struct type is walked once (a vector step holds steps).
func yamlPaths(typ reflect.Type, prefix string, seen map[reflect.Type]bool) []string {
	if seen[typ] {
		return nil
	}
	seen[typ] = true
	var out []string
	for f := range typ.Fields() {
		tag := f.Tag.Get("yaml")
		name, _, _ := strings.Cut(tag, ",")
		if tag == "" || name == "-" || name == "" {
			continue // untagged, internal, or inline positions
		}
		path := prefix + name
		out = append(out, path)
		ft, list := f.Type, false
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice || ft.Kind() == reflect.Map {
			if ft.Kind() == reflect.Slice {
				list = true
			}
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || ft.PkgPath() != typ.PkgPath() || !hasYAMLFields(ft) {
			continue
		}
		if list {
			path += "[]"
		}
		out = append(out, yamlPaths(ft, path+".", seen)...)
	}
	return slices.Compact(out)
}

func hasYAMLFields(typ reflect.Type) bool {
	for f := range typ.Fields() {
		if name, _, _ := strings.Cut(f.Tag.Get("yaml"), ","); name != "" && name != "-" {
			return true
		}
	}
	return false
}

// TestStandardFormat_DefaultValues: the defaults the table states are the
// ones the parser gives a standard that leaves them out (minimal.yaml
// gives no pass, examiners, tolerance, expires, reference or outages).
func TestStandardFormat_DefaultValues(t *testing.T) {
	s, err := standards.Parse("minimal.yaml", readValid(t, "minimal.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if got := s.PassMark().String(); got != "80" {
		t.Errorf("pass left out: %s, want 80", got)
	}
	if s.Examiners != 2 {
		t.Errorf("examiners left out: %d, want 2", s.Examiners)
	}
	if s.Tolerance != 0 {
		t.Errorf("tolerance left out: %s, want 0", s.Tolerance)
	}
	if !s.Expires.IsZero() || len(s.Reference) != 0 || s.Items[1].Rules[0].Outages != "" {
		t.Errorf("expires %s, reference %v, outages %q: want none left out", s.Expires, s.Reference, s.Items[1].Rules[0].Outages)
	}
}
