package station

import (
	"encoding/json"

	"slices"

	"shicao/standards"
	examsync "shicao/sync"
)

// planTerms reads what the signed plan says beyond its stored lists: the
// examiners' declarations (回避), the substitutions the centre approved,
// the candidates' training institutions. The plan's signature was checked
// at import; a plan from before these fields has none.
func planTerms(signed []byte) examsync.Plan {
	var p examsync.Plan
	_ = json.Unmarshal(standards.SplitNote(signed), &p) // a plan imported is well-formed; none of it is then read
	return p
}

// recused returns the refusal if the examiner must not examine the
// candidate by the plan's declarations: they belong to the candidate's
// training institution, or declared the candidate.
func (e *Exam) recused(examinerID, examinerName, candidateID string) *Refusal {
	var cand examsync.Candidate
	for _, c := range e.terms.Candidates {
		if c.IDNumber == candidateID {
			cand = c
		}
	}
	if cand.IDNumber == "" {
		return nil
	}
	for _, d := range e.terms.Declarations {
		if d.Examiner != examinerID || !d.Recused(cand) {
			continue
		}
		if cand.Institution != "" && slices.Contains(d.Institutions, cand.Institution) {
			return refuse("examiner-recused", "考评员 %s 须回避考生 %s（%s）：同属培训机构 %s", "examiner %s must not examine candidate %s (%s): both belong to the training institution %s",
				examinerName, cand.Name, MaskID(cand.IDNumber), cand.Institution)
		}
		return refuse("examiner-recused", "考评员 %s 须回避考生 %s（%s）：考评员申报的回避人员", "examiner %s must not examine candidate %s (%s): the examiner declared them (回避)",
			examinerName, cand.Name, MaskID(cand.IDNumber))
	}
	return nil
}

// substitutions returns the approved substitutions that brought in one
// of the signed-in examiners, for the result.
func (e *Exam) substitutions() []examsync.Substitution {
	var out []examsync.Substitution
	for _, s := range e.terms.Substitutions {
		for _, x := range e.examiners {
			if x.Examiner.ID == s.In {
				out = append(out, s)
			}
		}
	}
	return out
}

// Substitutions returns the centre-approved substitutions among the
// signed-in examiners (shown on the result).
func (e *Exam) Substitutions() []examsync.Substitution { return e.substitutions() }
