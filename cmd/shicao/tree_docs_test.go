package main

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The command reference: the README's "## Commands" block, and the docs,
// where a command is shown as `shicao PATH ...` (in a code block or an
// inline code span).
const (
	commandsHeading = "## Commands"
	docsDir         = "../../docs"
)

// undocumented are the commands of the tree that neither the README's
// command reference nor the docs name today. Document one and take it off
// this list (the test fails until both are done, so the list stays true).
var undocumented = []string{}

// TestCommandTree_Documented: every runnable command in the tree is named
// in the README's command reference or in docs/, so a newcomer who reads
// the docs finds every command (and a command added to the tree without a
// line in the docs fails here).
func TestCommandTree_Documented(t *testing.T) {
	t.Parallel()
	refs := documentedCommands(t)
	var missing []string
	for _, path := range treeCommands(root()) {
		if !refs.names(path) {
			missing = append(missing, path)
		}
	}
	slices.Sort(missing)
	if want := slices.Sorted(slices.Values(undocumented)); !slices.Equal(missing, want) {
		t.Errorf("commands not in README.md's %q nor in docs/:\n  %s\nwant (undocumented in tree_docs_test.go):\n  %s\n(document a command as `shicao PATH ARGS`; keep the list to the ones still missing)",
			commandsHeading, strings.Join(missing, "\n  "), strings.Join(want, "\n  "))
	}
}

// treeCommands lists the path of every runnable command below root, in
// the tree's order.
func treeCommands(root *Command) []string {
	var out []string
	for _, c := range root.Commands {
		c.walkLeaves(func(l *Command) { out = append(out, l.LongName()) })
	}
	return out
}

// docRefs are the command lines the docs show, each a list of words, a
// word being the alternatives at that place ("keygen|sign" is two).
type docRefs [][][]string

// names reports whether some line of the docs names the command path.
func (r docRefs) names(path string) bool {
	want := strings.Fields(path)
	for _, words := range r {
		if len(words) < len(want) {
			continue
		}
		ok := true
		for i, w := range want {
			if !slices.Contains(words[i], w) {
				ok = false
				break
			}
		}
		if ok {
			return true
		}
	}
	return false
}

// documentedCommands reads the README's command reference and the docs.
func documentedCommands(t *testing.T) docRefs {
	t.Helper()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	sec, ok := readmeSection(string(b), commandsHeading)
	if !ok {
		t.Fatalf("%s: no section %q", readmePath, commandsHeading)
	}
	refs := commandRefs(sec)
	docs, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs in %s: %v", docsDir, err)
	}
	for _, f := range docs {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		refs = append(refs, commandRefs(string(b))...)
	}
	if len(refs) < 20 {
		t.Fatalf("the docs show %d command lines: is the README's %q block still there?", len(refs), commandsHeading)
	}
	return refs
}

// readmeSection is the text of the section under heading, to the next
// heading of the same level.
func readmeSection(md, heading string) (string, bool) {
	i := strings.Index(md, "\n"+heading+"\n")
	if i < 0 {
		return "", false
	}
	sec := md[i+1+len(heading):]
	if j := strings.Index(sec, "\n## "); j >= 0 {
		sec = sec[:j]
	}
	return sec, true
}

var (
	commandRef = regexp.MustCompile("(?:^|[\\s`'(])shicao ((?:[a-z][a-z0-9-]*(?:\\|[a-z][a-z0-9-]*)* ?)+)")
	// orWord is a "| list" after a command's arguments: another verb in
	// the last word's place ("station standards install F... | list").
	orWord = regexp.MustCompile(`\s\|\s([a-z][a-z0-9-]*)(?:$|[\s` + "`" + `])`)
)

// commandRefs finds every `shicao PATH ...` in text.
func commandRefs(text string) docRefs {
	var refs docRefs
	for _, line := range strings.Split(text, "\n") {
		for _, m := range commandRef.FindAllStringSubmatchIndex(line, -1) {
			var words [][]string
			for _, w := range strings.Fields(line[m[2]:m[3]]) {
				words = append(words, strings.Split(w, "|"))
			}
			refs = append(refs, words)
			if o := orWord.FindStringSubmatch(line[m[3]:]); o != nil && len(words) > 1 {
				alt := slices.Clone(words[:len(words)-1])
				refs = append(refs, append(alt, []string{o[1]}))
			}
		}
	}
	return refs
}
