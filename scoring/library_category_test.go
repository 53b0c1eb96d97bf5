package scoring_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

// The categories issue 21 asks the library to cover, each with a paper.
var issue21Categories = []string{
	"低压电工作业", "高压电工作业", "熔化焊接与热切割作业", "高处安装、维护、拆除作业",
	"登高架设作业", "制冷与空调设备运行操作作业", "制冷与空调设备安装修理作业", "烟花爆竹储存作业",
}

// libraryDocs parses the whole library: standards by id, blueprints in
// file order.
func libraryDocs(t *testing.T) (map[string]*standards.Standard, []*standards.Blueprint) {
	t.Helper()
	stds := map[string]*standards.Standard{}
	var bps []*standards.Blueprint
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := standards.ParseAny(name, b)
		if err != nil {
			t.Fatalf("%v", err)
		}
		if c.Standard != nil {
			stds[c.Standard.ID] = c.Standard
		} else {
			bps = append(bps, c.Blueprint)
		}
	}
	return stds, bps
}

// categoryCount is what one paper draws on: the distinct standards of its
// pools (a shared sheet counts in every paper that draws it) and their
// rules, examiner marks, vetoes and vectors, plus the paper's own vectors.
type categoryCount struct {
	category, paper                                        string
	standards, rules, marks, vetoes, vectors, paperVectors int
	passed                                                 int // vectors that pass, standards' and paper's
}

func countPaper(stds map[string]*standards.Standard, bp *standards.Blueprint) categoryCount {
	c := categoryCount{category: bp.Category, paper: bp.ID, paperVectors: len(bp.Tests)}
	var seen []string
	for _, s := range bp.Subjects {
		for _, id := range s.Pool {
			std := stds[id]
			if std == nil || slices.Contains(seen, id) {
				continue
			}
			seen = append(seen, id)
			c.standards++
			for _, it := range std.Items {
				c.rules += len(it.Rules)
				c.marks += len(it.Marks)
			}
			c.vetoes += len(std.Veto)
			c.vectors += len(std.Tests)
			for _, r := range scoring.RunVectors(std) {
				if r.OK() {
					c.passed++
				}
			}
		}
	}
	for _, r := range scoring.RunPaperVectors(bp) {
		if r.OK() {
			c.passed++
		}
	}
	return c
}

// TestLibrary_EveryCategory: each category of issue 21 has a paper with
// the four subjects K1-K4, weights summing to 100, and at least one library
// standard in each subject's pool, every one of whose vectors passes (and
// the paper's); 创伤包扎 and 自救器 are drawn by some paper; the SCBA sheet
// too. With -v it prints the per-category count table.
func TestLibrary_EveryCategory(t *testing.T) {
	stds, bps := libraryDocs(t)
	drawn := map[string]bool{}
	var rows []categoryCount
	for _, cat := range issue21Categories {
		i := slices.IndexFunc(bps, func(b *standards.Blueprint) bool { return b.Category == cat })
		if i < 0 {
			t.Errorf("%s: no paper in the library", cat)
			continue
		}
		bp := bps[i]
		var ids []string
		var sum standards.Points
		for _, s := range bp.Subjects {
			ids = append(ids, s.ID)
			sum += s.Weight
			if !slices.ContainsFunc(s.Pool, func(id string) bool { return stds[id] != nil }) {
				t.Errorf("%s: subject %s has no library standard in its pool %v", bp.ID, s.ID, s.Pool)
			}
		}
		if strings.Join(ids, ",") != "K1,K2,K3,K4" || sum != standards.PointsOf(100) {
			t.Errorf("%s: subjects %v weighing %s, want K1-K4 weighing 100", bp.ID, ids, sum)
		}
		c := countPaper(stds, bp)
		if c.passed != c.vectors+c.paperVectors {
			t.Errorf("%s: %d of %d vectors pass", bp.ID, c.passed, c.vectors+c.paperVectors)
		}
		rows = append(rows, c)
	}
	for _, bp := range bps {
		for _, s := range bp.Subjects {
			for _, id := range s.Pool {
				drawn[id] = true
			}
		}
		if !slices.Contains(issue21Categories, bp.Category) {
			rows = append(rows, countPaper(stds, bp))
		}
	}
	for _, id := range []string{"SD-GC-K42", "SD-TY-ZJQ", "SD-TY-SCBA"} {
		if !drawn[id] {
			t.Errorf("%s is in no paper's pool", id)
		}
	}
	t.Log("\n" + countTable(rows, stds))
}

// countTable formats the rows, with a last line for the library as a
// whole (every standard once).
func countTable(rows []categoryCount, stds map[string]*standards.Standard) string {
	var b strings.Builder
	fmt.Fprintln(&b, "| paper | category | standards | rules | marks | vetoes | vectors | paper vectors |")
	for _, c := range rows {
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | %d |\n", c.paper, c.category, c.standards, c.rules, c.marks, c.vetoes, c.vectors, c.paperVectors)
	}
	all := categoryCount{paper: "library", category: "(each standard once)", standards: len(stds)}
	for _, std := range stds {
		for _, it := range std.Items {
			all.rules += len(it.Rules)
			all.marks += len(it.Marks)
		}
		all.vetoes += len(std.Veto)
		all.vectors += len(std.Tests)
	}
	fmt.Fprintf(&b, "| %s | %s | %d | %d | %d | %d | %d | - |\n", all.paper, all.category, all.standards, all.rules, all.marks, all.vetoes, all.vectors)
	return b.String()
}

// TestLibrary_NotesCiteSources: every library file says in its notes where
// its structure and figures come from ("Source"); a file whose notes say
// something was not found marks figures "[choice]"; a sheet without
// equipment says on its devices line why it is scored by examiner marks.
func TestLibrary_NotesCiteSources(t *testing.T) {
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			t.Fatal(err)
		}
		c, err := standards.ParseAny(name, b)
		if err != nil {
			t.Fatalf("%v", err)
		}
		notes := ""
		if c.Standard != nil {
			notes = c.Standard.Notes
		} else {
			notes = c.Blueprint.Notes
		}
		if !strings.Contains(strings.ToLower(notes), "source") {
			t.Errorf("%s: the notes cite no source", name)
		}
		if strings.Contains(notes, "found") && !strings.Contains(string(b), "[choice") {
			t.Errorf("%s: the notes say something was not found, yet no figure is marked [choice]", name)
		}
		if c.Standard != nil && len(c.Standard.Devices) == 0 && !examinerOnlySaysWhy(string(b)) {
			t.Errorf("%s: scored by examiner marks only, and no comment on its devices line says why", name)
		}
	}
}

// examinerOnlySaysWhy reports whether the file's devices line carries a
// comment, as in "devices: []   # examiner-only: no meter trainer ...".
func examinerOnlySaysWhy(text string) bool {
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, "devices:"); ok {
			_, comment, found := strings.Cut(rest, "#")
			return found && strings.TrimSpace(comment) != ""
		}
	}
	return false
}
