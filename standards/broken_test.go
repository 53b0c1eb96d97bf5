package standards_test

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"shicao/standards"
)

var update = flag.Bool("update", false, "rewrite the golden .want files under testdata/broken")

// parseFixture parses one fixture the way a station would: files named bp-*
// are paper blueprints, every other file is an item standard.
func parseFixture(name string, data []byte) error {
	if strings.HasPrefix(name, "bp-") {
		_, err := standards.ParseBlueprint(name, data)
		return err
	}
	_, err := standards.Parse(name, data)
	return err
}

// TestParse_Broken is the corpus of broken standards and blueprints under
// testdata/broken: every file must be refused with exactly the problems in
// its golden .want file, one "file:line: field: message" per line. The
// messages are what a standard's author reads, so a golden file is reviewed
// like code; rewrite them with -update after a deliberate change. A line
// written "~ REGEXP" is a message that is wrong today (wrong line, no line,
// Go internals): it states what the message must say, fails until it does,
// and -update leaves it alone.
func TestParse_Broken(t *testing.T) {
	files, err := filepath.Glob("testdata/broken/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// The corpus is the point of the test: an emptied or misplaced directory
	// must not pass quietly.
	if len(files) < 70 {
		t.Fatalf("found %d broken fixtures; the corpus has at least 70", len(files))
	}
	for _, path := range files {
		name := filepath.Base(path)
		t.Run(strings.TrimSuffix(name, ".yaml"), func(t *testing.T) {
			data, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			err = parseFixture(name, data)
			if err == nil {
				t.Fatalf("%s was accepted; want it refused", name)
			}
			var ps standards.Problems
			if !errors.As(err, &ps) {
				t.Fatalf("error is %T, want standards.Problems: %v", err, err)
			}
			for _, p := range ps {
				if p.File != name {
					t.Errorf("problem %q names file %q, want %q", p, p.File, name)
				}
			}
			got := err.Error() + "\n"

			wantPath := strings.TrimSuffix(path, ".yaml") + ".want"
			if *update {
				// A golden with "~ " lines states what a message must say
				// because today's message is wrong: keep it, and never
				// record a message that does not meet it.
				if old, err := os.ReadFile(wantPath); err == nil && strings.Contains("\n"+string(old), "\n~ ") {
					if !matchGolden(got, string(old)) {
						t.Errorf("not updating %s: the problems still do not meet it\ngot:\n%s", wantPath, got)
					}
					return
				}
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test -run TestParse_Broken -update to create it)", err)
			}
			if !matchGolden(got, string(want)) {
				t.Errorf("problems differ from %s\ngot:\n%swant:\n%s", wantPath, got, want)
			}

			// ParseAny is how a station reads a signed file it has not
			// classified: it must refuse with the same words.
			isBP := strings.HasPrefix(name, "bp-")
			if standards.IsBlueprint(data) == isBP {
				_, err := standards.ParseAny(name, data)
				if err == nil || err.Error()+"\n" != got {
					t.Errorf("ParseAny refused with\n%v\nwant the same problems as Parse", err)
				}
			}
		})
	}
}

// matchGolden reports whether got has the lines of want, each equal or, for
// a want line written "~ REGEXP", matching the whole line. A regexp states
// what a message must say where the exact words are not settled yet (the
// message is wrong today and a fix may word it differently).
func matchGolden(got, want string) bool {
	g := strings.Split(strings.TrimSuffix(got, "\n"), "\n")
	w := strings.Split(strings.TrimSuffix(want, "\n"), "\n")
	if len(g) != len(w) {
		return false
	}
	for i := range w {
		if re, ok := strings.CutPrefix(w[i], "~ "); ok {
			if !regexp.MustCompile("^(?:" + re + ")$").MatchString(g[i]) {
				return false
			}
		} else if g[i] != w[i] {
			return false
		}
	}
	return true
}

// TestParse_BrokenGenerated covers inputs too large or too repetitive to
// commit: they are built here and refused like the corpus, with the exact
// problems.
func TestParse_BrokenGenerated(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	// withTests returns the valid standard with its tests replaced by tail;
	// the standard's own lines end at line 29, so tail starts on line 30.
	withTests := func(tail string) []byte {
		head, _, ok := bytes.Cut(valid, []byte("tests:\n"))
		if !ok {
			t.Fatal("testdata/valid/minimal.yaml has no tests")
		}
		return append(bytes.Clone(head), tail...)
	}
	// nestedSteps is a vector whose only step is a repeat of a repeat...
	// depth deep, in flow style so that every level is on one line.
	nestedSteps := func(depth int) []byte {
		events := "[{wait: 1s}]"
		for range depth {
			events = "[{repeat: 1, do: " + events + "}]"
		}
		return withTests("tests:\n  - name: deep\n    want: {score: 100}\n    events: " + events + "\n")
	}
	// laughs is a billion laughs: nine levels of ten aliases each, hidden in
	// the free-form data of a vector step.
	laughs := func() []byte {
		list := "[&a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]"
		for i := 1; i < 9; i++ {
			prev := fmt.Sprintf("*a%d", i-1)
			list += fmt.Sprintf(", &a%d [%s]", i, strings.TrimSuffix(strings.Repeat(prev+", ", 10), ", "))
		}
		list += "]"
		return withTests("tests:\n  - name: lol\n    want: {score: 100}\n    events:\n      - {type: ppe.taken, data: {items: " + list + "}}\n")
	}
	huge := append(bytes.Clone(valid), "notes: |\n"+strings.Repeat("  这是一行说明文字，用来把文件撑大。\n", standards.MaxDocumentSize/40)...)
	justOver := append(bytes.Clone(valid), "notes: "+strings.Repeat("x", standards.MaxDocumentSize-len(valid)-len("notes: \n")+1)+"\n"...)
	deepPath := "tests[0].events[0]" + strings.Repeat(".do[0]", 14)

	tests := []struct {
		name string
		data []byte
		want string
	}{
		{
			name: "over a mebibyte",
			data: huge,
			want: fmt.Sprintf("gen.yaml: file is %d bytes; a standard may be at most 1048576", len(huge)),
		},
		{
			name: "one byte over the limit",
			data: justOver,
			want: "gen.yaml: file is 1048577 bytes; a standard may be at most 1048576",
		},
		{
			name: "steps nested too deeply",
			data: nestedSteps(20),
			want: "gen.yaml:32: " + deepPath + ".repeat: nested too deeply\n" +
				"gen.yaml:32: " + deepPath + ".do: nested too deeply",
		},
		{
			name: "lists nested beyond the YAML parser's limit",
			data: []byte("id: T\nnotes: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"),
			want: "gen.yaml:2: not valid YAML: exceeded max depth of 10000",
		},
		{
			name: "billion laughs in vector data",
			data: laughs(),
			want: "gen.yaml:33: tests[0].events[0].data.items[0]: YAML anchors and aliases are not allowed: write the value out",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := standards.Parse("gen.yaml", tt.data)
			if err == nil {
				t.Fatal("accepted; want refused")
			}
			if got := err.Error(); got != tt.want {
				t.Errorf("got\n%s\nwant\n%s", got, tt.want)
			}
		})
	}
}
