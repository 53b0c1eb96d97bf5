package station

import (
	"regexp"
	"strings"
	"testing"

	"shicao/scoring"
)

// TestOutageText: the script driver's sheet names each outage with the
// seq and time its device was lost and back, or says it is not back.
func TestOutageText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		o    scoring.Outage
		want string
	}{
		{scoring.Outage{Device: "cpr", LostSeq: 819, LostMs: 30654, BackSeq: 820, BackMs: 36017, DurationMs: 5363}, "outage cpr lost 0:30.6 #819 back 0:36.0 #820 5.4s"},
		{scoring.Outage{Device: "extinguisher", LostSeq: 7, LostMs: 61000, DurationMs: 1500}, "outage extinguisher lost 1:01.0 #7 not back 1.5s"},
	}
	for _, tt := range tests {
		if got := outageText(tt.o); got != tt.want {
			t.Errorf("outageText(%+v) = %q, want %q", tt.o, got, tt.want)
		}
	}
}

// TestScriptHelp_EveryStep: the help has a line for every step in the
// table, with its usage and what it does, so a step cannot run
// undocumented; and every step's arguments are well formed (optional
// ones last, the rest of the line only at the end).
func TestScriptHelp_EveryStep(t *testing.T) {
	t.Parallel()
	help := ScriptHelp()
	seen := map[string]bool{}
	for _, s := range scriptSteps {
		if seen[s.name] {
			t.Errorf("step %q is in the table twice", s.name)
		}
		seen[s.name] = true
		if s.help == "" || s.run == nil {
			t.Errorf("step %q: want help and a run func", s.name)
		}
		if !strings.Contains(help, "\n  "+s.usage()+" ") && !strings.HasPrefix(help, "  "+s.usage()+" ") && !strings.Contains(help, "\n  "+s.usage()+"\n") {
			t.Errorf("ScriptHelp has no line for %q:\n%s", s.usage(), help)
		}
		if !strings.Contains(help, strings.SplitN(s.help, "\n", 2)[0]) {
			t.Errorf("ScriptHelp lacks the help of %q", s.name)
		}
		if lookupStep(s.name) == nil {
			t.Errorf("step %q is not dispatched", s.name)
		}
		for i, a := range s.args {
			if i > 0 && s.args[i-1].optional && !a.optional {
				t.Errorf("step %q: %s follows an optional argument", s.name, a.name)
			}
			if a.kind == kindText && i != len(s.args)-1 {
				t.Errorf("step %q: %s takes the rest of the line but is not last", s.name, a.name)
			}
		}
	}
	if got, want := len(regexp.MustCompile(`(?m)^  \S`).FindAllString(help, -1)), len(scriptSteps)+len(scriptSyntax); got != want {
		t.Errorf("ScriptHelp has %d lines that start a step, want %d:\n%s", got, want, help)
	}
}

// TestScriptHelp_Columns: the help's lines are those `station run
// --help` prints: usage, then what the step does in a column.
func TestScriptHelp_Columns(t *testing.T) {
	t.Parallel()
	help := ScriptHelp()
	for _, want := range []string{
		"  play VECTOR [fast]           play the item standard's own test vector",
		"  ready                        run the readiness gate",
		"  await TYPE COUNT [TIMEOUT]   wait until the item has COUNT events of TYPE (simulated equipment:\n                               TIMEOUT counts from",
		"  candidate ID-NUMBER [--manual REASON...]\n                               check the candidate's 身份证号",
		"  !STEP                        the step must be refused",
	} {
		if !strings.Contains(help, want) {
			t.Errorf("ScriptHelp lacks %q:\n%s", want, help)
		}
	}
}
