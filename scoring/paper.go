package scoring

import (
	"fmt"
	"slices"

	"shicao/standards"
)

// Result is a candidate's paper (实操试卷): one item per subject, weighted.
type Result struct {
	Blueprint string          `json:"blueprint"`
	Version   int             `json:"version"`
	SHA256    string          `json:"sha256"`
	Total     Points          `json:"total"`
	PassMark  Points          `json:"pass_mark"`
	Passed    bool            `json:"passed"`
	Veto      *PaperVeto      `json:"veto"`
	Subjects  []SubjectResult `json:"subjects"`
}

// SubjectResult is one subject's weighted score.
type SubjectResult struct {
	Subject  string `json:"subject"`
	Item     string `json:"item"`
	Score    Points `json:"score"`
	Weight   Points `json:"weight"`
	Weighted Points `json:"weighted"`
	Vetoed   bool   `json:"vetoed,omitempty"`
}

// PaperVeto names the veto that failed the paper.
type PaperVeto struct {
	Subject string `json:"subject"`
	Item    string `json:"item"`
	ID      string `json:"id"`
	Text    string `json:"text"`
}

// SubjectScore is one subject's item score as Paper needs it.
type SubjectScore struct {
	Item  string
	Score Points
	Veto  *VetoHit
}

// Paper combines one sheet per subject into the paper result. Each sheet's
// item must be in its subject's pool; every subject must have exactly one.
func Paper(bp *standards.Blueprint, sheets []*Sheet) (*Result, error) {
	bySubject := map[string]SubjectScore{}
	for _, sh := range sheets {
		subj := ""
		for _, s := range bp.Subjects {
			if slices.Contains(s.Pool, sh.ID) {
				subj = s.ID
				break
			}
		}
		if subj == "" {
			return nil, fmt.Errorf("item %s is in no subject's pool of %s", sh.ID, bp.ID)
		}
		if prev, dup := bySubject[subj]; dup {
			return nil, fmt.Errorf("subject %s has two items, %s and %s: one item per subject is drawn", subj, prev.Item, sh.ID)
		}
		bySubject[subj] = SubjectScore{Item: sh.ID, Score: sh.Score, Veto: sh.Veto}
	}
	return PaperScores(bp, bySubject)
}

// PaperScores is Paper over subject scores: the weighted score of each
// subject rounded half up to 0.1, their sum, pass iff the sum reaches the
// pass mark and no veto fired. A vetoed item counts 0.
func PaperScores(bp *standards.Blueprint, scores map[string]SubjectScore) (*Result, error) {
	if bp.Rounding != standards.RoundHalfUpTenth {
		return nil, fmt.Errorf("blueprint %s: unknown rounding %q", bp.ID, bp.Rounding)
	}
	r := &Result{Blueprint: bp.ID, Version: bp.Version, SHA256: bp.SHA256(), PassMark: bp.Pass, Subjects: []SubjectResult{}}
	for _, s := range bp.Subjects {
		sc, ok := scores[s.ID]
		if !ok {
			return nil, fmt.Errorf("subject %s has no score", s.ID)
		}
		score := sc.Score
		if sc.Veto != nil {
			score = 0
			if r.Veto == nil {
				r.Veto = &PaperVeto{Subject: s.ID, Item: sc.Item, ID: sc.Veto.ID, Text: sc.Veto.Text}
			}
		}
		w := score.Weighted(s.Weight)
		r.Subjects = append(r.Subjects, SubjectResult{Subject: s.ID, Item: sc.Item, Score: score, Weight: s.Weight, Weighted: w, Vetoed: sc.Veto != nil})
		r.Total += w
	}
	for id := range scores {
		if bp.Subject(id) == nil {
			return nil, fmt.Errorf("subject %s is not in blueprint %s", id, bp.ID)
		}
	}
	r.Passed = r.Veto == nil && r.Total >= r.PassMark
	return r, nil
}
