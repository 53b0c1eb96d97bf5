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

// TestChainMatchesCanonical: the allocation-free Chain links exactly what
// Canonical and ChainNext do, for plain types and sources and for ones
// encoding/json must escape.
func TestChainMatchesCanonical(t *testing.T) {
	events := []Event{
		{Seq: 1, TMs: 0, Type: "item.start", Source: "station"},
		{Seq: 2, TMs: 545, Type: "cpr.compression", Source: "cpr", Data: []byte(`{"recoil":true,"depth_mm":55,"position":"ok"}`)},
		{Seq: 3, TMs: 600, Type: "mark", Source: "examiner:王\"x\\y", Data: []byte(`{"id":"no-tap"}`)},
		{Seq: 4, TMs: 700, Type: "note<&>\u2028", Source: "ctl\x01", Data: []byte(`{"s":"a\u00e9"}`)},
		{Seq: 5, TMs: 800, Type: "x", Source: "bad\xffutf8"},
	}
	want, err := ChainHead(events)
	if err != nil {
		t.Fatal(err)
	}
	var c Chain
	for _, e := range events {
		canon, err := e.Canonical()
		if err != nil {
			t.Fatal(err)
		}
		got, err := AppendCanonical([]byte("prefix"), e.Seq, e.TMs, []byte(e.Type), []byte(e.Source), e.Data)
		if err != nil || string(got) != "prefix"+string(canon) {
			t.Fatalf("AppendCanonical(%d) = %s, %v; Canonical %s", e.Seq, got, err, canon)
		}
		if err := c.Add(e.Seq, e.TMs, []byte(e.Type), []byte(e.Source), e.Data); err != nil {
			t.Fatal(err)
		}
	}
	if c.Head() != want {
		t.Fatalf("Chain head %s, ChainHead %s", c.Head(), want)
	}
	if err := c.Add(6, 900, []byte("x"), nil, []byte(`{"a":`)); err == nil {
		t.Fatal("Chain.Add took a broken data object")
	}
	typ, src, data := []byte("cpr.compression"), []byte("cpr"), []byte(`{"depth_mm":55,"position":"ok","recoil":true}`)
	c = Chain{}
	allocs := testing.AllocsPerRun(100, func() {
		_ = c.Add(2, 545, typ, src, data)
	})
	if allocs > 0 {
		t.Fatalf("Chain.Add allocates %v times per canonical event", allocs)
	}
}

// TestScanChainedEvent: an exported line's "chain" is returned apart from
// the event; a plain event scan still refuses it as an unknown field.
func TestScanChainedEvent(t *testing.T) {
	line := []byte(`{"seq":1,"t_ms":0,"type":"session.start","source":"system","data":{"item":"X"},"chain":"ab01"}`)
	v, chain, lerr := ScanChainedEvent(line)
	if lerr != nil || string(chain) != "ab01" || v.Seq != 1 || string(v.Data) != `{"item":"X"}` {
		t.Fatalf("ScanChainedEvent: %+v %q %v", v, chain, lerr)
	}
	if _, lerr := ScanEvent(line); lerr == nil || lerr.Field != "chain" || lerr.Msg != "unknown field" {
		t.Fatalf("ScanEvent: %v, want chain: unknown field", lerr)
	}
	if _, _, lerr := ScanChainedEvent([]byte(`{"seq":1,"t_ms":0,"type":"a","chain":1}`)); lerr == nil || lerr.Field != "chain" {
		t.Fatalf("a numeric chain: %v", lerr)
	}
	if _, chain, lerr := ScanChainedEvent([]byte(`{"seq":1,"t_ms":0,"type":"a"}`)); lerr != nil || chain != nil {
		t.Fatalf("no chain: %q %v", chain, lerr)
	}
}
