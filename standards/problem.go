package standards

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong with a standard or blueprint, located so that
// its author can go straight to it: file, line and the field's path.
type Problem struct {
	File  string
	Line  int
	Field string // dotted path, e.g. items[1].rules[0].deduct; empty for the whole file
	Msg   string
}

func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Line > 0 {
		fmt.Fprintf(&b, ":%d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field)
		b.WriteString(": ")
	}
	b.WriteString(p.Msg)
	return b.String()
}

// Problems is every problem found in one document. It is the error returned
// by Parse and Validate, so a linter can print all of them at once instead of
// making the author fix one per run.
type Problems []Problem

func (ps Problems) Error() string {
	lines := make([]string, len(ps))
	for i, p := range ps {
		lines[i] = p.String()
	}
	return strings.Join(lines, "\n")
}

// problems collects Problems for one file.
type problems struct {
	file string
	list Problems
}

func (c *problems) add(line int, field, format string, args ...any) {
	c.list = append(c.list, Problem{File: c.file, Line: line, Field: field, Msg: fmt.Sprintf(format, args...)})
}

func (c *problems) err() error {
	if len(c.list) == 0 {
		return nil
	}
	return c.list
}
