package scoring_test

import (
	"strings"
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

// TestLibrary_EveryRuleMarkAndVetoHasAVector: each rule, examiner mark and
// veto of every library sheet, and its overtime deduction, is exercised by
// at least one of the sheet's own vectors (the scored sheet shows it) and
// asserted by one (the vector's want names it), so a rule whose condition
// can never fire, or fires only unchecked, fails here.
func TestLibrary_EveryRuleMarkAndVetoHasAVector(t *testing.T) {
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := standards.ParseAny(name, b)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if c.Standard == nil {
			continue
		}
		fired, asserted := exercised(c.Standard, scoring.RunVectors(c.Standard))
		for _, id := range scoredIDs(c.Standard) {
			if !fired[id] {
				t.Errorf("%s: %s: no vector makes it fire", name, id)
			} else if !asserted[id] {
				t.Errorf("%s: %s: fires, but no vector's want names it", name, id)
			}
		}
	}
}

// scoredIDs lists a sheet's rules, marks and vetoes as "rule x", "mark x",
// "veto x", and "overtime" when the sheet deducts for time.
func scoredIDs(std *standards.Standard) []string {
	var ids []string
	for _, it := range std.Items {
		for _, r := range it.Rules {
			ids = append(ids, "rule "+r.ID)
		}
		for _, m := range it.Marks {
			ids = append(ids, "mark "+m.ID)
		}
	}
	for _, v := range std.Veto {
		ids = append(ids, "veto "+v.ID)
	}
	if std.Overtime != nil {
		ids = append(ids, "overtime")
	}
	return ids
}

// exercised returns what the vectors' sheets show fired and what their wants
// assert, keyed as scoredIDs keys them.
func exercised(std *standards.Standard, results []scoring.VectorResult) (fired, asserted map[string]bool) {
	kind := map[string]string{}
	for _, id := range scoredIDs(std) {
		if k, rest, ok := strings.Cut(id, " "); ok {
			kind[rest] = k
		}
	}
	fired, asserted = map[string]bool{}, map[string]bool{}
	for i, r := range results {
		if r.Sheet == nil {
			continue
		}
		for _, it := range r.Sheet.Items {
			for _, d := range it.Deductions {
				if d.Count > 0 {
					fired[kind[d.ID]+" "+d.ID] = true
				}
			}
		}
		for _, v := range r.Sheet.Vetoes {
			fired["veto "+v.ID] = true
		}
		if r.Sheet.Overtime != nil && r.Sheet.Overtime.Points > 0 {
			fired["overtime"] = true
		}
		w := std.Tests[i].Want
		for id, n := range w.Deductions {
			if n > 0 {
				asserted[kind[id]+" "+id] = true
			}
		}
		if w.Veto != nil && *w.Veto != "" {
			asserted["veto "+*w.Veto] = true
		}
		if w.Overtime != nil && *w.Overtime > 0 {
			asserted["overtime"] = true
		}
	}
	return fired, asserted
}
