package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/standards"
	"shicao/standards/library"
	examsync "shicao/sync"
)

// TestJudgeInForce: `shicao verify` refuses, as the centre does
// (standard-not-in-force), a result whose item or blueprint was scored
// by a version not in force on the exam date: one not yet effective or
// expired, seen from the bundle's own dates, and one superseded, seen
// only with the other published versions (--standards). Issue 13,
// finding 3.
func TestJudgeInForce(t *testing.T) {
	t.Parallel()
	date := func(s string) standards.Date {
		d, err := standards.ParseDate(s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	// K42 version 2, published as taking effect on 2025-01-01.
	dir := t.TempDir()
	k42, err := library.Read("sd-dg-k42-cpr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	v2 := strings.Replace(strings.Replace(string(k42), "\nversion: 1\n", "\nversion: 2\n", 1), "\neffective: 2024-01-01\n", "\neffective: 2025-01-01\n", 1)
	if v2 == string(k42) {
		t.Fatal("the library's K42 is not version 1 effective 2024-01-01: the case below proves nothing")
	}
	if err := os.WriteFile(filepath.Join(dir, "k42-v2.yaml"), []byte(v2), 0o644); err != nil {
		t.Fatal(err)
	}
	paper := standards.Span{Version: 1, Effective: date("2024-01-01")}
	tests := []struct {
		name  string
		item  standards.Span
		files []string
		want  string // "" for in force
	}{
		{"InForce", standards.Span{Version: 1, Effective: date("2024-01-01")}, nil, ""},
		{"StandardsFileMissing", standards.Span{Version: 1, Effective: date("2024-01-01")}, []string{filepath.Join(dir, "none")}, "no such file"},
		{"NotYetEffective", standards.Span{Version: 1, Effective: date("2027-01-01")}, nil, "subject K4: SD-DG-K42 version 1 is not in force on 2026-06-01: it takes effect on 2027-01-01"},
		{"Expired", standards.Span{Version: 1, Effective: date("2024-01-01"), Expires: date("2025-12-31")}, nil, "it expired after 2025-12-31"},
		{"Superseded", standards.Span{Version: 1, Effective: date("2024-01-01")}, []string{dir}, "SD-DG-K42 version 1 is not in force on 2026-06-01: version 2 took effect on 2025-01-01"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := &examsync.Verified{
				Doc: &examsync.ResultDoc{Date: "2026-06-01", Blueprint: examsync.StandardRef{ID: "SD-DG-PAPER", Version: 1},
					Items: []examsync.ItemResult{{Subject: "K4", Standard: examsync.StandardRef{ID: "SD-DG-K42", Version: tt.item.Version}}}},
				Spans:     map[string]standards.Span{"K4": tt.item},
				Blueprint: paper,
			}
			line, err := judgeInForce(v, tt.files, nil)
			if tt.want == "" {
				if err != nil || !strings.HasPrefix(line, "in force on 2026-06-01") {
					t.Fatalf("got %q, %v; want in force", line, err)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("got %q, %v; want an error saying %q", line, err, tt.want)
			}
			if tt.name != "StandardsFileMissing" && !strings.Contains(err.Error(), "standard-not-in-force") {
				t.Errorf("the error does not name the centre's refusal code: %v", err)
			}
		})
	}
}
