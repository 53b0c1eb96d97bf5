package standards_test

import (
	"os"
	"strings"
	"testing"

	"shicao/standards"
)

func TestProbe(t *testing.T) {
	valid, _ := os.ReadFile("testdata/valid/minimal.yaml")
	for _, v := range []string{"010", "0x10", "1_0", "0o10", "+3"} {
		s, err := standards.Parse("p.yaml", []byte(strings.Replace(string(valid), "version: 1", "version: "+v, 1)))
		if err != nil { t.Logf("%s: %v", v, err); continue }
		t.Logf("%s -> %d", v, s.Version)
	}
	// budget overflow
	head := strings.Split(string(valid), "tests:\n")[0]
	nest := "[{type: timer, data: {name: x, ms: 1}}]"
	for range 5 { nest = "[{repeat: 8192, do: " + nest + "}]" }
	_, err := standards.Parse("p.yaml", []byte(head+"tests:\n  - name: big\n    want: {score: 100}\n    events: "+nest+"\n"))
	t.Logf("overflow: %v", err)
	nest = "[{type: timer, data: {name: x, ms: 1}}]"
	for range 4 { nest = "[{repeat: 8192, do: " + nest + "}]" }
	_, err = standards.Parse("p.yaml", []byte(head+"tests:\n  - name: big\n    want: {score: 100}\n    events: "+nest+"\n"))
	t.Logf("4 levels: %v", err)
	for _, s := range []string{"# a\u2028b\nid: [x]\n", "title: a\u2029b\nid: [x]\n"} {
		_, err := standards.Parse("p.yaml", []byte(s))
		t.Logf("%q: %v", s, err)
	}
}
