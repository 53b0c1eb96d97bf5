package standards_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/standards"
)

// FuzzParse feeds arbitrary bytes to Parse, ParseBlueprint and ParseAny, the
// functions a station runs on text from outside. None may panic; the same
// bytes must give the same answer twice (a linter and a station must agree,
// and a refusal must be reproducible); every problem must name the file and
// a line inside it; and whatever is accepted must be a sheet of 100 points
// (a paper of weights adding to 100) identified by the hash of its bytes.
func FuzzParse(f *testing.F) {
	for _, b := range validFixtures(f) {
		f.Add(b)
	}
	broken, err := filepath.Glob("testdata/broken/*.yaml")
	if err != nil {
		f.Fatal(err)
	}
	for _, path := range broken {
		b, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		lines := bytes.Count(data, []byte("\n")) + 1
		checkProblems := func(fn string, err error) {
			var ps standards.Problems
			if !errors.As(err, &ps) || len(ps) == 0 {
				t.Fatalf("%s: error %T %v, want Problems", fn, err, err)
			}
			for _, p := range ps {
				if p.File != "f.yaml" || p.Line < 0 || p.Line > lines || p.Msg == "" {
					t.Errorf("%s: problem %q does not locate itself in the %d-line file", fn, p, lines)
				}
			}
		}

		// Parse is the costly call (it compiles every expression), so each
		// input is parsed as a standard exactly twice: directly, and through
		// ParseAny or a second Parse.
		isBP := standards.IsBlueprint(data)
		s1, err1 := standards.Parse("f.yaml", data)
		c, errAny := standards.ParseAny("f.yaml", data)
		if isBP {
			s2, err2 := standards.Parse("f.yaml", data)
			sameAnswer(t, "Parse", err1, err2, func() (string, string) { return s1.SHA256(), s2.SHA256() })
		} else {
			sameAnswer(t, "Parse and ParseAny", err1, errAny, func() (string, string) { return s1.SHA256(), c.SHA256 })
		}
		if err1 != nil {
			checkProblems("Parse", err1)
		} else {
			var total standards.Points
			for _, it := range s1.Items {
				total += it.Points
			}
			if total != standards.PointsOf(100) {
				t.Errorf("Parse accepted items adding up to %s", total)
			}
			if s1.ID == "" || s1.Version < 1 || !bytes.Equal(s1.Source, data) {
				t.Errorf("Parse accepted id %q version %d, or changed the source", s1.ID, s1.Version)
			}
		}

		b1, err1 := standards.ParseBlueprint("f.yaml", data)
		b2, err2 := standards.ParseBlueprint("f.yaml", data)
		sameAnswer(t, "ParseBlueprint", err1, err2, func() (string, string) { return b1.SHA256(), b2.SHA256() })
		if isBP {
			sameAnswer(t, "ParseBlueprint and ParseAny", err1, errAny, func() (string, string) { return b1.SHA256(), c.SHA256 })
		}
		if err1 != nil {
			checkProblems("ParseBlueprint", err1)
		} else {
			var total standards.Points
			for _, s := range b1.Subjects {
				total += s.Weight
			}
			if total != standards.PointsOf(100) {
				t.Errorf("ParseBlueprint accepted weights adding up to %s", total)
			}
		}
		if errAny == nil && (c.Standard == nil) == (c.Blueprint == nil) {
			t.Error("ParseAny: want exactly one of Standard and Blueprint")
		}
	})
}

// sameAnswer fails unless two runs both refused with the same text, or
// both accepted with the same identity.
func sameAnswer(t *testing.T, fn string, err1, err2 error, ids func() (string, string)) {
	t.Helper()
	switch {
	case (err1 == nil) != (err2 == nil):
		t.Fatalf("%s: once %v, then %v", fn, err1, err2)
	case err1 != nil:
		if err1.Error() != err2.Error() {
			t.Fatalf("%s refused the same bytes differently:\n%v\nthen:\n%v", fn, err1, err2)
		}
	default:
		if a, b := ids(); a != b {
			t.Fatalf("%s accepted the same bytes as %s, then %s", fn, a, b)
		}
	}
}

