package main

import (
	"fmt"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/rogpeppe/go-internal/testscript"
	"github.com/rogpeppe/go-internal/txtar"

	"shicao/cmd/shicao/internal/station"
)

// The README's walk and the script that runs it.
const (
	readmePath     = "../../README.md"
	walkHeading    = "## Setting up a real centre and station"
	walkScript     = "testdata/script/readme_walk.txtar"
	walkScriptStop = "# end of the README walk"
)

// walkSubstitutions turn a README line into the line the script runs: the
// test runs unprivileged in $WORK, reads the library from the repository
// and listens on loopback on any free port. readme_walk.txtar's header
// says the same.
var walkSubstitutions = []struct{ readme, script string }{
	{"/var/lib/shicao/", "$WORK/var/lib/shicao/"},
	{"/etc/shicao/", "$WORK/etc/shicao/"},
	{"standards/library/", "$LIBRARY/"},
	{"--listen :8443", "--listen 127.0.0.1:0 --addr-file addr"},
	{"localhost:8443", "localhost:$PORT"},
}

// walkSkipped are README lines the script does not run, by prefix, with
// the reason.
var walkSkipped = map[string]string{
	"sudo ": "root makes the directories; the script runs unprivileged and makes them in $WORK",
}

var heredoc = regexp.MustCompile(`^cat > (\S+) <<'EOF'$`)

