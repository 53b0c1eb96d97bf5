package scoring

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"shicao/standards"
)

// VectorResult is the outcome of one self-test vector.
type VectorResult struct {
	Name     string
	Sheet    *Sheet
	Failures []string // each expectation that did not hold; empty when it passed
	Err      error    // the log could not be scored at all
}

// OK reports whether the vector passed.
func (v VectorResult) OK() bool { return v.Err == nil && len(v.Failures) == 0 }

// RunVectors scores every self-test vector of the standard and compares the
// sheet with what the vector wants.
func RunVectors(std *standards.Standard) []VectorResult {
	out := make([]VectorResult, 0, len(std.Tests))
	for i := range std.Tests {
		v := &std.Tests[i]
		res := VectorResult{Name: v.Name}
		sheet, err := Score(std, std.Expand(v))
		if err != nil {
			res.Err = err
			out = append(out, res)
			continue
		}
		res.Sheet = sheet
		res.Failures = compare(&v.Want, sheet)
		out = append(out, res)
	}
	return out
}

func compare(w *standards.Want, s *Sheet) []string {
	var f []string
	if w.Score != nil && *w.Score != s.Score {
		f = append(f, fmt.Sprintf("score %s, want %s", s.Score, *w.Score))
	}
	if w.Passed != nil && *w.Passed != s.Passed {
		f = append(f, fmt.Sprintf("passed %v, want %v", s.Passed, *w.Passed))
	}
	if w.Veto != nil {
		got := ""
		if s.Veto != nil {
			got = s.Veto.ID
		}
		if got != *w.Veto {
			f = append(f, fmt.Sprintf("veto %q, want %q", got, *w.Veto))
		}
	}
	if w.NeedsReview != nil && *w.NeedsReview != s.NeedsReview {
		f = append(f, fmt.Sprintf("needs_review %v, want %v", s.NeedsReview, *w.NeedsReview))
	}
	if w.Overtime != nil {
		var got Points
		if s.Overtime != nil {
			got = s.Overtime.Points
		}
		if got != *w.Overtime {
			f = append(f, fmt.Sprintf("overtime %s, want %s", got, *w.Overtime))
		}
	}
	for _, id := range slices.Sorted(maps.Keys(w.Items)) {
		want := w.Items[id]
		for _, it := range s.Items {
			if it.ID == id && it.Score != want {
				f = append(f, fmt.Sprintf("item %s scores %s, want %s", id, it.Score, want))
			}
		}
	}
	for _, id := range slices.Sorted(maps.Keys(w.Deductions)) {
		want := w.Deductions[id]
		got := 0
		for _, it := range s.Items {
			for _, d := range it.Deductions {
				if d.ID == id {
					got = d.Count
				}
			}
		}
		if got != want {
			f = append(f, fmt.Sprintf("deduction %s applies %d times, want %d", id, got, want))
		}
	}
	return f
}

// String summarises the result in one line.
func (v VectorResult) String() string {
	switch {
	case v.Err != nil:
		return fmt.Sprintf("FAIL %s: %v", v.Name, v.Err)
	case len(v.Failures) > 0:
		return fmt.Sprintf("FAIL %s: %s", v.Name, strings.Join(v.Failures, "; "))
	}
	return fmt.Sprintf("ok   %s: score %s, passed %v", v.Name, v.Sheet.Score, v.Sheet.Passed)
}

// RunPaperVectors checks a blueprint's own vectors.
func RunPaperVectors(bp *standards.Blueprint) []VectorResult {
	out := make([]VectorResult, 0, len(bp.Tests))
	for i := range bp.Tests {
		v := &bp.Tests[i]
		res := VectorResult{Name: v.Name}
		scores := map[string]SubjectScore{}
		for id, sc := range v.Scores {
			ss := SubjectScore{Item: id, Score: sc}
			if slices.Contains(v.Vetoed, id) {
				ss.Veto = &VetoHit{ID: "veto", Text: "veto"}
			}
			scores[id] = ss
		}
		r, err := PaperScores(bp, scores)
		if err != nil {
			res.Err = err
			out = append(out, res)
			continue
		}
		res.Sheet = &Sheet{ID: bp.ID, Score: r.Total, Passed: r.Passed}
		if r.Total != v.Want.Total {
			res.Failures = append(res.Failures, fmt.Sprintf("total %s, want %s", r.Total, v.Want.Total))
		}
		if r.Passed != v.Want.Passed {
			res.Failures = append(res.Failures, fmt.Sprintf("passed %v, want %v", r.Passed, v.Want.Passed))
		}
		out = append(out, res)
	}
	return out
}

// SelfTest runs a standard's or blueprint's vectors and returns an error
// naming every failing one; it is the standards.SelfTest a station
// installs with.
func SelfTest(c *standards.Candidate) error {
	var results []VectorResult
	if c.Standard != nil {
		results = RunVectors(c.Standard)
	} else {
		results = RunPaperVectors(c.Blueprint)
	}
	var bad []string
	for _, r := range results {
		if !r.OK() {
			bad = append(bad, r.String())
		}
	}
	if len(bad) > 0 {
		return fmt.Errorf("%s", strings.Join(bad, "; "))
	}
	return nil
}
