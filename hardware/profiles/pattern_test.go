package profiles

import (
	"reflect"
	"regexp"
	"testing"
)

// TestFastPattern checks the fast matcher against the regexp it stands in
// for, and that it refuses patterns where greedy matching would be wrong.
func TestFastPattern(t *testing.T) {
	patterns := []string{`<PD=(?P<d>\d{1,3})>`, `<Blow>`, `<Battery=(?P<b>\d+)>`, `T(?P<t>-?)(?P<v>[0-9]+)\s*;`, `(?P<k>[a-z]+)=(?P<v>[^,]*)`}
	inputs := []string{"<PD=54>", "<PD=5444>", "<PD=>", "<Blow>", "<Blowx>", "<Battery=87>", "T-12 ;", "T12;", "T-;", "abc=1,2", "abc=", "=1", ""}
	for _, pat := range patterns {
		fp := compileFast(pat)
		if fp == nil {
			t.Errorf("%s: not compiled fast", pat)
			continue
		}
		re := regexp.MustCompile("^(?:" + pat + ")$")
		for _, in := range inputs {
			want := re.FindSubmatchIndex([]byte(in))
			m := make([]int, 2*fp.ncap+2)
			ok := fp.match([]byte(in), m)
			if ok != (want != nil) || ok && !reflect.DeepEqual(m, want) {
				t.Errorf("%s on %q: fast %v %v, regexp %v", pat, in, ok, m, want)
			}
		}
	}
	for _, pat := range []string{`<(?P<a>.+)>`, `(?P<a>\d+)(?P<b>\d+)`, `(?i)blow`, `a|b`, `(?P<a>x)`} {
		if compileFast(pat) != nil {
			t.Errorf("%s: compiled fast, but greedy matching may be wrong for it", pat)
		}
	}
}
