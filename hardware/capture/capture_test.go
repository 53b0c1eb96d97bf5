package capture

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	var b []byte
	b = append(b, "# comment\n\n"...)
	b = Append(b, 0, []byte{0x55, 0xAA})
	b = Append(b, 1500*time.Millisecond, []byte("<PD=54>"))
	b = append(b, "1600 3c 42 3e\n"...)
	got, err := Parse(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[1].At != 1500*time.Millisecond || string(got[1].Data) != "<PD=54>" || string(got[2].Data) != "<B>" {
		t.Errorf("Parse = %+v", got)
	}
	for _, bad := range []string{"5 aa\n4 bb\n", "x aa\n", "1 zz\n", "# only a comment\n", "1\n"} {
		if _, err := Parse(strings.NewReader(bad)); err == nil {
			t.Errorf("Parse(%q) succeeded", bad)
		}
	}
}
