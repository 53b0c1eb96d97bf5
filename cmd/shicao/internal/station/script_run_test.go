package station_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// TestScriptRunner_Usage: a line no step reads is refused with its file
// and line and what the step takes, before anything runs (no station is
// needed to refuse it).
func TestScriptRunner_Usage(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script, want string
	}{
		{"UnknownStep", "# a rehearsal\nsigin 1 2",
			`exam.txt:2: sigin: unknown step "sigin"; the steps are plan, signin, candidate, card, draw, ready, reference, item, play, mark, veto, timer, phase, wait, await, settle, scenario, power, unplug, plug, finish, resolve, confirm, ack, sheet, done, slip, resume, continue, void`},
		{"TooFew", "signin 370902198001011230", "exam.txt:1: signin: missing PIN; usage: signin EXAMINER-ID PIN"},
		{"TooMany", "\n\nitem K1 K2", `exam.txt:3: item: "K2" is one argument too many; usage: item SUBJECT`},
		{"NoArguments", "finish now", `exam.txt:1: finish: "now" is one argument too many; usage: finish`},
		{"Duration", "wait 5", `exam.txt:1: wait: DURATION "5": want a duration such as 90s or 1m30s; usage: wait DURATION`},
		{"NegativeDuration", "wait -5s", `exam.txt:1: wait: DURATION "-5s": want a duration such as 90s or 1m30s; usage: wait DURATION`},
		{"WholeNumber", "await cpr.compression three", `exam.txt:1: await: COUNT "three": want a whole number; usage: await TYPE COUNT [TIMEOUT]`},
		{"Number", "reference cpr deep", `exam.txt:1: reference: VALUE "deep": want a number; usage: reference KIND [VALUE]`},
		{"Points", "resolve K4:call 0.25 a hasty call", `exam.txt:1: resolve: DEDUCT "0.25": want points such as 2 or 0.5; usage: resolve ITEM DEDUCT REASON...`},
		{"Choice", "power board maybe", `exam.txt:1: power: "maybe": want on or off; usage: power KIND on|off`},
		{"OptionalChoice", "play perfect slow", `exam.txt:1: play: "slow": want fast; usage: play VECTOR [fast]`},
		{"Flag", "candidate 370902199903081216 --manul lost", `exam.txt:1: candidate: "--manul": want --manual; usage: candidate ID-NUMBER [--manual REASON...]`},
		{"Text", "void", "exam.txt:1: void: missing REASON; usage: void REASON..."},
		{"RefusalOfNothing", "!", "exam.txt:1: ! must be followed by the step that is refused"},
		{"UnclosedQuote", `void "ill`, "exam.txt:1: unclosed quote"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out strings.Builder
			r := &station.ScriptRunner{Out: &out}
			err := r.Run(context.Background(), strings.NewReader(tt.script), "exam.txt")
			var se *station.ScriptError
			if !errors.As(err, &se) || err.Error() != tt.want {
				t.Fatalf("Run(%q) = %v, want a *ScriptError %q", tt.script, err, tt.want)
			}
			if out.Len() > 0 {
				t.Errorf("Run(%q) printed %q, want nothing: no step ran", tt.script, out.String())
			}
		})
	}
}

// TestScriptRunner_NeedsExam: a step that needs an exam or an item says
// which step opens it.
func TestScriptRunner_NeedsExam(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	tests := []struct {
		script, want string
	}{
		{"draw", "exam.txt:1: draw: no exam: start with plan ID (or resume ATTEMPT)"},
		{"plan " + demo.PlanID + "\nfinish", "exam.txt:2: finish: no item: start one with item SUBJECT"},
	}
	for _, tt := range tests {
		r := &station.ScriptRunner{S: f.s, Out: &strings.Builder{}}
		if err := r.Run(context.Background(), strings.NewReader(tt.script), "exam.txt"); err == nil || err.Error() != tt.want {
			t.Errorf("Run(%q) = %v, want %q", tt.script, err, tt.want)
		}
	}
}

