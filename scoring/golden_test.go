package scoring_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rogpeppe/go-internal/txtar"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

func loadLibrary(t testing.TB) map[string]*standards.Standard {
	t.Helper()
	out := map[string]*standards.Standard{}
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		if standards.IsBlueprint(b) {
			continue
		}
		s, err := standards.Parse(name, b)
		if err != nil {
			t.Fatalf("library %s: %v", name, err)
		}
		out[name] = s
	}
	return out
}

func sheetJSON(t testing.TB, s *scoring.Sheet) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestScore_Golden scores the event log of every self-test vector of every
// library standard and compares the whole sheet, byte for byte, with a
// golden txtar (events.jsonl, sheet.json) under testdata/golden. The
// golden events are what a person can re-score with `shicao score`; the
// golden sheet pins every deduction, its evidence and the JSON shape.
func TestScore_Golden(t *testing.T) {
	lib := loadLibrary(t)
	seen := map[string]bool{}
	for name, std := range lib {
		for i := range std.Tests {
			v := &std.Tests[i]
			rel := filepath.Join(strings.TrimSuffix(name, ".yaml"), v.Name+".txtar")
			seen[rel] = true
			t.Run(rel, func(t *testing.T) {
				events := std.Expand(v)
				var log bytes.Buffer
				if err := standards.WriteEvents(&log, events); err != nil {
					t.Fatal(err)
				}
				// Score through the streaming path, as `shicao score` does.
				sheet, err := scoring.ScoreReader(std, bytes.NewReader(log.Bytes()), "events.jsonl")
				if err != nil {
					t.Fatal(err)
				}
				got := sheetJSON(t, sheet)
				path := filepath.Join("testdata", "golden", rel)
				if *update {
					ar := &txtar.Archive{
						Comment: []byte("standard: standards/library/" + name + "\nvector: " + v.Name + "\n"),
						Files: []txtar.File{
							{Name: "events.jsonl", Data: log.Bytes()},
							{Name: "sheet.json", Data: got},
						},
					}
					if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(path, txtar.Format(ar), 0o644); err != nil {
						t.Fatal(err)
					}
					return
				}
				ar, err := txtar.ParseFile(path)
				if err != nil {
					t.Fatalf("%v (run go test ./scoring -run Golden -update)", err)
				}
				for _, f := range ar.Files {
					switch f.Name {
					case "events.jsonl":
						if !bytes.Equal(f.Data, log.Bytes()) {
							t.Errorf("%s: the vector's events changed; review and -update", path)
						}
					case "sheet.json":
						if !bytes.Equal(f.Data, got) {
							t.Errorf("%s: sheet differs from golden:\n%s", path, diffLines(string(f.Data), string(got)))
						}
					}
				}
				// The in-memory path must give the same bytes.
				again, err := scoring.Score(std, events)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(sheetJSON(t, again), got) {
					t.Error("Score and ScoreReader disagree")
				}
			})
		}
	}
	if *update {
		return
	}
	// A golden file whose vector is gone is stale.
	_ = filepath.WalkDir(filepath.Join("testdata", "golden"), func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".txtar") {
			rel, _ := filepath.Rel(filepath.Join("testdata", "golden"), p)
			if !seen[rel] {
				t.Errorf("%s has no vector any more: delete it", p)
			}
		}
		return nil
	})
}

func diffLines(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	var b strings.Builder
	for i := 0; i < max(len(w), len(g)); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			b.WriteString("- " + wl + "\n+ " + gl + "\n")
		}
	}
	return b.String()
}