// TestREADME_Walk: the README's "Setting up a real centre and station"
// is what readme_walk.txtar runs — the same commands in the same order
// (modulo walkSubstitutions), and each file the README writes with a
// heredoc is the script's file of that name, byte for byte — so the walk
// a newcomer pastes is the walk the suite runs.
func TestREADME_Walk(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	readme, files, err := readmeWalk(string(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(readme) < 20 {
		t.Fatalf("the README's walk has %d commands: is the section %q still there, with its sh blocks?", len(readme), walkHeading)
	}
	a, err := txtar.ParseFile(walkScript)
	if err != nil {
		t.Fatal(err)
	}
	script, err := scriptWalk(string(a.Comment))
	if err != nil {
		t.Fatal(err)
	}
	for i := range max(len(readme), len(script)) {
		var r, s string
		if i < len(readme) {
			r = readme[i]
		}
		if i < len(script) {
			s = script[i]
		}
		if r != s {
			t.Fatalf("command %d differs:\nREADME (substituted): %s\n%s:  %s\n(fix the README or the script: they must say the same)", i+1, orEnd(r), walkScript, orEnd(s))
		}
	}
	inScript := map[string]string{}
	for _, f := range a.Files {
		inScript[f.Name] = string(f.Data)
	}
	for name, text := range files {
		got, ok := inScript[name]
		if !ok {
			t.Errorf("the README writes %s, which %s does not hold", name, walkScript)
		} else if got != text {
			t.Errorf("%s differs:\nREADME:\n%s\n%s:\n%s", name, text, walkScript, got)
		}
	}
}

func orEnd(s string) string {
	if s == "" {
		return "(nothing: the other goes on)"
	}
	return s
}

// readmeWalk returns the commands of the walk's sh blocks, substituted,
// and the files its heredocs write.
func readmeWalk(md string) (cmds []string, files map[string]string, err error) {
	i := strings.Index(md, "\n"+walkHeading+"\n")
	if i < 0 {
		return nil, nil, fmt.Errorf("%s: no heading %q", readmePath, walkHeading)
	}
	sec := md[i+1:]
	if j := strings.Index(sec[len(walkHeading):], "\n## "); j >= 0 {
		sec = sec[:len(walkHeading)+j]
	}
	files = map[string]string{}
	lines := strings.Split(sec, "\n")
	inSh := false
	for k := 0; k < len(lines); k++ {
		l := lines[k]
		switch {
		case !inSh && l == "```sh":
			inSh = true
			continue
		case inSh && l == "```":
			inSh = false
			continue
		case !inSh:
			continue
		}
		if m := heredoc.FindStringSubmatch(l); m != nil {
			var body strings.Builder
			for k++; k < len(lines) && lines[k] != "EOF"; k++ {
				body.WriteString(lines[k] + "\n")
			}
			if k == len(lines) {
				return nil, nil, fmt.Errorf("%s: the heredoc of %s has no EOF", readmePath, m[1])
			}
			files[m[1]] = body.String()
			continue
		}
		l = strings.TrimSpace(stripComment(l))
		if l == "" || skipped(l) {
			continue
		}
		for _, s := range walkSubstitutions {
			l = strings.ReplaceAll(l, s.readme, s.script)
		}
		cmds = append(cmds, l)
	}
	if inSh {
		return nil, nil, fmt.Errorf("%s: an sh block of the walk is not closed", readmePath)
	}
	return cmds, files, nil
}

func skipped(l string) bool {
	for p := range walkSkipped {
		if strings.HasPrefix(l, p) {
			return true
		}
	}
	return false
}

// stripComment drops a shell comment: a # at the start of a word,
// outside quotes.
func stripComment(l string) string {
	var quote rune
	prev := ' '
	for i, r := range l {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (prev == ' ' || prev == '\t'):
			return l[:i]
		}
		prev = r
	}
	return l
}

var background = regexp.MustCompile(` &\w+&$`)

// scriptWalk returns the script's exec lines above the end marker as the
// commands they run: `exec sh -c 'X'` is X (with ” read as '), and a
// background `exec X &name&` is "X &".
func scriptWalk(comment string) ([]string, error) {
	var out []string
	for _, l := range strings.Split(comment, "\n") {
		l = strings.TrimSpace(l)
		if l == walkScriptStop {
			return out, nil
		}
		rest, ok := strings.CutPrefix(l, "exec ")
		if !ok {
			continue
		}
		bg := background.MatchString(rest)
		rest = background.ReplaceAllString(rest, "")
		if inner, ok := strings.CutPrefix(rest, "sh -c '"); ok {
			if !strings.HasSuffix(inner, "'") {
				return nil, fmt.Errorf("%s: %q: want sh -c 'COMMAND'", walkScript, l)
			}
			rest = strings.ReplaceAll(strings.TrimSuffix(inner, "'"), "''", "'")
		}
		if bg {
			rest += " &"
		}
		out = append(out, rest)
	}
	return nil, fmt.Errorf("%s: no line %q ends the walk", walkScript, walkScriptStop)
}

// cmdWaitAddr is the script command `waitaddr FILE VAR`: it waits until
// `centre serve --addr-file FILE` has written its URL, and sets VAR to its
// port. It waits for the file, not for a time: the deadline only ends a
// run whose server never started.
func cmdWaitAddr(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: waitaddr FILE VAR")
	}
	path := ts.MkAbs(args[0])
	deadline := time.Now().Add(2 * time.Minute)
	for {
		b, err := os.ReadFile(path)
		if err == nil && len(strings.TrimSpace(string(b))) > 0 {
			u, err := url.Parse(strings.TrimSpace(string(b)))
			if err != nil || u.Port() == "" {
				ts.Fatalf("%s: %q is not a URL with a port", args[0], b)
			}
			ts.Setenv(args[1], u.Port())
			return
		}
		if time.Now().After(deadline) {
			ts.Fatalf("%s: no address written in 2 minutes: the server did not start", args[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestREADME_ScriptSteps: the README's list of script steps is the one
// the runner's table prints (station.ScriptHelp), so a step added to the
// table cannot be missing from the README.
func TestREADME_ScriptSteps(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(readmePath)
	if err != nil {
		t.Fatal(err)
	}
	const marker = "`shicao station run --help` prints this list too):\n\n```\n"
	_, rest, ok := strings.Cut(string(b), marker)
	if !ok {
		t.Fatalf("README: no list of script steps after %q", marker)
	}
	readme, _, _ := strings.Cut(rest, "```\n")
	var want strings.Builder
	for _, l := range strings.SplitAfter(station.ScriptHelp(), "\n") {
		if strings.HasPrefix(l, "  # ") || strings.HasPrefix(l, "  !STEP") {
			continue // the README says these in its sentence
		}
		want.WriteString(strings.TrimPrefix(l, "  "))
	}
	if readme != want.String() {
		t.Errorf("README's script steps differ from station.ScriptHelp; README:\n%s\nScriptHelp:\n%s", readme, want.String())
	}
}