// TestScriptRunner_Refusal: a step a rule refuses returns a *ScriptError
// that wraps the *Refusal, so a caller shows it in the examiners'
// language with errors.As instead of editing its text; a "!" line
// expects the refusal and goes on; a "!" line that goes through stops
// the script.
func TestScriptRunner_Refusal(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	chief := demo.Examiners[0]
	ctx := context.Background()

	t.Run("Refused", func(t *testing.T) {
		var out strings.Builder
		r := &station.ScriptRunner{S: f.s, Out: &out, Lang: "en"}
		err := r.Run(ctx, strings.NewReader("plan "+demo.PlanID+"\nsignin "+chief.ID+" 000000"), "exam.txt")
		var ref *station.Refusal
		var se *station.ScriptError
		if !errors.As(err, &ref) || ref.Code != "pin-wrong" || !errors.As(err, &se) {
			t.Fatalf("Run = %v, want a *ScriptError wrapping the refusal pin-wrong", err)
		}
		if se.File != "exam.txt" || se.Line != 2 || se.Step != "signin" {
			t.Errorf("ScriptError at %s:%d step %q, want exam.txt:2 signin", se.File, se.Line, se.Step)
		}
		if got, want := se.Text("zh"), "exam.txt:2: signin: "+ref.ZH; got != want || !strings.Contains(got, "密码错误") {
			t.Errorf("Text(zh) = %q, want %q", got, want)
		}
		if got, want := se.Text("en"), "exam.txt:2: signin: wrong PIN (4 tries left)"; got != want || err.Error() != want {
			t.Errorf("Text(en) = %q and Error() = %q, want both %q", got, err.Error(), want)
		}
	})
	t.Run("Expected", func(t *testing.T) {
		var out strings.Builder
		r := &station.ScriptRunner{S: f.s, Out: &out, Lang: "zh"}
		script := "plan " + demo.PlanID + "\n!signin " + chief.ID + " 000000  # a slip of the finger\nsignin " + chief.ID + " " + chief.PIN
		if err := r.Run(ctx, strings.NewReader(script), "exam.txt"); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(out.String(), "\nrefused (pin-wrong): 密码错误（还可尝试") || !strings.Contains(out.String(), "\nsigned in "+chief.ID) {
			t.Errorf("printed %q, want the refusal in Chinese, then the sign-in", out.String())
		}
	})
	t.Run("NotRefused", func(t *testing.T) {
		r := &station.ScriptRunner{S: f.s, Out: &strings.Builder{}}
		err := r.Run(ctx, strings.NewReader("!plan "+demo.PlanID), "exam.txt")
		var se *station.ScriptError
		if !errors.As(err, &se) || err.Error() != "exam.txt:1: plan: was not refused" {
			t.Errorf("Run = %v, want exam.txt:1: plan: was not refused", err)
		}
	})
}

// TestScriptRunner_ResolveBeforeSignIn: a resumed item is open before any
// examiner has signed in again; resolving a review then is refused, not
// a panic (there is no chief examiner yet).
func TestScriptRunner_ResolveBeforeSignIn(t *testing.T) {
	t.Parallel()
	f := newFixture(t)
	ctx := context.Background()
	var out strings.Builder
	r := &station.ScriptRunner{S: f.s, Out: &out, Devices: allDevices}
	first := "plan " + demo.PlanID + "\nsignin " + demo.Examiners[0].ID + " " + demo.Examiners[0].PIN +
		"\nsignin " + demo.Examiners[1].ID + " " + demo.Examiners[1].PIN +
		"\ncandidate " + demo.Candidates[3].IDNumber + "\ndraw resume-1\nitem K1"
	if err := r.Run(ctx, strings.NewReader(first), "first.txt"); err != nil {
		t.Fatal(err)
	}
	// The power goes: the process is gone, only the store remains.
	f.s.Close()
	s2, err := station.OpenDir(ctx, f.dir, f.clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	in, err := s2.Interrupted(ctx)
	if err != nil || len(in) != 1 {
		t.Fatalf("interrupted %+v %v, want one item", in, err)
	}
	r = &station.ScriptRunner{S: s2, Out: &out, Devices: allDevices}
	second := "resume " + in[0].Session.AttemptID + "\nresolve K13:a 2 the examiners disagree"
	err = r.Run(ctx, strings.NewReader(second), "second.txt")
	if want := `second.txt:2: resolve: examiner "1": give the number of a signed-in examiner (1 is the first)`; err == nil || err.Error() != want {
		t.Errorf("Run = %v, want %q", err, want)
	}
}
