package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestDocs_CommandLinesParse: every `shicao ...` line of the README's and
// docs/'s code blocks (sh, and plain ones such as the command reference)
// names a command of the tree, and every --flag it
// gives is one of that command's flags. The walk (TestREADME_Walk) runs
// its lines; the others (the console, PostgreSQL, re-scoring, the
// province's tools) are not run, and without this a renamed command or
// flag would leave them to fail when pasted.
func TestDocs_CommandLinesParse(t *testing.T) {
	t.Parallel()
	files := []string{readmePath}
	docs, err := filepath.Glob(filepath.Join(docsDir, "*.md"))
	if err != nil || len(docs) == 0 {
		t.Fatalf("no docs in %s: %v", docsDir, err)
	}
	files = append(files, docs...)
	checked := 0
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, l := range shBlockLines(string(b)) {
			if err := checkCommandLine(l.text); err != "" {
				t.Errorf("%s:%d: %s\n\t%s", file, l.line, err, l.text)
			}
			checked++
		}
	}
	if checked < 80 {
		t.Fatalf("%d command lines in the docs' code blocks: the test reads the wrong files", checked)
	}
}

// commandWord is a command's name, or alternatives of names.
var commandWord = regexp.MustCompile(`^[a-z][a-z0-9-]*(\|[a-z][a-z0-9-]*)*$`)

type docLine struct {
	line int
	text string
}

// shBlockLines returns the lines of ```sh and plain ``` blocks that start
// with shicao, comments and heredoc bodies left out.
func shBlockLines(md string) []docLine {
	var out []docLine
	inSh, inHeredoc := false, false
	for i, l := range strings.Split(md, "\n") {
		switch {
		case !inSh && (l == "```sh" || l == "```"):
			inSh = true
		case inSh && l == "```":
			inSh = false
		case !inSh:
		case inHeredoc:
			inHeredoc = l != "EOF"
		case heredoc.MatchString(l):
			inHeredoc = true
		default:
			text := strings.TrimSpace(stripComment(l))
			if strings.HasPrefix(text, "shicao ") {
				out = append(out, docLine{i + 1, text})
			}
		}
	}
	return out
}

// checkCommandLine finds the command a line runs and checks its flags; it
// returns what is wrong, or "".
func checkCommandLine(line string) string {
	words := strings.Fields(strings.TrimSuffix(line, "&"))[1:]
	if len(words) == 0 || !commandWord.MatchString(words[0]) {
		return "" // not a command line: a screen's title, say
	}
	c := root()
	i := 0
	for ; i < len(words); i++ {
		s := c.Lookup(words[i])
		if s == nil && strings.Contains(words[i], "|") {
			// Alternatives ("keygen|sign|verify"): each is a command.
			for _, alt := range strings.Split(words[i], "|") {
				w := append(append(append([]string{"shicao"}, words[:i]...), alt), words[i+1:]...)
				if err := checkCommandLine(strings.Join(w, " ")); err != "" {
					return err
				}
			}
			return ""
		}
		if s == nil {
			break
		}
		c = s
	}
	if c.Run == nil {
		return "no command of the tree: 'shicao " + strings.Join(words[:min(i+1, len(words))], " ") + "'"
	}
	if c.CustomFlags {
		return ""
	}
	for _, w := range words[i:] {
		if w == "|" || w == "&&" || w == ";" {
			break // another command follows
		}
		name, ok := strings.CutPrefix(w, "--")
		if !ok {
			if name, ok = strings.CutPrefix(w, "-"); !ok || name == "" {
				continue
			}
		}
		name, _, _ = strings.Cut(name, "=")
		if c.Flag.Lookup(name) == nil && name != "help" && name != "h" {
			return "'shicao " + c.LongName() + "' has no flag --" + name
		}
	}
	return ""
}
