package standards_test

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/standards"
	"shicao/standards/library"
)

// validFixtures returns every standard and blueprint that must be accepted:
// the embedded library and testdata/valid.
func validFixtures(t testing.TB) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		out[name] = b
	}
	files, err := filepath.Glob("testdata/valid/*.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out[filepath.Base(f)] = b
	}
	if len(out) < 3 {
		t.Fatalf("found %d valid fixtures; want the library and testdata/valid", len(out))
	}
	return out
}

// TestParseAny_Valid: every published sample is accepted, identified by
// the hash of its exact bytes, and is a 100-point sheet.
func TestParseAny_Valid(t *testing.T) {
	for name, data := range validFixtures(t) {
		t.Run(name, func(t *testing.T) {
			c, err := standards.ParseAny(name, data)
			if err != nil {
				t.Fatal(err)
			}
			sum := sha256.Sum256(data)
			if c.SHA256 != hex.EncodeToString(sum[:]) {
				t.Errorf("SHA256 %s, want the hash of the exact bytes", c.SHA256)
			}
			if c.ID == "" || c.Version < 1 {
				t.Errorf("id %q version %d", c.ID, c.Version)
			}
			if s := c.Standard; s != nil {
				var total standards.Points
				for _, it := range s.Items {
					total += it.Points
				}
				if total != standards.PointsOf(100) {
					t.Errorf("items add up to %s", total)
				}
				// The library is the test suite's backbone: a sample with no
				// vectors would be checked by nothing at install.
				if len(s.Tests) == 0 {
					t.Error("a standard in the library carries no self-test vectors")
				}
			}
		})
	}
}

// problemsOf parses data as a standard, or a blueprint when bp, and returns
// the problems as one text (empty when accepted).
func problemsOf(t *testing.T, bp bool, data []byte) string {
	t.Helper()
	var err error
	if bp {
		_, err = standards.ParseBlueprint("p.yaml", data)
	} else {
		_, err = standards.Parse("p.yaml", data)
	}
	if err == nil {
		return ""
	}
	return err.Error()
}

func withTests(t *testing.T, tail string) []byte {
	t.Helper()
	valid, err := os.ReadFile("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	head, _, ok := strings.Cut(string(valid), "tests:\n")
	if !ok {
		t.Fatal("testdata/valid/minimal.yaml has no tests")
	}
	return []byte(head + tail)
}

// TestParse_Deterministic: a linter run twice on one file must print the
// same problems in the same order, and a station must log the same refusal.
// Problems found while walking a YAML mapping decoded into a Go map (vector
// data, want.items, want.deductions, blueprint scores) come out in Go's
// random map order today.
func TestParse_Deterministic(t *testing.T) {
	bp, err := os.ReadFile("testdata/valid/blueprint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		bp   bool
		data []byte
	}{
		{"vector data with three unknown fields", false, withTests(t,
			"tests:\n  - name: a\n    want: {score: 100}\n    events:\n      - {type: cpr.compression, data: {depth_mm: 55, position: ok, recoil: true, a: 1, b: 2, c: 3}}\n")},
		{"want.items with three unknown items", false, withTests(t,
			"tests:\n  - name: a\n    want: {items: {x: 1, y: 2, z: 3}}\n    events: [{wait: 1s}]\n")},
		{"want.deductions with three unknown ids", false, withTests(t,
			"tests:\n  - name: a\n    want: {deductions: {x: 1, y: 2, z: 3}}\n    events: [{wait: 1s}]\n")},
		{"blueprint scores for three unknown subjects", true, []byte(strings.Replace(string(bp),
			"scores: {K1: 100, K2: 80, K3: 90, K4: 88}", "scores: {K5: 100, K6: 80, K7: 90, K8: 88}", 1))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			first := problemsOf(t, tt.bp, tt.data)
			if first == "" {
				t.Fatal("accepted; want refused")
			}
			for range 50 {
				if got := problemsOf(t, tt.bp, tt.data); got != first {
					t.Fatalf("BUG: the same file gave problems in another order\nfirst:\n%s\nthen:\n%s", first, got)
				}
			}
		})
	}
}

