package standards

import (
	"bytes"
	"fmt"
	"maps"
	"regexp"
	"slices"
	"strings"
)

var topSubjects = regexp.MustCompile(`(?m)^subjects\s*:`)

// IsBlueprint reports whether text is a paper blueprint rather than an item
// standard: it has a top-level subjects field.
func IsBlueprint(text []byte) bool {
	return topSubjects.Match(SplitNote(bytes.TrimPrefix(text, []byte("\xef\xbb\xbf"))))
}

// ParseBlueprint reads a paper blueprint strictly and validates it.
func ParseBlueprint(file string, data []byte) (*Blueprint, error) {
	c := &problems{file: file}
	b := &Blueprint{}
	ok, decoded := decodeDocument(c, data, b)
	if !decoded {
		return nil, c.err()
	}
	b.Source = append([]byte(nil), data...)
	b.File = file
	validated := &problems{file: file}
	validateBlueprint(validated, b)
	c.merge(validated, !ok)
	if err := c.err(); err != nil {
		return nil, err
	}
	return b, nil
}

func validateBlueprint(c *problems, b *Blueprint) {
	requireID(c, b.Pos, "id", "", b.ID)
	if b.Version < 1 {
		c.add(b.At("version"), "version", "missing or not a positive whole number")
	}
	requireText(c, b.Pos, "title", "", b.Title)
	requireText(c, b.Pos, "category", "", b.Category)
	if b.Effective.IsZero() {
		c.add(b.At("effective"), "effective", "missing: the date from which the blueprint may be used (YYYY-MM-DD)")
	}
	validateExpires(c, b.Pos, b.Effective, b.Expires)
	if b.TimeLimit <= 0 {
		c.add(b.At("time_limit"), "time_limit", "missing: the paper's total time, such as 60m")
	}
	switch {
	case b.Pass <= 0:
		c.add(b.At("pass"), "pass", "missing: the pass mark out of 100, such as 80")
	case b.Pass > PointsOf(100):
		c.add(b.At("pass"), "pass", "%s is more than 100", b.Pass)
	}
	switch {
	case b.Rounding == "":
		c.add(b.At("rounding"), "rounding", "missing: write %q (each weighted subject score rounded half up to 0.1)", RoundHalfUpTenth)
	case b.Rounding != RoundHalfUpTenth:
		c.add(b.At("rounding"), "rounding", "%q: the supported rule is %q (each weighted subject score rounded half up to 0.1)", b.Rounding, RoundHalfUpTenth)
	}
	ids := validateSubjects(c, b)
	names := map[string]bool{}
	for i := range b.Tests {
		validatePaperVector(c, b, &b.Tests[i], fmt.Sprintf("tests[%d]", i), ids, names)
	}
}

// validateSubjects checks the paper's subjects, their weights and pools,
// and returns the set of subject ids.
func validateSubjects(c *problems, b *Blueprint) map[string]bool {
	if len(b.Subjects) == 0 {
		c.add(b.At("subjects"), "subjects", "missing: a paper has at least one subject")
	}
	ids := map[string]bool{}
	items := map[string]string{}
	var total Points
	for i := range b.Subjects {
		s := &b.Subjects[i]
		p := fmt.Sprintf("subjects[%d]", i)
		requireID(c, s.Pos, "id", p, s.ID)
		if ids[s.ID] {
			c.add(s.At("id"), p+".id", "duplicate subject %q", s.ID)
		}
		ids[s.ID] = true
		requireText(c, s.Pos, "title", p, s.Title)
		if s.Weight <= 0 {
			c.add(s.At("weight"), p+".weight", "missing or zero")
		}
		total += s.Weight
		if len(s.Pool) == 0 {
			c.add(s.At("pool"), p+".pool", "missing: the standard ids this subject draws from")
		}
		for j, id := range s.Pool {
			if !idPattern.MatchString(id) {
				c.add(s.At("pool"), fmt.Sprintf("%s.pool[%d]", p, j), "%q is not a standard id", id)
			}
			if prev, dup := items[id]; dup {
				c.add(s.At("pool"), fmt.Sprintf("%s.pool[%d]", p, j), "%s is already in %s's pool", id, prev)
			}
			items[id] = s.ID
		}
	}
	if len(b.Subjects) > 0 && total != PointsOf(100) {
		c.add(b.At("subjects"), "subjects", "weights add up to %s, not 100", total)
	}
	return ids
}

// validatePaperVector checks a test vector of a blueprint: a score for
// every subject, no score or veto for a subject the paper lacks.
func validatePaperVector(c *problems, b *Blueprint, v *PaperVector, p string, ids, names map[string]bool) {
	switch {
	case v.Name == "":
		c.add(v.At("name"), p+".name", "missing")
	case names[v.Name]:
		c.add(v.At("name"), p+".name", "vector %q given twice", v.Name)
	}
	names[v.Name] = true
	for _, id := range slices.Sorted(maps.Keys(v.Scores)) {
		sc := v.Scores[id]
		if !ids[id] {
			c.add(v.At("scores"), p+".scores."+id, "no subject %q", id)
		}
		if sc > PointsOf(100) {
			c.add(v.At("scores"), p+".scores."+id, "more than 100")
		}
	}
	for _, id := range v.Vetoed {
		if !ids[id] {
			c.add(v.At("vetoed"), p+".vetoed", "no subject %q", id)
		}
	}
	var missing []string
	for _, subj := range b.Subjects {
		if _, ok := v.Scores[subj.ID]; !ok {
			missing = append(missing, subj.ID)
		}
	}
	if len(missing) > 0 {
		c.add(v.At("scores"), p+".scores", "no score for %s: give one for every subject", strings.Join(missing, ", "))
	}
}