// FuzzParseEvent feeds arbitrary lines to ParseEvent and ReadEvents, which
// read event logs from stations and from `shicao score`. Neither may panic;
// an accepted line must be valid JSON with the envelope's invariants and
// must survive WriteEvents and ReadEvents unchanged; a refused log must name
// the line at fault, which ParseEvent refuses alone with the same words.
func FuzzParseEvent(f *testing.F) {
	for _, s := range []string{
		`{"seq":1,"t_ms":0,"type":"session.start","source":"system","data":{"item":"SD-DG-K42","version":1,"examiners":["1","2"]}}`,
		`{"seq":2,"t_ms":545,"type":"cpr.compression","source":"device:cpr","data":{"depth_mm":55,"position":"ok","recoil":true}}`,
		`{"seq":3,"t_ms":1090,"type":"mark","source":"examiner:1","data":{"item":"assess","mark":"no-tap"}}`,
		`{"seq":4,"t_ms":2000,"type":"session.end","source":"system"}`,
		`{ "seq" : 5 , "t_ms" : 7 , "type" : "x\u00e9" , "data" : null }`,
		`{"seq":1,"t_ms":0,"type":"a","data":{"n":[1,{"x":"y"}],"s":"\"quoted\""}}`,
		"{\"seq\":1,\"t_ms\":0,\"type\":\"a\"}\n\n{\"seq\":2,\"t_ms\":1,\"type\":\"b\"}\n",
		"{\"seq\":1,\"t_ms\":0,\"type\":\"a\"}\n{\"seq\":0,\"t_ms\":1,\"type\":\"b\"}\n",
		`{"seq":1,"t_ms":-1,"type":"a"}`,
		`{"seq":1.5,"t_ms":0,"type":"a"}`,
		`{"seq":1,"t_ms":0,"type":"a","extra":1}`,
		`{"seq":1,"seq":2,"t_ms":0,"type":"a"}`,
		`{"seq":1,"t_ms":0,"type":"a","data":[1]}`,
		`{"seq":1,"t_ms":0,"type":"a"} {"seq":2}`,
		`[1,2]`,
		`null`,
		"",
		"\xff\xfe",
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		ev, lerr := standards.ParseEvent(data)
		if lerr != nil {
			if lerr.Msg == "" {
				t.Errorf("ParseEvent refused %q with no message", data)
			}
		} else {
			if !json.Valid(data) {
				t.Errorf("ParseEvent accepted %q, which is not JSON", data)
			}
			if ev.Seq < 1 || ev.TMs < 0 || ev.Type == "" {
				t.Errorf("ParseEvent accepted %+v", ev)
			}
			roundTrip(t, []standards.Event{ev})
		}

		evs, err := standards.ReadEvents(bytes.NewReader(data), "f.jsonl")
		if err == nil {
			roundTrip(t, evs)
			return
		}
		var le *standards.LineError
		if !errors.As(err, &le) {
			t.Fatalf("ReadEvents: error %T %v, want a LineError", err, err)
		}
		lines := strings.Split(string(data), "\n")
		if le.File != "f.jsonl" || le.Line < 1 || le.Line > len(lines) {
			t.Fatalf("ReadEvents: %v names line %d of a %d-line log", err, le.Line, len(lines))
		}
		if len(lines[le.Line-1]) > standards.MaxEventLine {
			return // refused for its length, before any parsing
		}
		for i, l := range lines[:le.Line-1] {
			if l := bytes.TrimSpace([]byte(l)); len(l) > 0 {
				if _, e := standards.ParseEvent(l); e != nil {
					t.Fatalf("ReadEvents blamed line %d, but line %d is bad: %v", le.Line, i+1, e)
				}
			}
		}
		_, alone := standards.ParseEvent(bytes.TrimSpace([]byte(lines[le.Line-1])))
		if alone == nil || alone.Field != le.Field || alone.Msg != le.Msg {
			t.Fatalf("ReadEvents: %v, but line %d alone gives %v", err, le.Line, alone)
		}
	})
}

// roundTrip checks that events written by WriteEvents read back the same.
func roundTrip(t *testing.T, evs []standards.Event) {
	t.Helper()
	var buf bytes.Buffer
	if err := standards.WriteEvents(&buf, evs); err != nil {
		t.Fatalf("WriteEvents of accepted events: %v", err)
	}
	back, err := standards.ReadEvents(bytes.NewReader(buf.Bytes()), "w.jsonl")
	if err != nil {
		t.Fatalf("ReadEvents of WriteEvents' output: %v\n%s", err, buf.Bytes())
	}
	if len(back) != len(evs) {
		t.Fatalf("wrote %d events, read %d", len(evs), len(back))
	}
	for i := range evs {
		a, b := evs[i], back[i]
		if a.Seq != b.Seq || a.TMs != b.TMs || a.Type != b.Type || a.Source != b.Source || compact(a.Data) != compact(b.Data) {
			t.Fatalf("event %d changed in a round trip:\n%+v\n%+v", i, a, b)
		}
	}
}

func compact(b []byte) string {
	if len(b) == 0 || string(b) == "null" {
		return ""
	}
	var buf bytes.Buffer
	if err := json.Compact(&buf, b); err != nil {
		return "invalid:" + string(b)
	}
	return buf.String()
}
