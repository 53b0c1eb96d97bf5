package jsonscan_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"shicao/standards/jsonscan"
)

var strings = []string{
	`""`, `"plain"`, `"按压深度"`, `"a\"b\\c\/d"`, `"\b\f\n\r\t"`, `"\u00e9\u6309"`,
	`"\ud83d\ude00"`,       // a surrogate pair
	`"\ud83d"`,             // a lone high surrogate
	`"\ude00x"`,            // a lone low surrogate
	`"\ud83d\u0041"`,       // a high surrogate and a letter
	`"\ud83d\ud83d\ude00"`, // two highs, then a low
	`"x\ud83d\\u0041"`,     // a high surrogate, then an escaped backslash
	`"line\nline\n"`,
	`"unterminated`, `"bad \x escape"`, `"ctl ` + "\x01" + `"`, `"\u12"`, `"\u12G4"`, "\"\xff\"",
}

// TestStringMatchesEncodingJSON checks String and Unescape against
// encoding/json on hand-picked strings: same acceptance, same text.
func TestStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range strings {
		check(t, []byte(s))
	}
}

func FuzzString(f *testing.F) {
	for _, s := range strings {
		f.Add([]byte(s))
	}
	f.Fuzz(check)
}

func check(t *testing.T, in []byte) {
	t.Helper()
	if len(in) == 0 || in[0] != '"' {
		return // String reads a string where one starts
	}
	start, end, esc, next, err := jsonscan.String(in, 0)
	var want string
	jerr := json.Unmarshal(in, &want)
	if err != nil {
		// encoding/json replaces invalid UTF-8 where String refuses it:
		// a station never writes it, and a log that holds it is refused.
		if jerr == nil && !bytes.ContainsRune([]byte(want), '\uFFFD') {
			t.Fatalf("%q: String refused (%v) what encoding/json accepts", in, err)
		}
		return
	}
	got := in[start:end]
	if esc {
		got = jsonscan.Unescape(nil, got)
	}
	if next != len(in) {
		return // trailing bytes: encoding/json refuses the whole; String read one string
	}
	if jerr != nil {
		t.Fatalf("%q: String accepted what encoding/json refuses: %v", in, jerr)
	}
	if string(got) != want {
		t.Fatalf("%q: got %q, encoding/json %q", in, got, want)
	}
}

func TestSkipValueDepth(t *testing.T) {
	deep := bytes.Repeat([]byte("["), jsonscan.MaxDepth+2)
	if _, err := jsonscan.SkipValue(deep, 0); err == nil || err.Error() != "nested too deeply" {
		t.Fatalf("SkipValue of %d brackets: %v, want nested too deeply", len(deep), err)
	}
	v := []byte(` {"a":[1,-2.5e3,"x",true,false,null,{}]} ,`)
	end, err := jsonscan.SkipValue(v, 0)
	if err != nil || string(v[end:]) != " ," {
		t.Fatalf("SkipValue: end %d (%q), %v", end, v[end:], err)
	}
}
