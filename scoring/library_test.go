package scoring_test

import (
	"testing"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

// TestLibrary: every sample standard and blueprint parses clean and passes
// every one of its own vectors, and every blueprint pool names a library
// standard.
func TestLibrary(t *testing.T) {
	ids := map[string]bool{}
	var blueprints []*standards.Blueprint
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := standards.ParseAny(name, b)
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		if ids[c.ID] {
			t.Errorf("%s: id %s used by two library files", name, c.ID)
		}
		ids[c.ID] = true
		var results []scoring.VectorResult
		if c.Standard != nil {
			if len(c.Standard.Tests) == 0 {
				t.Errorf("%s: no self-test vectors", name)
			}
			results = scoring.RunVectors(c.Standard)
		} else {
			blueprints = append(blueprints, c.Blueprint)
			results = scoring.RunPaperVectors(c.Blueprint)
		}
		for _, r := range results {
			if !r.OK() {
				t.Errorf("%s: %s", name, r)
			}
		}
	}
	for _, bp := range blueprints {
		for _, s := range bp.Subjects {
			for _, id := range s.Pool {
				if !ids[id] {
					t.Errorf("%s: subject %s draws %s, which is not in the library", bp.File, s.ID, id)
				}
			}
		}
	}
}
