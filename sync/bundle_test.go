package sync_test

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strings"
	"testing"

	examsync "shicao/sync"
)

func sameAsEncodingJSON(t *testing.T, body []byte, got examsync.Bundle) {
	t.Helper()
	var want examsync.Bundle
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&want); err != nil {
		t.Fatalf("DecodeBundle accepted what encoding/json refuses: %v\n%q", err, body)
	}
	// encoding/json keeps a list's elements exactly as written, too.
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("DecodeBundle read\n%+v\nencoding/json\n%+v\nfrom %q", got, want, body)
	}
}

var bundleSeeds = []string{
	`{}`,
	`{"result":"r","events":{"K1":[{"seq":1}],"K2":[]},"standards":{"A@1":"text\n"},"blueprint":"b"}`,
	` { "events" : { "K\u0031" : [ {"seq":1,"data":{"a":[1,2]}} , {"seq":2} ] } , "result" : null } `,
	`{"events":null,"standards":null,"blueprint":"\u6309\ud83d\ude00"}`,
}

// TestDecodeBundle_Refusals: what encoding/json would take loosely (or
// not at all) is refused with a message that says where.
func TestDecodeBundle_Refusals(t *testing.T) {
	tests := []struct{ in, want string }{
		{``, "want an object"},
		{`[]`, "want an object"},
		{`{"result":"a","result":"b"}`, `field "result" given twice`},
		{`{"events":{"K1":[],"K1":[]}}`, `events: field "K1" given twice`},
		{`{"extra":1}`, `unknown field "extra"`},
		{`{"result":1}`, "result: want a string"},
		{`{"standards":{"A@1":true}}`, "standards: A@1: want a string"},
		{`{"events":{"K1":{}}}`, "events: K1: want a list of events"},
		{`{"events":{"K1":[{"seq":1},]}}`, "events: K1: event 2: unexpected ']'"},
		{`{"events":{"K1":[{"seq":1}{"seq":2}]}}`, "events: K1: event 1: want ',' or ']' after it"},
		{`{"result":"a"} {}`, "more than one JSON value"},
		{`{"result":"a"`, `want ',' or '}' after "result"`},
		{"{\"result\":\"\xff\"}", "result: a string is not valid UTF-8"},
		{`{"events":{"K1":[` + strings.Repeat("[", 40) + `]}}`, "events: K1: event 1: nested too deeply"},
	}
	for _, tt := range tests {
		_, err := examsync.DecodeBundle([]byte(tt.in))
		if err == nil || err.Error() != "not a result bundle: "+tt.want {
			t.Errorf("DecodeBundle(%.40q): %v, want %q", tt.in, err, "not a result bundle: "+tt.want)
		}
	}
}

// FuzzDecodeBundle: never a panic, and whatever DecodeBundle accepts,
// encoding/json reads the same from.
func FuzzDecodeBundle(f *testing.F) {
	for _, s := range bundleSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		got, err := examsync.DecodeBundle(body)
		if err != nil {
			return
		}
		sameAsEncodingJSON(t, body, got)
	})
}

func TestDecodeBundle_Seeds(t *testing.T) {
	for _, s := range bundleSeeds {
		got, err := examsync.DecodeBundle([]byte(s))
		if err != nil {
			t.Fatalf("%s: %v", s, err)
		}
		sameAsEncodingJSON(t, []byte(s), got)
	}
}
