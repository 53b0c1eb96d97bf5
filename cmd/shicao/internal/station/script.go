package station

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// ScriptRunner drives the exam workflow from a script of examiner and
// candidate actions, one per line (ScriptHelp lists the steps) — the
// same Exam and Item methods the TUI calls, for rehearsals, tests and the
// kill campaign. A line starting with "!" must be refused; the refusal is
// printed and the script goes on.
type ScriptRunner struct {
	S       *Station
	Out     io.Writer
	Devices func() []Device
	// Advance lets time pass: a virtual clock moves, a real one sleeps.
	Advance func(time.Duration)
	Lang    string
	// Scenario and Unplug drive simulated equipment (the demo). The
	// station itself tells the equipment wiring which item its readings
	// belong to (Config.Live), as it does for the TUI.
	Scenario func(kind, name string) error
	Unplug   func(kind string) error
	Power    func(kind string, on bool) error
	// Card reads the ID card on the station's reader (the card step).
	Card CardRead
	// Settle waits until the simulated device of kind has played its
	// scenario and has nothing more to send; it reports false at once for
	// a kind that is not simulated.
	Settle func(ctx context.Context, kind string) (simulated bool, err error)

	exam *Exam
	item *Item
	last *Saved
	ctx  context.Context
}

// ScriptError is a line of a script that failed: where it is, its step
// and why. Err may wrap a *Refusal (a rule of the exam refused the step);
// errors.As finds it through the ScriptError.
type ScriptError struct {
	File string
	Line int
	Step string // "" when the line has no step to name
	Err  error
}

func (e *ScriptError) Error() string { return e.where() + e.Err.Error() }

func (e *ScriptError) Unwrap() error { return e.Err }

// Text returns the error for the examiner in lang ("zh" or "en"): the
// file, line and step, then the refusal's sentence in lang when a rule
// refused the step (any context between the two, English, stays in
// Error, for the log), or Error otherwise.
func (e *ScriptError) Text(lang string) string {
	var ref *Refusal
	if !errors.As(e.Err, &ref) {
		return e.Error()
	}
	return e.where() + ref.Text(lang)
}

func (e *ScriptError) where() string {
	if e.Step == "" {
		return fmt.Sprintf("%s:%d: ", e.File, e.Line)
	}
	return fmt.Sprintf("%s:%d: %s: ", e.File, e.Line, e.Step)
}

// errNotRefused is a "!" line whose step went through.
var errNotRefused = errors.New("was not refused")

// Result returns the last saved result.
func (r *ScriptRunner) Result() *Saved { return r.last }

// Run runs a script read from script, named name in errors. A line that
// fails is returned as a *ScriptError: a line no step reads (an unknown
// step, the wrong arguments: with the step's usage), a step refused
// (wrapping the *Refusal), or a "!" line that was not refused. Run
// returns ctx's error once ctx is done.
func (r *ScriptRunner) Run(ctx context.Context, script io.Reader, name string) error {
	r.ctx = ctx
	sc := bufio.NewScanner(script)
	for line := 1; sc.Scan(); line++ {
		text := strings.TrimSpace(sc.Text())
		if i := strings.Index(text, " #"); i >= 0 {
			text = strings.TrimSpace(text[:i])
		}
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		if err := r.runLine(ctx, text); err != nil {
			err.File, err.Line = name, line
			return err
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return sc.Err()
}

// runLine runs one line of a script; the caller fills in where it is.
func (r *ScriptRunner) runLine(ctx context.Context, text string) *ScriptError {
	expectRefusal := strings.HasPrefix(text, "!")
	words, err := splitArgs(strings.TrimSpace(strings.TrimPrefix(text, "!")))
	if err != nil {
		return &ScriptError{Err: err}
	}
	if len(words) == 0 {
		return &ScriptError{Err: errors.New("! must be followed by the step that is refused")}
	}
	step, args := words[0], words[1:]
	err = r.step(ctx, step, args)
	var ref *Refusal
	switch {
	case expectRefusal && errors.As(err, &ref):
		fmt.Fprintf(r.Out, "refused (%s): %s\n", ref.Code, ref.Text(r.Lang))
	case expectRefusal && err == nil:
		return &ScriptError{Step: step, Err: errNotRefused}
	case err != nil:
		return &ScriptError{Step: step, Err: err}
	}
	return nil
}

// step runs the step named name with args, after checking them against
// the step's usage and the exam's state the step needs.
func (r *ScriptRunner) step(ctx context.Context, name string, args []string) error {
	s := lookupStep(name)
	if s == nil {
		return fmt.Errorf("unknown step %q; the steps are %s", name, strings.Join(stepNames(), ", "))
	}
	if err := s.check(args); err != nil {
		return err
	}
	if s.needs >= needExam && r.exam == nil {
		return errors.New("no exam: start with plan ID (or resume ATTEMPT)")
	}
	if s.needs >= needItem && r.item == nil {
		return errors.New("no item: start one with item SUBJECT")
	}
	return s.run(r, ctx, args)
}

// splitArgs splits on spaces, keeping "quoted strings" together.
func splitArgs(s string) ([]string, error) {
	var out []string
	for s != "" {
		if s[0] == '"' {
			end := strings.Index(s[1:], `"`)
			if end < 0 {
				return nil, errors.New("unclosed quote")
			}
			out = append(out, s[1:end+1])
			s = strings.TrimSpace(s[end+2:])
			continue
		}
		word, rest, _ := strings.Cut(s, " ")
		out = append(out, word)
		s = strings.TrimSpace(rest)
	}
	return out, nil
}

// examiner returns the ID of the examiner numbered n in the order they
// signed in (1 is the first, the chief examiner).
func (r *ScriptRunner) examiner(n string) (string, error) {
	i, err := strconv.Atoi(n)
	if err != nil || r.exam == nil || i < 1 || i > len(r.exam.examiners) {
		return "", fmt.Errorf("examiner %q: give the number of a signed-in examiner (1 is the first)", n)
	}
	return r.exam.examiners[i-1].Examiner.ID, nil
}

// devices returns the station's equipment, as the runner is told it.
func (r *ScriptRunner) devices() []Device {
	if r.Devices == nil {
		return nil
	}
	return r.Devices()
}

func (r *ScriptRunner) advance(d time.Duration) {
	if r.Advance != nil {
		r.Advance(d)
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-r.ctx.Done():
	}
}
