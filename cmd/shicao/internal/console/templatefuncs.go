package console

import (
	"fmt"

	"shicao/cmd/shicao/internal/centre"
)

// Template helpers beyond pages.go's: dict, to hand a shared template
// (a define) the several values it needs, and shortkey, to show a
// verifier key by its name and hash.
func init() {
	funcs["dict"] = dict
	funcs["shortkey"] = centre.ShortKey
}

// dict makes a map of its arguments taken in pairs, key then value:
// {{template "chart" (dict "Chart" $c "Page" $)}}. A template that calls
// it wrongly is a build defect, which the template's execution reports.
func dict(kv ...any) (map[string]any, error) {
	if len(kv)%2 != 0 {
		return nil, fmt.Errorf("dict: %d arguments, want key and value pairs", len(kv))
	}
	m := make(map[string]any, len(kv)/2)
	for i := 0; i < len(kv); i += 2 {
		k, ok := kv[i].(string)
		if !ok {
			return nil, fmt.Errorf("dict: argument %d is %T, want a string key", i+1, kv[i])
		}
		m[k] = kv[i+1]
	}
	return m, nil
}
