package station

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"shicao/standards"
)

// scriptStep is one step of an exam script: its name, the arguments it
// takes, the line of help that documents it, and what it does. The table
// scriptSteps is the only list of steps: the runner dispatches from it,
// checks each line's arguments against it, and ScriptHelp prints it, so a
// step that runs is a step that is documented.
type scriptStep struct {
	name  string
	args  []scriptArg
	help  string // continuation lines after "\n" are indented under the first
	needs stepNeeds
	run   func(r *ScriptRunner, ctx context.Context, args []string) error
}

// stepNeeds is what must be open before a step runs.
type stepNeeds int

const (
	needNothing stepNeeds = iota // plan, resume: they open the exam
	needExam
	needItem // an item started (or resumed)
)

// scriptArg is one argument of a step, named as its usage shows it.
type scriptArg struct {
	name     string // "KIND"; for kindChoice the words it takes: "on|off"
	kind     argKind
	optional bool // it and every argument after it may be left out
}

// argKind is what an argument must look like for the line to be run.
type argKind int

const (
	kindWord     argKind = iota // any one word
	kindInt                     // a whole number: 45
	kindNumber                  // a number: 50, 47.5
	kindDuration                // a duration: 90s, 1m30s
	kindPoints                  // points, at most one decimal digit: 2, 0.5
	kindChoice                  // one of the words its name lists
	kindText                    // the rest of the line, several words
)

func argWord(name string) scriptArg     { return scriptArg{name: name} }
func argInt(name string) scriptArg      { return scriptArg{name: name, kind: kindInt} }
func argNumber(name string) scriptArg   { return scriptArg{name: name, kind: kindNumber} }
func argDuration(name string) scriptArg { return scriptArg{name: name, kind: kindDuration} }
func argPoints(name string) scriptArg   { return scriptArg{name: name, kind: kindPoints} }
func argChoice(words string) scriptArg  { return scriptArg{name: words, kind: kindChoice} }
func argText(name string) scriptArg     { return scriptArg{name: name, kind: kindText} }

// argOptional is a, which may be left out (with every argument after it).
func argOptional(a scriptArg) scriptArg { a.optional = true; return a }

// scriptSteps are the steps of an exam script, in the order the help
// lists them (roughly the order of an exam).
var scriptSteps = []scriptStep{
	{"plan", []scriptArg{argWord("ID")},
		"open an exam under the plan", needNothing, (*ScriptRunner).stepPlan},
	{"signin", []scriptArg{argWord("EXAMINER-ID"), argWord("PIN")},
		"an examiner signs in (the chief examiner first)", needExam, (*ScriptRunner).stepSignIn},
	{"candidate", []scriptArg{argWord("ID-NUMBER"), argOptional(argChoice("--manual")), argOptional(argText("REASON"))},
		"check the candidate's 身份证号 and start the attempt;\n--manual: typed in by hand for REASON, which the signed-in examiners confirm", needExam, (*ScriptRunner).stepCandidate},
	{"card", nil,
		"read the candidate's ID card on the reader, identify them and start the attempt", needExam, (*ScriptRunner).stepCard},
	{"draw", []scriptArg{argOptional(argWord("SEED"))},
		"draw one item per subject (a fresh random seed if none)", needExam, (*ScriptRunner).stepDraw},
	{"ready", nil,
		"run the readiness gate (devices, references, clock) and print each check", needExam, (*ScriptRunner).stepReady},
	{"reference", []scriptArg{argWord("KIND"), argOptional(argNumber("VALUE"))},
		"start a device's reference check; VALUE stands for the device's reading", needExam, (*ScriptRunner).stepReference},
	{"item", []scriptArg{argWord("SUBJECT")},
		"start the drawn item of a subject (K1, K2...)", needExam, (*ScriptRunner).stepItem},
	{"play", []scriptArg{argWord("VECTOR"), argOptional(argChoice("fast"))},
		"play the item standard's own test vector (fast: the clock skips ahead; events keep their times)", needItem, (*ScriptRunner).stepPlay},
	{"mark", []scriptArg{argInt("N"), argWord("ITEM"), argWord("MARK")},
		"examiner N (1 is the first signed in) records a mark", needItem, (*ScriptRunner).stepMark},
	{"veto", []scriptArg{argInt("N"), argWord("VETO")},
		"examiner N records a veto (the item ends)", needItem, (*ScriptRunner).stepVeto},
	{"timer", []scriptArg{argWord("NAME"), argDuration("DURATION")},
		"an examiner-timed interval", needItem, (*ScriptRunner).stepTimer},
	{"phase", []scriptArg{argWord("NAME")},
		"the item enters a phase", needItem, (*ScriptRunner).stepPhase},
	{"wait", []scriptArg{argDuration("DURATION")},
		"let time pass", needExam, (*ScriptRunner).stepWait},
	{"await", []scriptArg{argWord("TYPE"), argInt("COUNT"), argOptional(argDuration("TIMEOUT"))},
		"wait until the item has COUNT events of TYPE (simulated equipment:\nTIMEOUT counts from the end of the simulator's scenario)", needItem, (*ScriptRunner).stepAwait},
	{"settle", []scriptArg{argWord("KIND")},
		"wait until a simulated device has played its scenario (demo, --sims)", needExam, (*ScriptRunner).stepSettle},
	{"scenario", []scriptArg{argWord("KIND"), argWord("NAME")},
		"a simulated device plays a scenario (demo, --sims)", needExam, (*ScriptRunner).stepScenario},
	{"power", []scriptArg{argWord("KIND"), argChoice("on|off")},
		"the examiners grant or withdraw a device's power", needExam, (*ScriptRunner).stepPower},
	{"unplug", []scriptArg{argWord("KIND")},
		"pull a simulated device's cable out", needExam, (*ScriptRunner).stepUnplug},
	{"plug", []scriptArg{argWord("KIND")},
		"put a simulated device's cable back", needExam, (*ScriptRunner).stepUnplug},
	{"finish", nil,
		"end the item", needItem, (*ScriptRunner).stepFinish},
	{"resolve", []scriptArg{argWord("ITEM"), argPoints("DEDUCT"), argText("REASON")},
		"the chief examiner resolves a review", needItem, (*ScriptRunner).stepResolve},
	{"confirm", nil,
		"every examiner confirms the sheet", needItem, (*ScriptRunner).stepConfirm},
	{"ack", []scriptArg{argChoice("yes|no")},
		"the candidate signs the sheet, or refuses", needItem, (*ScriptRunner).stepAck},
	{"sheet", nil,
		"print the item's sheet summary", needItem, (*ScriptRunner).stepSheet},
	{"done", nil,
		"score the paper, sign and save the result (and print its slip, with a printer)", needExam, (*ScriptRunner).stepDone},
	{"slip", []scriptArg{argOptional(argWord("RESULT"))},
		"print a result's score slip (the last saved if none): printed, or queued and why", needExam, (*ScriptRunner).stepSlip},
	{"resume", []scriptArg{argWord("ATTEMPT")},
		"reopen an interrupted attempt (then signin, then continue or void)", needNothing, (*ScriptRunner).stepResume},
	{"continue", nil,
		"go on with the interrupted item", needExam, (*ScriptRunner).stepContinue},
	{"void", []scriptArg{argText("REASON")},
		"void the interrupted attempt with a reason", needExam, (*ScriptRunner).stepVoid},
}

