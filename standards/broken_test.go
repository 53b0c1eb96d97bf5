package standards_test

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"path/filepath"
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
// like code; rewrite them with -update after a deliberate change.
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
				if err := os.WriteFile(wantPath, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(wantPath)
			if err != nil {
				t.Fatalf("%v (run go test -run TestParse_Broken -update to create it)", err)
			}
			if got != string(want) {
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

// TestParse_BrokenGenerated covers inputs too large or too repetitive to
// commit: they are built here, and refused with the same kind of message.
func TestParse_BrokenGenerated(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	nestedSteps := func(depth int) []byte {
		// A vector whose steps are repeats of repeats, depth deep, in flow
		// style so that every level is on line 1 of the file.
		var b bytes.Buffer
		b.WriteString("tests:\n  - name: deep\n    want: {score: 100}\n    events: ")
		for range depth {
			b.WriteString("[{repeat: 1, do: ")
		}
		b.WriteString("[{wait: 1s}]")
		for range depth {
			b.WriteString("}]")
		}
		b.WriteString("\n")
		return b.Bytes()
	}
	tests := []struct {
		name string
		data []byte
		want string
	}{
		{
			name: "larger than MaxDocumentSize",
			data: append(bytes.Clone(valid), "notes: |\n"+strings.Repeat("  这是一行说明文字，用来把文件撑大。\n", standards.MaxDocumentSize/40)...),
			want: "gen.yaml: file is 1363181 bytes; a standard may be at most 1048576",
		},
		{
			name: "one byte too large",
			data: append(bytes.Clone(valid), "notes: "+strings.Repeat("x", standards.MaxDocumentSize-len(valid)-len("notes: \n")+1)+"\n"...),
			want: "gen.yaml: file is 1048577 bytes; a standard may be at most 1048576",
		},
		{
			name: "steps nested too deeply",
			data: append(bytes.Clone(bytes.Split(valid, []byte("tests:\n"))[0]), nestedSteps(20)...),
			want: "gen.yaml:37: tests[0].events[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do[0].do: nested too deeply",
		},
		{
			name: "flow lists nested beyond the YAML parser's limit",
			data: []byte("id: T\nnotes: " + strings.Repeat("[", 20000) + strings.Repeat("]", 20000) + "\n"),
			want: "gen.yaml:2: not valid YAML: exceeded max depth of 10000",
		},
		{
			name: "a billion laughs in vector data",
			data: append(bytes.Clone(bytes.Split(valid, []byte("tests:\n"))[0]), laughs()...),
			want: "",
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

// laughs is a vector whose data expands exponentially through aliases.
func laughs() []byte {
	var b bytes.Buffer
	b.WriteString("tests:\n  - name: lol\n    want: {score: 100}\n    events:\n      - type: timer\n        data:\n          name: &a0 lol\n          ms: 1\n")
	return b.Bytes()
}
