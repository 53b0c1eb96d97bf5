package standards

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// MaxDocumentSize bounds a standard or blueprint file. The largest sample
// standard is a few kilobytes; a megabyte is room for a hundred times that
// and small enough that a hostile file cannot exhaust a station.
const MaxDocumentSize = 1 << 20

// Pos records where a YAML mapping stood in its file, and where each of its
// keys did, so that validation can name the line of the field at fault.
type Pos struct {
	Line   int
	Fields map[string]int
}

// At returns the line of field, or of the mapping when the field is absent.
func (p Pos) At(field string) int {
	if l, ok := p.Fields[field]; ok {
		return l
	}
	return p.Line
}

// Duration is a YAML duration written as Go writes them ("5m", "60s", "1m30s").
type Duration time.Duration

// Millis returns d in milliseconds, the unit of the event log.
func (d Duration) Millis() int64 { return time.Duration(d).Milliseconds() }

func (d Duration) String() string { return time.Duration(d).String() }

// Date is a calendar date (YYYY-MM-DD) with no time zone: exam dates are
// local dates at the exam site.
type Date struct{ Y, M, D int }

// ParseDate reads YYYY-MM-DD.
func ParseDate(s string) (Date, error) {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		return Date{}, fmt.Errorf("%q is not a date (want YYYY-MM-DD)", s)
	}
	return Date{t.Year(), int(t.Month()), t.Day()}, nil
}

func (d Date) String() string               { return fmt.Sprintf("%04d-%02d-%02d", d.Y, d.M, d.D) }
func (d Date) IsZero() bool                 { return d == Date{} }
func (d Date) Before(e Date) bool           { return d.Y*10000+d.M*100+d.D < e.Y*10000+e.M*100+e.D }
func (d Date) MarshalText() ([]byte, error) { return []byte(d.String()), nil }

// UnmarshalText reads YYYY-MM-DD.
func (d *Date) UnmarshalText(b []byte) error {
	v, err := ParseDate(string(b))
	*d = v
	return err
}

// DateOf returns the calendar date of t in t's location.
func DateOf(t time.Time) Date { return Date{t.Year(), int(t.Month()), t.Day()} }

var (
	posType      = reflect.TypeFor[Pos]()
	pointsType   = reflect.TypeFor[Points]()
	durationType = reflect.TypeFor[Duration]()
	dateType     = reflect.TypeFor[Date]()
)

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

type decoder struct{ c *problems }

// maxDepth bounds nesting; the deepest real structure (vector scripts) is
// far shallower, and the bound keeps recursion finite on hostile input.
const maxDepth = 32