// scriptSyntax is what a script holds besides its steps.
var scriptSyntax = [][2]string{
	{"# ...", "a comment"},
	{"!STEP", "the step must be refused: the refusal is printed and the script goes on"},
}

// ScriptHelp returns the steps of an exam script, one per line with its
// usage and what it does, as `shicao station run --help` prints them.
func ScriptHelp() string {
	var b strings.Builder
	line := func(usage, help string) {
		const width = 28 // the usage column; a longer usage has its help below
		if len(usage) > width {
			fmt.Fprintf(&b, "  %s\n%*s", usage, width+3, "")
		} else {
			fmt.Fprintf(&b, "  %-*s ", width, usage)
		}
		b.WriteString(strings.ReplaceAll(help, "\n", "\n"+strings.Repeat(" ", width+3)))
		b.WriteString("\n")
	}
	for _, s := range scriptSteps {
		line(s.usage(), s.help)
	}
	for _, x := range scriptSyntax {
		line(x[0], x[1])
	}
	return b.String()
}

func lookupStep(name string) *scriptStep {
	i := slices.IndexFunc(scriptSteps, func(s scriptStep) bool { return s.name == name })
	if i < 0 {
		return nil
	}
	return &scriptSteps[i]
}

func stepNames() []string {
	names := make([]string, len(scriptSteps))
	for i, s := range scriptSteps {
		names[i] = s.name
	}
	return names
}

// usage is the step as a script line: "await TYPE COUNT [TIMEOUT]".
func (s *scriptStep) usage() string {
	words := []string{s.name}
	for i, a := range s.args {
		w := a.name
		if a.kind == kindText {
			w += "..."
		}
		if a.optional && (i == 0 || !s.args[i-1].optional) {
			w = "[" + w
		}
		if a.optional && i == len(s.args)-1 {
			w += "]"
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// check checks a line's arguments against the step's: how many, and that
// each looks like its kind. Its error names the argument and gives the
// step's usage.
func (s *scriptStep) check(args []string) error {
	required, most := 0, len(s.args)
	for _, a := range s.args {
		if !a.optional {
			required++
		}
		if a.kind == kindText {
			most = -1 // the rest of the line
		}
	}
	switch {
	case len(args) < required:
		return fmt.Errorf("missing %s; usage: %s", s.args[len(args)].name, s.usage())
	case most >= 0 && len(args) > most:
		return fmt.Errorf("%q is one argument too many; usage: %s", args[most], s.usage())
	}
	for i, v := range args {
		a := s.args[min(i, len(s.args)-1)]
		if a.kind == kindText {
			break
		}
		if problem := a.problem(v); problem != "" {
			return fmt.Errorf("%s; usage: %s", problem, s.usage())
		}
	}
	return nil
}

// problem says what is wrong with v as the argument a, or "".
func (a scriptArg) problem(v string) string {
	var err error
	switch a.kind {
	case kindInt:
		_, err = strconv.Atoi(v)
	case kindNumber:
		_, err = strconv.ParseFloat(v, 64)
	case kindDuration:
		var d time.Duration
		if d, err = time.ParseDuration(v); err == nil && d < 0 {
			err = errNegative // time runs one way, on a virtual clock too
		}
	case kindPoints:
		_, err = standards.ParsePoints(v)
	case kindChoice:
		if !slices.Contains(strings.Split(a.name, "|"), v) {
			return fmt.Sprintf("%q: want %s", v, strings.ReplaceAll(a.name, "|", " or "))
		}
	}
	if err != nil {
		return fmt.Sprintf("%s %q: want %s", a.name, v, kindWants[a.kind])
	}
	return ""
}

var errNegative = errors.New("negative")

// kindWants says what an argument of each kind looks like.
var kindWants = map[argKind]string{
	kindInt:      "a whole number",
	kindNumber:   "a number",
	kindDuration: "a duration such as 90s or 1m30s",
	kindPoints:   "points such as 2 or 0.5",
}
