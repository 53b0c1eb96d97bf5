package standards

import (
	"fmt"
	"reflect"
	"strconv"

	"shicao/standards/jsonscan"
)

// decodeRecord fills rec (a record struct of et) from a flat JSON data
// object. Every field of the vocabulary must be present exactly once with
// its type; a missing device field would otherwise read as zero or false
// and silently become a deduction.
func decodeRecord(rec reflect.Value, et *EventType, data []byte, intern map[string]string) error {
	if len(et.Fields) > 64 {
		return fmt.Errorf("event type %s has too many fields", et.Name)
	}
	var seen uint64
	i := jsonscan.SkipWS(data, 0)
	if len(data) == 0 || data[i] != '{' {
		if len(et.Fields) == 0 {
			return nil
		}
		return fmt.Errorf("data: missing (want %s)", fieldList(et))
	}
	i = jsonscan.SkipWS(data, i+1)
	if i < len(data) && data[i] == '}' {
		i++
	} else {
		for {
			ks, ke, esc, next, err := jsonscan.String(data, jsonscan.SkipWS(data, i))
			if err != nil {
				return fmt.Errorf("data: want a field name")
			}
			key := data[ks:ke]
			if esc {
				key = jsonscan.Unescape(nil, data[ks:ke])
			}
			idx := -1
			for k := range et.Fields {
				if et.Fields[k].Name == string(key) {
					idx = k
					break
				}
			}
			if idx < 0 {
				return fmt.Errorf("data.%s: unknown field for %s (fields: %s)", key, et.Name, fieldList(et))
			}
			if seen&(1<<idx) != 0 {
				return fmt.Errorf("data.%s: given twice", key)
			}
			seen |= 1 << idx
			i = jsonscan.SkipWS(data, next)
			if i >= len(data) || data[i] != ':' {
				return fmt.Errorf("data.%s: want ':'", key)
			}
			i = jsonscan.SkipWS(data, i+1)
			f := et.Fields[idx]
			end, err := setField(rec.Field(2+idx), f, data, i, intern)
			if err != nil {
				return fmt.Errorf("data.%s: %w", f.Name, err)
			}
			i = jsonscan.SkipWS(data, end)
			if i >= len(data) {
				return fmt.Errorf("data: unexpected end")
			}
			if data[i] == ',' {
				i++
				continue
			}
			if data[i] == '}' {
				i++
				break
			}
			return fmt.Errorf("data: unexpected %q after %s", data[i], f.Name)
		}
	}
	if jsonscan.SkipWS(data, i) != len(data) {
		return fmt.Errorf("data: trailing bytes after the object")
	}
	if want := uint64(1)<<len(et.Fields) - 1; seen != want {
		for k, f := range et.Fields {
			if seen&(1<<k) == 0 {
				return fmt.Errorf("data.%s: missing (%s needs %s)", f.Name, et.Name, fieldList(et))
			}
		}
	}
	return nil
}

func fieldList(et *EventType) string {
	s := ""
	for i, f := range et.Fields {
		if i > 0 {
			s += ", "
		}
		s += f.Name + " " + string(f.Type)
	}
	return s
}

func setField(v reflect.Value, f Field, b []byte, i int, intern map[string]string) (int, error) {
	if i >= len(b) {
		return i, fmt.Errorf("missing value")
	}
	switch f.Type {
	case FieldInt:
		n, end, err := jsonscan.Int(b, i)
		if err != nil {
			return end, err
		}
		v.SetInt(n)
		return end, nil
	case FieldFloat:
		end, err := jsonscan.Number(b, i)
		if err != nil {
			return end, fmt.Errorf("want a number")
		}
		x, err := strconv.ParseFloat(string(b[i:end]), 64)
		if err != nil {
			return end, fmt.Errorf("want a number in range")
		}
		v.SetFloat(x)
		return end, nil
	case FieldBool:
		switch {
		case hasPrefixAt(b, i, "true"):
			v.SetBool(true)
			return i + 4, nil
		case hasPrefixAt(b, i, "false"):
			v.SetBool(false)
			return i + 5, nil
		}
		return i, fmt.Errorf("want true or false")
	case FieldString:
		s, end, err := scanInterned(b, i, intern)
		if err != nil {
			return end, err
		}
		v.SetString(s)
		return end, nil
	case FieldStrings:
		if b[i] != '[' {
			return i, fmt.Errorf("want a list of strings")
		}
		var list []string
		i = jsonscan.SkipWS(b, i+1)
		if i < len(b) && b[i] == ']' {
			v.Set(reflect.ValueOf([]string{}))
			return i + 1, nil
		}
		for {
			s, end, err := scanInterned(b, jsonscan.SkipWS(b, i), intern)
			if err != nil {
				return end, fmt.Errorf("want a list of strings")
			}
			list = append(list, s)
			i = jsonscan.SkipWS(b, end)
			if i < len(b) && b[i] == ',' {
				i++
				continue
			}
			if i < len(b) && b[i] == ']' {
				v.Set(reflect.ValueOf(list))
				return i + 1, nil
			}
			return i, fmt.Errorf("want a list of strings")
		}
	}
	return i, fmt.Errorf("unknown field type %s", f.Type)
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}

// scanInterned reads a JSON string and returns it interned: the few
// distinct values of a field ("ok", "left") are stored once, not per event.
func scanInterned(b []byte, i int, intern map[string]string) (string, int, error) {
	s, e, esc, next, err := jsonscan.String(b, i)
	if err != nil {
		return "", i, fmt.Errorf("want a string")
	}
	raw := b[s:e]
	if esc {
		raw = jsonscan.Unescape(nil, b[s:e])
	}
	if v, ok := intern[string(raw)]; ok {
		return v, next, nil
	}
	v := string(raw)
	if len(intern) < 4096 {
		intern[v] = v
	}
	return v, next, nil
}