func (d *decoder) value(n *yaml.Node, v reflect.Value, path string, depth int) {
	if depth > maxDepth {
		d.c.add(n.Line, path, "nested too deeply")
		return
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.c.add(n.Line, path, "YAML anchors and aliases are not allowed: write the value out")
		return
	}
	if n.Tag != "" && n.Style&yaml.TaggedStyle != 0 {
		d.c.add(n.Line, path, "explicit YAML tags (%s) are not allowed", n.Tag)
		return
	}
	switch v.Type() {
	case pointsType:
		s, ok := d.scalar(n, path, "a number of points")
		if !ok {
			return
		}
		p, err := ParsePoints(s)
		if err != nil {
			d.c.add(n.Line, path, "%v", err)
			return
		}
		v.SetInt(int64(p))
		return
	case durationType:
		s, ok := d.scalar(n, path, `a duration such as "5m" or "30s"`)
		if !ok {
			return
		}
		t, err := time.ParseDuration(s)
		if err != nil || t < 0 {
			d.c.add(n.Line, path, "%q is not a duration such as \"5m\" or \"30s\"", s)
			return
		}
		v.SetInt(int64(t))
		return
	case dateType:
		s, ok := d.scalar(n, path, "a date YYYY-MM-DD")
		if !ok {
			return
		}
		dt, err := ParseDate(s)
		if err != nil {
			d.c.add(n.Line, path, "%v", err)
			return
		}
		v.Set(reflect.ValueOf(dt))
		return
	}
	switch v.Kind() {
	case reflect.Struct:
		d.mapping(n, v, path, depth)
	case reflect.Pointer:
		if n.Tag == "!!null" {
			return
		}
		nv := reflect.New(v.Type().Elem())
		d.value(n, nv.Elem(), path, depth)
		v.Set(nv)
	case reflect.Slice:
		if n.Kind != yaml.SequenceNode {
			d.c.add(n.Line, path, "want a list, found %s", kindName(n))
			return
		}
		s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
		for i, e := range n.Content {
			d.value(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
		}
		v.Set(s)
	case reflect.Map:
		if n.Kind != yaml.MappingNode {
			d.c.add(n.Line, path, "want a mapping, found %s", kindName(n))
			return
		}
		m := reflect.MakeMapWithSize(v.Type(), len(n.Content)/2)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" || k.Style&yaml.TaggedStyle != 0 {
				d.c.add(k.Line, path, "keys must be plain words")
				continue
			}
			if prev, dup := seen[k.Value]; dup {
				d.c.add(k.Line, join(path, k.Value), "given twice (first on line %d)", prev)
				continue
			}
			seen[k.Value] = k.Line
			ev := reflect.New(v.Type().Elem()).Elem()
			d.value(val, ev, join(path, k.Value), depth+1)
			m.SetMapIndex(reflect.ValueOf(k.Value), ev)
		}
		v.Set(m)
	case reflect.String:
		if s, ok := d.scalarTag(n, path, "!!str", "text"); ok {
			v.SetString(s)
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		s, ok := d.scalarTag(n, path, "!!int", "a whole number")
		if !ok {
			return
		}
		// Decimal only: YAML would read 010 as octal 8 and 0x10 as 16.
		digits := strings.TrimPrefix(s, "-")
		if digits == "" || !allDigits(digits) || (len(digits) > 1 && digits[0] == '0') {
			d.c.add(n.Line, path, "%q: write whole numbers in plain decimal (no leading zero, no 0x, no _)", s)
			return
		}
		i, err := strconv.ParseInt(s, 10, 32)
		if err != nil {
			d.c.add(n.Line, path, "%q is not a whole number in range", s)
			return
		}
		v.SetInt(i)
	case reflect.Float64:
		tag := "!!float"
		if n.Tag == "!!int" {
			tag = "!!int"
		}
		s, ok := d.scalarTag(n, path, tag, "a number")
		if !ok {
			return
		}
		f, err := strconv.ParseFloat(s, 64)
		if err != nil || math.IsNaN(f) || math.IsInf(f, 0) || strings.ContainsAny(s, "xX_") {
			d.c.add(n.Line, path, "%q: write numbers in plain decimal (50, 0.5)", s)
			return
		}
		v.SetFloat(f)
	case reflect.Bool:
		s, ok := d.scalarTag(n, path, "!!bool", "true or false")
		if !ok {
			return
		}
		v.SetBool(s == "true")
	case reflect.Interface:
		// Free-form values (vector event data) keep YAML's own typing,
		// under the same rules as the rest of the file.
		x, ok := d.free(n, path, depth)
		if !ok {
			return
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
	default:
		panic(fmt.Sprintf("standards: no decoder for %s", v.Type()))
	}
}

// free decodes a free-form value: scalars by YAML's types (with the
// decimal rule for whole numbers), lists, and mappings with plain keys
// given once; no anchors, aliases or tags anywhere.
func (d *decoder) free(n *yaml.Node, path string, depth int) (any, bool) {
	if depth > maxDepth {
		d.c.add(n.Line, path, "nested too deeply")
		return nil, false
	}
	if n.Kind == yaml.AliasNode || n.Anchor != "" {
		d.c.add(n.Line, path, "YAML anchors and aliases are not allowed: write the value out")
		return nil, false
	}
	if n.Style&yaml.TaggedStyle != 0 {
		d.c.add(n.Line, path, "explicit YAML tags (%s) are not allowed", n.Tag)
		return nil, false
	}
	switch n.Kind {
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!str":
			return n.Value, true
		case "!!bool":
			return n.Value == "true", true
		case "!!null":
			return nil, true
		case "!!int":
			digits := strings.TrimPrefix(n.Value, "-")
			if !allDigits(digits) || (len(digits) > 1 && digits[0] == '0') {
				d.c.add(n.Line, path, "%q: write whole numbers in plain decimal", n.Value)
				return nil, false
			}
			i, err := strconv.Atoi(n.Value)
			if err != nil {
				d.c.add(n.Line, path, "%q is out of range", n.Value)
				return nil, false
			}
			return i, true
		case "!!float":
			f, err := strconv.ParseFloat(n.Value, 64)
			if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
				d.c.add(n.Line, path, "%q: write numbers in plain decimal", n.Value)
				return nil, false
			}
			return f, true
		}
		d.c.add(n.Line, path, "%q is not a value a standard may hold", clip(n.Value))
		return nil, false
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for i, e := range n.Content {
			x, ok := d.free(e, fmt.Sprintf("%s[%d]", path, i), depth+1)
			if !ok {
				return nil, false
			}
			out = append(out, x)
		}
		return out, true
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		seen := map[string]int{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, val := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode || k.Tag != "!!str" || k.Anchor != "" || k.Style&yaml.TaggedStyle != 0 {
				d.c.add(k.Line, path, "keys must be plain words")
				return nil, false
			}
			if prev, dup := seen[k.Value]; dup {
				d.c.add(k.Line, join(path, k.Value), "given twice (first on line %d)", prev)
				return nil, false
			}
			seen[k.Value] = k.Line
			x, ok := d.free(val, join(path, k.Value), depth+1)
			if !ok {
				return nil, false
			}
			out[k.Value] = x
		}
		return out, true
	}
	d.c.add(n.Line, path, "not a value a standard may hold")
	return nil, false
}

