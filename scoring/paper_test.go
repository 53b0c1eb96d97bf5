package scoring_test

import (
	"strings"
	"testing"

	"shicao/scoring"
	"shicao/standards"
)

const paperBlueprint = `id: TEST-DG
version: 1
title: 低压电工作业实际操作考试
category: 低压电工作业
effective: 2024-01-01
time_limit: 60m
pass: 80
rounding: half-up-0.1
subjects:
  - {id: K1, title: 安全用具使用, weight: 20, pool: [K13]}
  - {id: K2, title: 安全操作技术, weight: 40, pool: [K21, K22]}
  - {id: K3, title: 作业现场安全隐患排除, weight: 20, pool: [K31]}
  - {id: K4, title: 作业现场应急处置, weight: 20, pool: [K42, K43]}
`

// sheetOf returns a sheet for item id scoring score (a decimal such as "90.5").
func sheetOf(id, score string, veto bool) *scoring.Sheet {
	p, err := standards.ParsePoints(score)
	if err != nil {
		panic(err)
	}
	s := &scoring.Sheet{ID: id, Score: p}
	if veto {
		s.Veto = &scoring.VetoHit{ID: "short-circuit", Text: "短路"}
		s.Score = 0
	}
	return s
}

// TestPaper_DomainVectors are the paper-level vectors of the published papers (the library's sd-dg-paper.yaml tests).
func TestPaper_DomainVectors(t *testing.T) {
	bp, err := standards.ParseBlueprint("test.yaml", []byte(paperBlueprint))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name     string
		sheets   []*scoring.Sheet
		total    string
		passed   bool
		vetoed   string
		weighted []string
	}{
		{"Pass", []*scoring.Sheet{sheetOf("K13", "90", false), sheetOf("K21", "85", false), sheetOf("K31", "70", false), sheetOf("K42", "88", false)},
			"83.6", true, "", []string{"18", "34", "14", "17.6"}},
		{"VetoFailsWhateverTheTotal", []*scoring.Sheet{sheetOf("K13", "90", false), sheetOf("K21", "85", true), sheetOf("K31", "70", false), sheetOf("K42", "88", false)},
			"49.6", false, "K2", []string{"18", "0", "14", "17.6"}},
		{"Boundary", []*scoring.Sheet{sheetOf("K13", "80", false), sheetOf("K21", "80", false), sheetOf("K31", "80", false), sheetOf("K42", "79", false)},
			"79.8", false, "", []string{"16", "32", "16", "15.8"}},
		{"ExactlyEighty", []*scoring.Sheet{sheetOf("K13", "80", false), sheetOf("K22", "80", false), sheetOf("K31", "80", false), sheetOf("K43", "80", false)},
			"80", true, "", []string{"16", "32", "16", "16"}},
		{"HalfUp", []*scoring.Sheet{sheetOf("K13", "90.5", false), sheetOf("K21", "85", false), sheetOf("K31", "70", false), sheetOf("K42", "88", false)},
			"83.7", true, "", []string{"18.1", "34", "14", "17.6"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := scoring.Paper(bp, tt.sheets)
			if err != nil {
				t.Fatal(err)
			}
			if r.Total.String() != tt.total || r.Passed != tt.passed {
				t.Fatalf("total %s passed %v, want %s %v", r.Total, r.Passed, tt.total, tt.passed)
			}
			if (r.Veto == nil) != (tt.vetoed == "") || (r.Veto != nil && r.Veto.Subject != tt.vetoed) {
				t.Fatalf("veto %+v, want subject %q", r.Veto, tt.vetoed)
			}
			for i, w := range tt.weighted {
				if got := r.Subjects[i].Weighted.String(); got != w {
					t.Errorf("%s weighted %s, want %s", r.Subjects[i].Subject, got, w)
				}
			}
		})
	}
}

func TestPaper_Refusals(t *testing.T) {
	bp, err := standards.ParseBlueprint("test.yaml", []byte(paperBlueprint))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name   string
		sheets []*scoring.Sheet
		want   string
	}{
		{"NotInPool", []*scoring.Sheet{sheetOf("K99", "90", false)}, "item K99 is in no subject's pool"},
		{"TwoInOneSubject", []*scoring.Sheet{sheetOf("K21", "90", false), sheetOf("K22", "90", false)}, "subject K2 has two items, K21 and K22"},
		{"Missing", []*scoring.Sheet{sheetOf("K13", "90", false)}, "subject K2 has no score"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := scoring.Paper(bp, tt.sheets)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %v, want %q", err, tt.want)
			}
		})
	}
}
