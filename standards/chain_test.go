package standards

import (
	"bytes"
	"testing"
)

// TestCanonicalData: the fast path (already canonical) and the general
// path agree, and the general path canonicalises what the fast path
// refuses.
func TestCanonicalData(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"depth_mm":55,"position":"ok","recoil":true}`, `{"depth_mm":55,"position":"ok","recoil":true}`},
		{`{"recoil":true,"depth_mm":55,"position":"ok"}`, `{"depth_mm":55,"position":"ok","recoil":true}`},
		{`{ "a" : 1.50 }`, `{"a":1.50}`},
		{`{"edges":["A-B","B-C"],"n":null}`, `{"edges":["A-B","B-C"],"n":null}`},
		{`{"s":"<&>"}`, `{"s":"<&>"}`},
		{`{"s":"a\u00e9"}`, `{"s":"aé"}`},
		{`{"s":"line\u2028sep"}`, `{"s":"line\u2028sep"}`},
		{"{\"s\":\"line\u2028sep\"}", `{"s":"line\u2028sep"}`},
		{`{"o":{"b":1,"a":2}}`, `{"o":{"a":2,"b":1}}`},
		{`{"a":1,"a":2}`, `{"a":2}`},
		{`{}`, `{}`},
		{`null`, ``},
	}
	for _, tt := range tests {
		got, err := CanonicalData([]byte(tt.in))
		if err != nil {
			t.Errorf("%s: %v", tt.in, err)
			continue
		}
		if string(got) != tt.want {
			t.Errorf("CanonicalData(%s) = %s, want %s", tt.in, got, tt.want)
		}
		// Canonical is a fixed point.
		again, _ := CanonicalData(got)
		if !bytes.Equal(again, got) {
			t.Errorf("not a fixed point: %s -> %s", got, again)
		}
	}
	for _, bad := range []string{`[1]`, `{"a":}`, `{"a":1} {}`, `"x"`} {
		if _, err := CanonicalData([]byte(bad)); err == nil {
			t.Errorf("CanonicalData(%s) accepted", bad)
		}
	}
}