// scalar returns a scalar's text whatever YAML inferred its type to be; used
// for numbers and durations whose syntax we check ourselves.
func (d *decoder) scalar(n *yaml.Node, path, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		d.c.add(n.Line, path, "want %s, found %s", want, kindName(n))
		return "", false
	}
	return n.Value, true
}

func (d *decoder) scalarTag(n *yaml.Node, path, tag, want string) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag != tag {
		d.c.add(n.Line, path, "want %s, found %s", want, kindName(n))
		return "", false
	}
	return n.Value, true
}

func kindName(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.Tag {
		case "!!null":
			return "nothing"
		case "!!str":
			return fmt.Sprintf("text %q", clip(n.Value))
		case "!!int", "!!float":
			return fmt.Sprintf("number %s", clip(n.Value))
		case "!!bool":
			return n.Value
		}
		return fmt.Sprintf("%q", clip(n.Value))
	}
	return "something else"
}

func clip(s string) string {
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		return string(r[:40]) + "…"
	}
	return s
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// mapping decodes a YAML mapping into a struct whose fields carry yaml tags.
// A field tagged `yaml:",inline"` of type Pos receives the positions.
func (d *decoder) mapping(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.MappingNode {
		d.c.add(n.Line, path, "want a mapping of fields, found %s", kindName(n))
		return
	}
	t := v.Type()
	fields := map[string]int{}
	posField := -1
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Type == posType {
			posField = i
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		if name == "" || name == "-" {
			continue
		}
		fields[name] = i
	}
	pos := Pos{Line: n.Line, Fields: make(map[string]int, len(n.Content)/2)}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, val := n.Content[i], n.Content[i+1]
		if k.Kind != yaml.ScalarNode || k.Tag != "!!str" {
			d.c.add(k.Line, path, "field names must be plain words, found %s", kindName(k))
			continue
		}
		fp := join(path, k.Value)
		if prev, dup := pos.Fields[k.Value]; dup {
			d.c.add(k.Line, fp, "field given twice (first on line %d)", prev)
			continue
		}
		pos.Fields[k.Value] = k.Line
		idx, ok := fields[k.Value]
		if !ok {
			d.c.add(k.Line, fp, "unknown field%s", suggest(k.Value, fields))
			continue
		}
		d.value(val, v.Field(idx), fp, depth+1)
	}
	if posField >= 0 {
		v.Field(posField).Set(reflect.ValueOf(pos))
	}
}

// suggest names the nearest known field, for the common typo.
func suggest(got string, fields map[string]int) string {
	// A suggestion must be near: at most 2 edits, and fewer than half the
	// name (so "Z" does not suggest "id").
	best, bestD := "", min(3, (len(got)+1)/2)
	for name := range fields {
		if dd := editDistance(got, name); dd < bestD || (dd == bestD && name < best) {
			best, bestD = name, dd
		}
	}
	if best == "" {
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		slices.Sort(names)
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
