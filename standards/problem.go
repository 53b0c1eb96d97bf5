package standards

import (
	"fmt"
	"sort"
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

// merge appends v's problems. When filter is set (the document had
// decode problems), a validation problem is dropped if it concerns a field
// that failed to decode, or is a sum over fields one of which failed:
// it would only repeat the decode problem in other words.
func (c *problems) merge(v *problems, filter bool) {
	decodeFields := make([]string, 0, len(c.list))
	idsUnsure := false
	for _, p := range c.list {
		decodeFields = append(decodeFields, p.Field)
		// An unknown field that is a typo of a known one: the known one
		// is then "missing" only because of the typo.
		if _, meant, ok := strings.Cut(p.Msg, `(did you mean "`); ok {
			meant, _, _ = strings.Cut(meant, `"`)
			parent := p.Field[:max(strings.LastIndex(p.Field, "."), 0)]
			decodeFields = append(decodeFields, join(parent, meant))
		}
		top := p.Field
		if i := strings.IndexAny(top, ".["); i >= 0 {
			top = top[:i]
		}
		if top == "items" || top == "veto" || strings.HasPrefix(p.Msg, `unknown field (did you mean "items"`) || strings.HasPrefix(p.Msg, `unknown field (did you mean "veto"`) {
			idsUnsure = true
		}
	}
	for _, p := range v.list {
		if filter && repeats(p.Field, decodeFields) {
			continue
		}
		// When the items or vetoes could not be read, vectors naming
		// them would all be reported as naming nothing.
		if filter && idsUnsure && strings.HasPrefix(p.Field, "tests[") && (strings.Contains(p.Msg, "in this standard")) {
			continue
		}
		c.list = append(c.list, p)
	}
	sort.SliceStable(c.list, func(i, j int) bool { return c.list[i].Line < c.list[j].Line })
}

func repeats(field string, decodeFields []string) bool {
	for _, f := range decodeFields {
		switch {
		case f == "" || field == f:
			return true
		case field != "" && strings.HasPrefix(f, field+".") || strings.HasPrefix(f, field+"["):
			// A problem about a whole list or mapping (items: "points
			// add up to ...") when a field inside it failed.
			return true
		case strings.HasPrefix(field, f+".") || strings.HasPrefix(field, f+"["):
			return true
		}
	}
	return false
}
