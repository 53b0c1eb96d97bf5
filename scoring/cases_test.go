package scoring_test

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"shicao/scoring"
	"shicao/standards"
)

// TestScore_Cases runs the engine-feature cases in testdata/cases: each
// txtar holds a small standard.yaml, an events.jsonl and the expected
// sheet.json (or error.txt for a log that must be refused). They pin the
// mechanisms the library's standards lean on: caps, repeated marks,
// evidence expressions, overtime caps, review, undo.
func TestScore_Cases(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "cases", "*.txtar"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, path := range files {
		t.Run(strings.TrimSuffix(filepath.Base(path), ".txtar"), func(t *testing.T) {
			ar, err := txtar.ParseFile(path)
			if err != nil {
				t.Fatal(err)
			}
			files := map[string][]byte{}
			for _, f := range ar.Files {
				files[f.Name] = f.Data
			}
			std, err := standards.Parse("standard.yaml", files["standard.yaml"])
			if err != nil {
				t.Fatal(err)
			}
			sheet, err := scoring.ScoreReader(std, bytes.NewReader(files["events.jsonl"]), "events.jsonl")
			if want, ok := files["error.txt"]; ok {
				if err == nil || err.Error() != strings.TrimSpace(string(want)) {
					t.Fatalf("error %v\nwant %s", err, want)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := sheetJSON(t, sheet)
			if *update {
				for i := range ar.Files {
					if ar.Files[i].Name == "sheet.json" {
						ar.Files[i].Data = got
					}
				}
				if _, ok := files["sheet.json"]; !ok {
					ar.Files = append(ar.Files, txtar.File{Name: "sheet.json", Data: got})
				}
				if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			if !bytes.Equal(got, files["sheet.json"]) {
				t.Errorf("sheet differs:\n%s", diffLines(string(files["sheet.json"]), string(got)))
			}
		})
	}
}
