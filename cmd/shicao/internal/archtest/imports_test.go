// Package archtest holds the test that keeps shicao's import graph the
// shape docs/architecture.md draws: standards <- scoring <- sync <-
// {station, centre}, with the centre knowing nothing of the station's
// application or the demo, and no production code built on a test helper.
package archtest

import (
	"os/exec"
	"path"
	"slices"
	"strings"
	"testing"
)

// graph is the module's production import graph (test files excluded),
// from go list: each package's direct imports within the module.
type graph map[string][]string

func loadGraph(t *testing.T) graph {
	t.Helper()
	cmd := exec.Command("go", "list", "-e", "-f", `{{.ImportPath}}{{range .Imports}} {{.}}{{end}}`, "shicao/...")
	out, err := cmd.Output()
	if err != nil {
		if ee, ok := err.(*exec.ExitError); ok {
			t.Fatalf("go list: %v\n%s", err, ee.Stderr)
		}
		t.Fatalf("go list: %v", err)
	}
	g := graph{}
	for line := range strings.Lines(string(out)) {
		f := strings.Fields(line)
		if len(f) == 0 {
			continue
		}
		var mine []string
		for _, imp := range f[1:] {
			if within(imp, "shicao") {
				mine = append(mine, imp)
			}
		}
		g[f[0]] = mine
	}
	if len(g) < 20 || g["shicao/scoring"] == nil {
		t.Fatalf("go list found %d packages, not the module's: %s", len(g), out)
	}
	return g
}

// within reports whether pkg is root or a package under it.
func within(pkg, root string) bool {
	return pkg == root || strings.HasPrefix(pkg, root+"/")
}

// path returns the chain of imports by which from reaches to, or nil.
func (g graph) path(from, to string) []string {
	prev := map[string]string{from: ""}
	queue := []string{from}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if p == to {
			var chain []string
			for ; p != ""; p = prev[p] {
				chain = append(chain, p)
			}
			slices.Reverse(chain)
			return chain
		}
		for _, q := range g[p] {
			if _, ok := prev[q]; !ok {
				prev[q] = p
				queue = append(queue, q)
			}
		}
	}
	return nil
}

// deps returns every package pkg reaches, sorted.
func (g graph) deps(pkg string) []string {
	seen := map[string]bool{}
	var walk func(string)
	walk = func(p string) {
		for _, q := range g[p] {
			if !seen[q] {
				seen[q] = true
				walk(q)
			}
		}
	}
	walk(pkg)
	var out []string
	for p := range seen {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

const internal = "shicao/cmd/shicao/internal"

// TestImports_Layers: each layer builds only on the layers below it. A
// failure names the chain of imports that breaks the rule.
func TestImports_Layers(t *testing.T) {
	g := loadGraph(t)
	tests := []struct {
		pkg     string   // this package and those under it
		allowed []string // may reach only packages within these (and itself)
		why     string
	}{
		{"shicao/standards", []string{"shicao/standards"}, "the standard format stands alone"},
		{"shicao/scoring", []string{"shicao/standards"}, "scoring is pure: it never imports hardware, sync or the store"},
		{"shicao/sync", []string{"shicao/standards", "shicao/scoring"}, "the protocol is shared by station and centre, so it imports neither"},
		{"shicao/hardware", []string{"shicao/hardware"}, "hardware never imports scoring; only cmd maps a reading to an event"},
		{internal + "/credential", nil, "a leaf both station and centre use"},
	}
	for _, tt := range tests {
		for pkg := range g {
			if !within(pkg, tt.pkg) {
				continue
			}
			for _, d := range g.deps(pkg) {
				if within(d, tt.pkg) || slices.ContainsFunc(tt.allowed, func(a string) bool { return within(d, a) }) {
					continue
				}
				t.Errorf("%s imports %s (%s): %s", pkg, d, strings.Join(g.path(pkg, d), " -> "), tt.why)
			}
		}
	}
}

// TestImports_CentreApart: the centre and its console share the protocol
// (sync) with the station, not the station's application, nor the demo
// (which seeds a centre from outside).
func TestImports_CentreApart(t *testing.T) {
	g := loadGraph(t)
	for _, pkg := range []string{internal + "/centre", internal + "/console"} {
		if _, ok := g[pkg]; !ok {
			t.Fatalf("no package %s in go list", pkg)
		}
		for _, banned := range []string{"station", "demo", "tui", "rig", "store"} {
			if chain := g.path(pkg, internal+"/"+banned); chain != nil {
				t.Errorf("%s imports %s: %s", pkg, banned, strings.Join(chain, " -> "))
			}
		}
	}
}

// testHelpers may be imported by production code, with the reason. None
// is: fakes and harnesses (xxxtest) are for tests.
var testHelpers = map[string]string{}

// TestImports_NoTestHelpers: no production package (one whose name does
// not end in "test") imports a test helper package (one whose does), so
// fakes never ship in the binary.
func TestImports_NoTestHelpers(t *testing.T) {
	g := loadGraph(t)
	isHelper := func(p string) bool { return strings.HasSuffix(path.Base(p), "test") }
	for pkg := range g {
		if isHelper(pkg) {
			continue
		}
		for _, d := range g.deps(pkg) {
			if _, ok := testHelpers[d]; ok || !isHelper(d) {
				continue
			}
			t.Errorf("production package %s imports test helper %s: %s", pkg, d, strings.Join(g.path(pkg, d), " -> "))
		}
	}
}
