package standards

import (
	"bytes"
	"errors"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxDocumentSize bounds a standard or blueprint file. The largest sample
// standard is a few kilobytes; a megabyte is room for a hundred times that
// and small enough that a hostile file cannot exhaust a station.
const MaxDocumentSize = 1 << 20

// checkText refuses what YAML would accept but no standard author meant:
// non-UTF-8 bytes, control characters, oversize files. It reports the line.
func checkText(c *problems, data []byte) bool {
	if len(data) > MaxDocumentSize {
		c.add(0, "", "file is %d bytes; a standard may be at most %d", len(data), MaxDocumentSize)
		return false
	}
	if len(bytes.TrimSpace(data)) == 0 {
		c.add(0, "", "file is empty")
		return false
	}
	line := 1
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			c.add(line, "", "invalid UTF-8 byte 0x%02x: save the file as UTF-8", data[i])
			return false
		case r == '\n':
			line++
		case r == '\t' || r == '\r':
		case r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0):
			c.add(line, "", "control character U+%04X is not allowed", r)
			return false
		case r == 0xfeff && i > 0:
			c.add(line, "", "byte-order mark inside the file")
			return false
		case r == 0x2028 || r == 0x2029:
			// YAML counts these as line breaks, so every line number
			// after them would be wrong.
			c.add(line, "", "Unicode line or paragraph separator U+%04X is not allowed: use a plain line break", r)
			return false
		}
		i += size
	}
	return true
}

// decodeDocument parses data as one YAML document and decodes it strictly
// into v (a pointer to struct): unknown fields, wrong types, aliases, tags
// and duplicate keys are problems that name the line and field. ok reports
// that there were none; decoded that the document could be read at all (a
// file with field-level problems is still worth validating for more).
func decodeDocument(c *problems, data []byte, v any) (ok, decoded bool) {
	if !checkText(c, data) {
		return false, false
	}
	var root yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&root); err != nil {
		if errors.Is(err, io.EOF) {
			c.add(0, "", "the file has no content (only comments or blank lines)")
			return false, false
		}
		line := yamlErrLine(err)
		msg := yamlErrMsg(err)
		if name, ok := strings.CutPrefix(msg, "unknown anchor '"); ok {
			name, _, _ = strings.Cut(name, "'")
			line = lineOf(data, "*"+name)
			c.add(line, "", "YAML alias *%s refers to no anchor; anchors and aliases are not allowed anyway: write the value out", name)
			return false, false
		}
		// yaml.v3 reports the line where the enclosing block began, often
		// far from the cause; find the first line at which a prefix of
		// the file fails the same way.
		if at := locateYAMLError(data, msg, line); at > 0 {
			line = at
		}
		c.add(line, "", "not valid YAML: %s", msg)
		return false, false
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); err == nil {
		c.add(extra.Line, "", "more than one YAML document: a file holds one standard")
		return false, false
	}
	if root.Kind != yaml.DocumentNode || len(root.Content) != 1 {
		c.add(root.Line, "", "not a YAML document")
		return false, false
	}
	if root.Content[0].Kind != yaml.MappingNode {
		c.add(root.Content[0].Line, "", "want a mapping of fields, found %s", kindName(root.Content[0]))
		return false, false
	}
	before := len(c.list)
	d := decoder{c: c}
	d.value(root.Content[0], reflect.ValueOf(v).Elem(), "", 0)
	return len(c.list) == before, true
}

// locateYAMLError returns the first line n such that the file's first n
// lines fail to parse with the same message as the whole file, or 0. The
// reported line is where the enclosing block began, so the search starts
// just before it and looks at most 200 lines further: it runs only on the
// error path and stays cheap on a hostile file.
func locateYAMLError(data []byte, msg string, reported int) int {
	lines := bytes.SplitAfter(data, []byte("\n"))
	start := max(reported-2, 0)
	if start >= len(lines) {
		return 0
	}
	prefix := bytes.Join(lines[:start], nil)
	for i := start; i < len(lines) && i < start+200; i++ {
		prefix = append(prefix, lines[i]...)
		var n yaml.Node
		err := yaml.Unmarshal(prefix, &n)
		if err != nil && yamlErrMsg(err) == msg {
			return i + 1
		}
	}
	return 0
}

// lineOf returns the 1-based line of the first occurrence of sub in data.
func lineOf(data []byte, sub string) int {
	i := bytes.Index(data, []byte(sub))
	if i < 0 {
		return 0
	}
	return bytes.Count(data[:i], []byte("\n")) + 1
}

func yamlErrLine(err error) int {
	msg := err.Error()
	if _, rest, ok := strings.Cut(msg, "line "); ok {
		n := 0
		for _, r := range rest {
			if r < '0' || r > '9' {
				break
			}
			n = n*10 + int(r-'0')
		}
		return n
	}
	return 0
}

func yamlErrMsg(err error) string {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if _, rest, ok := strings.Cut(msg, ": "); ok && strings.HasPrefix(msg, "line ") {
		return rest
	}
	return msg
}
