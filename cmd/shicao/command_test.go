package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

// TestCommandTree: every command in the tree has a name, a description
// and a unique path, and `shicao help PATH`, `shicao PATH help` and
// `shicao GROUP help NAME` show it; so a command can not be added without
// being listed.
func TestCommandTree(t *testing.T) {
	t.Parallel()
	tree := root()
	seen := map[string]bool{}
	var walk func(c *Command, path []string)
	walk = func(c *Command, path []string) {
		for _, s := range c.Commands {
			p := append(path[:len(path):len(path)], s.Name())
			long := strings.Join(p, " ")
			if s.Name() == "" || s.LongName() != long {
				t.Errorf("command %q: usage line %q does not start with its path %q", s.Name(), s.UsageLine, long)
			}
			if s.Short == "" {
				t.Errorf("%s: no Short", long)
			}
			if seen[long] {
				t.Errorf("%s: twice in the tree", long)
			}
			seen[long] = true
			if s.Run == nil && len(s.Commands) == 0 {
				t.Errorf("%s: neither runnable nor a group", long)
			}
			// Help three ways: "shicao help centre export", "shicao centre
			// export help" and "shicao centre help export" (never running
			// the command: "shicao demo help" once started the demo).
			forms := [][]string{append([]string{"help"}, p...), append(p[:len(p):len(p)], "help")}
			if len(p) > 1 {
				forms = append(forms, append(append(p[:len(p)-1:len(p)-1], "help"), p[len(p)-1]))
			}
			for _, args := range forms {
				var out, errb bytes.Buffer
				code := run(context.Background(), args, strings.NewReader(""), &out, &errb)
				if code != exitOK || !strings.Contains(out.String(), "Usage: shicao "+long) {
					t.Errorf("shicao %s: exit %d, stdout %q, stderr %q", strings.Join(args, " "), code, out.String(), errb.String())
				}
			}
			walk(s, p)
		}
	}
	walk(tree, nil)
	if len(seen) < 9 {
		t.Fatalf("the tree has %d commands", len(seen))
	}
}

func TestCommandUnknown(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"nosuch"}, {"help", "nosuch"}, {"help", "centre", "nosuch"}} {
		var out, errb bytes.Buffer
		if code := run(context.Background(), args, strings.NewReader(""), &out, &errb); code != exitUsage {
			t.Errorf("shicao %v: exit %d, want %d", args, code, exitUsage)
		}
	}
}
