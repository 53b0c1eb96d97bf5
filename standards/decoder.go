package standards

import (
	"fmt"
	"math"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

var (
	posType      = reflect.TypeFor[Pos]()
	pointsType   = reflect.TypeFor[Points]()
	durationType = reflect.TypeFor[Duration]()
	dateType     = reflect.TypeFor[Date]()
)

// decoder decodes YAML nodes into Go values strictly, adding a problem
// (line, field path, message) for each thing it refuses.
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
	if d.named(n, v, path) {
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
		d.list(n, v, path, depth)
	case reflect.Map:
		d.dict(n, v, path, depth)
	case reflect.String:
		if s, ok := d.scalarTag(n, path, "!!str", "text"); ok {
			v.SetString(s)
		}
	case reflect.Int, reflect.Int64, reflect.Int32:
		d.integer(n, v, path)
	case reflect.Float64:
		d.float(n, v, path)
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

// named decodes the types of this package that YAML writes as a scalar
// (points, durations, dates) and reports whether v was one of them.
func (d *decoder) named(n *yaml.Node, v reflect.Value, path string) bool {
	switch v.Type() {
	case pointsType:
		s, ok := d.scalar(n, path, "a number of points")
		if !ok {
			return true
		}
		p, err := ParsePoints(s)
		if err != nil {
			d.c.add(n.Line, path, "%v", err)
			return true
		}
		v.SetInt(int64(p))
	case durationType:
		s, ok := d.scalar(n, path, `a duration such as "5m" or "30s"`)
		if !ok {
			return true
		}
		t, err := time.ParseDuration(s)
		if err != nil || t < 0 {
			d.c.add(n.Line, path, "%q is not a duration such as \"5m\" or \"30s\"", s)
			return true
		}
		v.SetInt(int64(t))
	case dateType:
		s, ok := d.scalar(n, path, "a date YYYY-MM-DD")
		if !ok {
			return true
		}
		dt, err := ParseDate(s)
		if err != nil {
			d.c.add(n.Line, path, "%v", err)
			return true
		}
		v.Set(reflect.ValueOf(dt))
	default:
		return false
	}
	return true
}

// list decodes a YAML sequence into a slice.
func (d *decoder) list(n *yaml.Node, v reflect.Value, path string, depth int) {
	if n.Kind != yaml.SequenceNode {
		d.c.add(n.Line, path, "want a list, found %s", kindName(n))
		return
	}
	s := reflect.MakeSlice(v.Type(), len(n.Content), len(n.Content))
	for i, e := range n.Content {
		d.value(e, s.Index(i), fmt.Sprintf("%s[%d]", path, i), depth+1)
	}
	v.Set(s)
}

// dict decodes a YAML mapping with plain keys, each given once, into a map.
func (d *decoder) dict(n *yaml.Node, v reflect.Value, path string, depth int) {
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
}

// integer decodes a whole number written in plain decimal.
func (d *decoder) integer(n *yaml.Node, v reflect.Value, path string) {
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
}

// float decodes a finite number written in plain decimal.
func (d *decoder) float(n *yaml.Node, v reflect.Value, path string) {
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
		return d.freeScalar(n, path)
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

// freeScalar decodes a free-form scalar by YAML's type, whole numbers in
// plain decimal.
func (d *decoder) freeScalar(n *yaml.Node, path string) (any, bool) {
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
