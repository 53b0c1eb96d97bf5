package standards_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"shicao/standards"
)

// TestParseEvent: an event line is strict JSON. What is accepted can be
// stored and exported again (WriteEvents) unchanged, because the centre
// re-scores and re-hashes exactly those events; what is not JSON is refused
// with the field at fault.
func TestParseEvent(t *testing.T) {
	tests := []struct {
		name      string
		line      string
		wantField string // "" with wantErr: the line as a whole
		wantErr   bool
	}{
		{name: "OK", line: `{"seq":2,"t_ms":545,"type":"cpr.compression","source":"device:cpr","data":{"depth_mm":55,"position":"ok","recoil":true}}`},
		{name: "OK/NoData", line: `{"seq":4,"t_ms":2000,"type":"session.end","source":"system"}`},
		{name: "OK/Spaces", line: ` { "seq" : 1 , "t_ms" : 0 , "type" : "timer" , "data" : { "name" : "pulse" , "ms" : 7000 } } `},
		{name: "OK/Escapes", line: `{"seq":1,"t_ms":0,"type":"mark","data":{"item":"a\"b","mark":"\u672a"}}`},
		{name: "SeqMissing", line: `{"t_ms":0,"type":"a"}`, wantField: "seq", wantErr: true},
		{name: "SeqZero", line: `{"seq":0,"t_ms":0,"type":"a"}`, wantField: "seq", wantErr: true},
		{name: "SeqFraction", line: `{"seq":1.5,"t_ms":0,"type":"a"}`, wantField: "seq", wantErr: true},
		{name: "TimeNegative", line: `{"seq":1,"t_ms":-1,"type":"a"}`, wantField: "t_ms", wantErr: true},
		{name: "TypeMissing", line: `{"seq":1,"t_ms":0}`, wantField: "type", wantErr: true},
		{name: "TypeEmpty", line: `{"seq":1,"t_ms":0,"type":""}`, wantField: "type", wantErr: true},
		{name: "UnknownField", line: `{"seq":1,"t_ms":0,"type":"a","extra":1}`, wantField: "extra", wantErr: true},
		{name: "FieldTwice", line: `{"seq":1,"seq":2,"t_ms":0,"type":"a"}`, wantField: "seq", wantErr: true},
		{name: "DataNotObject", line: `{"seq":1,"t_ms":0,"type":"a","data":[1]}`, wantField: "data", wantErr: true},
		{name: "TwoValues", line: `{"seq":1,"t_ms":0,"type":"a"} {"seq":2}`, wantErr: true},
		{name: "Array", line: `[1,2]`, wantErr: true},
		// Not JSON, though the scanner's shortcuts could let them through.
		{name: "DataLeadingZero", line: `{"seq":1,"t_ms":0,"type":"a","data":{"x":01}}`, wantField: "data", wantErr: true},
		{name: "DataBadEscape", line: `{"seq":1,"t_ms":0,"type":"a","data":{"x":"\q"}}`, wantField: "data", wantErr: true},
		{name: "DataNULEscape", line: `{"seq":1,"t_ms":0,"type":"a","data":{"x":"\0"}}`, wantField: "data", wantErr: true},
		{name: "TypeBadEscape", line: `{"seq":1,"t_ms":0,"type":"a\q"}`, wantField: "type", wantErr: true},
		{name: "TypeShortUnicodeEscape", line: `{"seq":1,"t_ms":0,"type":"a\u12"}`, wantField: "type", wantErr: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ev, lerr := standards.ParseEvent([]byte(tt.line))
			if tt.wantErr {
				if lerr == nil {
					t.Fatalf("BUG: accepted %s as %+v", tt.line, ev)
				}
				if lerr.Field != tt.wantField {
					t.Errorf("refused naming field %q (%v), want %q", lerr.Field, lerr, tt.wantField)
				}
				return
			}
			if lerr != nil {
				t.Fatalf("refused: %v", lerr)
			}
			roundTrip(t, []standards.Event{ev})
		})
	}
}

func TestReadEvents(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		log := "{\"seq\":1,\"t_ms\":0,\"type\":\"session.start\"}\r\n\n   \n{\"seq\":2,\"t_ms\":5,\"type\":\"session.end\"}"
		evs, err := standards.ReadEvents(strings.NewReader(log), "s.jsonl")
		if err != nil {
			t.Fatal(err)
		}
		if len(evs) != 2 || evs[1].Type != "session.end" || evs[1].TMs != 5 {
			t.Errorf("read %+v", evs)
		}
	})
	t.Run("NamesTheLine", func(t *testing.T) {
		log := "{\"seq\":1,\"t_ms\":0,\"type\":\"a\"}\n\n{\"seq\":2,\"t_ms\":-5,\"type\":\"b\"}\n"
		_, err := standards.ReadEvents(strings.NewReader(log), "s.jsonl")
		if err == nil || err.Error() != "s.jsonl:3: t_ms: -5 is negative" {
			t.Errorf("got %v, want s.jsonl:3: t_ms: -5 is negative", err)
		}
	})
	t.Run("LineTooLong", func(t *testing.T) {
		long := `{"seq":1,"t_ms":0,"type":"a","source":"` + strings.Repeat("x", standards.MaxEventLine) + `"}`
		log := "{\"seq\":1,\"t_ms\":0,\"type\":\"a\"}\n" + long + "\n"
		_, err := standards.ReadEvents(strings.NewReader(log), "s.jsonl")
		var le *standards.LineError
		if !errors.As(err, &le) || le.Line != 2 {
			t.Fatalf("got %v, want a LineError on line 2", err)
		}
	})
	t.Run("WriteRead", func(t *testing.T) {
		var buf bytes.Buffer
		evs := []standards.Event{
			{Seq: 1, TMs: 0, Type: "session.start", Source: "system", Data: []byte(`{"item":"T","version":1,"examiners":["1"]}`)},
			{Seq: 2, TMs: 10, Type: "mark", Source: "examiner:1", Data: []byte(`{"item":"assess","mark":"未轻拍<双肩>"}`)},
			{Seq: 3, TMs: 20, Type: "session.end", Source: "system"},
		}
		if err := standards.WriteEvents(&buf, evs); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(buf.String(), "<双肩>") {
			t.Errorf("WriteEvents escaped the text of a mark:\n%s", buf.String())
		}
		roundTrip(t, evs)
	})
}