// TestParse_StrictInFreeForm: the format refuses YAML features an author
// cannot see the effect of (aliases, tags, a key given twice) so that the
// signed text means one thing. Vector data and want maps are decoded as Go
// maps or free-form values and must be held to the same rules.
func TestParse_StrictInFreeForm(t *testing.T) {
	bp, err := os.ReadFile("testdata/valid/blueprint.yaml")
	if err != nil {
		t.Fatal(err)
	}
	step := func(s string) []byte {
		return withTests(t, "tests:\n  - name: a\n    want: {score: 100}\n    events:\n      - "+s+"\n")
	}
	tests := []struct {
		name string
		bp   bool
		data []byte
		want string // a phrase the refusal must contain
	}{
		{"alias inside a data list", false, step("{type: ppe.taken, data: {items: [&g gloves, *g]}}"), "alias"},
		{"!!binary tag inside a data list", false, step("{type: ppe.taken, data: {items: [!!binary Z2xvdmVz]}}"), "tag"},
		{"data field given twice", false, step("{type: cpr.compression, data: {depth_mm: 40, depth_mm: 60, position: ok, recoil: true}}"), "twice"},
		{"want.items key given twice", false, withTests(t,
			"tests:\n  - name: a\n    want: {items: {assess: 40, assess: 0}}\n    events: [{wait: 1s}]\n"), "twice"},
		{"blueprint score given twice", true, []byte(strings.Replace(string(bp),
			"K4: 88}", "K4: 88, K4: 0}", 1)), "twice"},
		{"version with a leading zero (YAML reads 010 as octal 8)", false, []byte(strings.Replace(string(withTests(t, "")),
			"version: 1\n", "version: 010\n", 1)), "version"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := problemsOf(t, tt.bp, tt.data)
			if got == "" {
				t.Fatalf("BUG: accepted; want refused with a problem mentioning %q", tt.want)
			}
			if !strings.Contains(got, tt.want) {
				t.Errorf("refused with\n%s\nwant a problem mentioning %q", got, tt.want)
			}
		})
	}
}

// TestParse_VectorBudget: a vector may expand to at most a million events,
// or a station's self-test would run out of time and memory. The budget is
// counted through nested repeats; 8192^5 = 2^65 events must be refused like
// 8192^4, not wrap around to zero.
func TestParse_VectorBudget(t *testing.T) {
	nested := func(levels int) []byte {
		events := "[{type: timer, data: {name: x, ms: 1}}]"
		for range levels {
			events = "[{repeat: 8192, do: " + events + "}]"
		}
		return withTests(t, "tests:\n  - name: big\n    want: {score: 100}\n    events: "+events+"\n")
	}
	for _, levels := range []int{2, 4, 5, 6} {
		t.Run(strings.Repeat("repeat-", levels), func(t *testing.T) {
			_, err := standards.Parse("p.yaml", nested(levels))
			if err == nil {
				t.Fatalf("BUG: a vector of 8192^%d events was accepted; Expand would never finish", levels)
			}
			if !strings.Contains(err.Error(), "tests[0].events: expands to more than 1000000 events") {
				t.Errorf("refused with %v; want the event budget named", err)
			}
		})
	}
}

// TestParse_LineSeparator: YAML counts U+2028 and U+2029 as line breaks,
// editors and checkText do not; after one, every problem would name the
// wrong line. Refusing the characters (like the C1 controls) or counting
// them the same way both keep the lines right.
func TestParse_LineSeparator(t *testing.T) {
	valid, err := os.ReadFile("testdata/valid/minimal.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, sep := range []string{"\u2028", "\u2029"} {
		t.Run(fmt.Sprintf("U+%04X", []rune(sep)[0]), func(t *testing.T) {
			// title is on line 6; colour, unknown, on line 7.
			data := strings.Replace(string(valid), "title: 测试项目\n", "title: \"测试"+sep+"项目\"\ncolour: red\n", 1)
			_, err := standards.Parse("p.yaml", []byte(data))
			if err == nil {
				t.Fatal("accepted an unknown field")
			}
			var ps standards.Problems
			if !errors.As(err, &ps) || len(ps) != 1 {
				t.Fatalf("got %v; want one problem", err)
			}
			if line := ps[0].Line; line != 6 && line != 7 {
				t.Errorf("BUG: problem %q is on line %d; the separator is on line 6 and the unknown field on line 7", ps[0], line)
			}
		})
	}
}

// TestParse_MessageLength: a problem is one line an author reads; a value
// quoted in it is clipped, as kindName clips text. A vector data value of a
// hundred thousand numbers must not be printed whole.
func TestParse_MessageLength(t *testing.T) {
	big := "[" + strings.TrimSuffix(strings.Repeat("1, ", 100000), ", ") + "]"
	data := withTests(t, "tests:\n  - name: a\n    want: {score: 100}\n    events:\n      - {type: cpr.compression, data: {depth_mm: "+big+", position: ok, recoil: true}}\n")
	_, err := standards.Parse("p.yaml", data)
	var ps standards.Problems
	if !errors.As(err, &ps) || len(ps) == 0 {
		t.Fatalf("got %v; want a problem with depth_mm", err)
	}
	for _, p := range ps {
		if !strings.Contains(p.Field, "depth_mm") {
			t.Errorf("problem %.200q does not name depth_mm", p)
		}
		if len(p.Msg) > 200 {
			t.Errorf("BUG: message is %d bytes long: %.120s…", len(p.Msg), p.Msg)
		}
	}
}
