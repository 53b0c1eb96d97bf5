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

	"shicao/cmd/shicao/internal/store"
	"shicao/scoring"
	"shicao/standards"
)

// ScriptSteps are the steps of an exam script, one per line, as
// `shicao station run --help` prints them.
const ScriptSteps = `  plan ID                      open an exam under the plan
  signin EXAMINER-ID PIN       an examiner signs in (the chief examiner first)
  candidate ID-NUMBER          check the candidate's 身份证号 and start the attempt
  candidate ID-NUMBER --manual REASON
                               the same, typed in by hand for REASON, which the signed-in examiners confirm
  card                         read the candidate's ID card on the reader, identify them and start the attempt
  draw [SEED]                  draw one item per subject (a fresh random seed if none)
  ready                        run the readiness gate (devices, references, clock) and print each check
  reference KIND [VALUE]       start a device's reference check; VALUE stands for the device's reading
  item SUBJECT                 start the drawn item of a subject (K1, K2...)
  play VECTOR [fast]           play the item standard's own test vector (fast: the clock skips ahead; events keep their times)
  mark N ITEM MARK             examiner N (1 is the first signed in) records a mark
  veto N VETO                  examiner N records a veto (the item ends)
  timer NAME DURATION          an examiner-timed interval
  phase NAME                   the item enters a phase
  wait DURATION                let time pass
  await TYPE COUNT [TIMEOUT]   wait until the item has COUNT events of TYPE (simulated equipment:
                               TIMEOUT counts from the end of the simulator's scenario)
  settle KIND                  wait until a simulated device has played its scenario (demo, --sims)
  scenario KIND NAME           a simulated device plays a scenario (demo, --sims)
  power KIND on|off            the examiners grant or withdraw a device's power
  unplug KIND | plug KIND      pull a simulated device's cable out, or put it back
  finish                       end the item
  resolve ITEM DEDUCT REASON   the chief examiner resolves a review
  confirm                      every examiner confirms the sheet
  ack yes|no                   the candidate signs the sheet, or refuses
  sheet                        print the item's sheet summary
  done                         score the paper, sign and save the result (and print its slip, with a printer)
  slip [RESULT]                print a result's score slip (the last saved if none): printed, or queued and why
  resume ATTEMPT               reopen an interrupted attempt (then signin, then continue or void)
  continue | void REASON       go on with the interrupted item, or void the attempt with a reason
  # ...                        a comment
  !STEP                        the step must be refused: the refusal is printed and the script goes on
`

// ScriptRunner drives the exam workflow from a script of examiner and
// candidate actions, one per line (ScriptSteps) — the same Exam and Item
// methods the TUI calls, for rehearsals, tests and the kill campaign. A
// line starting with "!" must be refused; the refusal is printed and the
// script goes on.
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

// Result returns the last saved result.
func (r *ScriptRunner) Result() *Saved { return r.last }

// Run runs a script. Errors name the script's line.
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
		expectRefusal := strings.HasPrefix(text, "!")
		args, err := splitArgs(strings.TrimSpace(strings.TrimPrefix(text, "!")))
		if err != nil {
			return fmt.Errorf("%s:%d: %v", name, line, err)
		}
		err = r.step(ctx, args)
		var ref *Refusal
		switch {
		case expectRefusal && errors.As(err, &ref):
			fmt.Fprintf(r.Out, "refused (%s): %s\n", ref.Code, ref.Text(r.Lang))
		case expectRefusal && err == nil:
			return fmt.Errorf("%s:%d: %s: was not refused", name, line, args[0])
		case err != nil:
			return fmt.Errorf("%s:%d: %s: %w", name, line, args[0], err)
		}
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return sc.Err()
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

func (r *ScriptRunner) need(n int, args []string, usage string) error {
	if len(args)-1 < n {
		return fmt.Errorf("usage: %s", usage)
	}
	return nil
}

func (r *ScriptRunner) examiner(n string) (string, error) {
	i, err := strconv.Atoi(n)
	if err != nil || r.exam == nil || i < 1 || i > len(r.exam.examiners) {
		return "", fmt.Errorf("examiner %q: give the number of a signed-in examiner (1 is the first)", n)
	}
	return r.exam.examiners[i-1].Examiner.ID, nil
}

func (r *ScriptRunner) step(ctx context.Context, a []string) error {
	if a[0] != "plan" && a[0] != "resume" && r.exam == nil {
		return errors.New("no exam: start with plan ID (or resume ATTEMPT)")
	}
	needItem := func() error {
		if r.item == nil {
			return errors.New("no item: start one with item SUBJECT")
		}
		return nil
	}
	switch a[0] {
	case "plan":
		if err := r.need(1, a, "plan ID"); err != nil {
			return err
		}
		ex, err := r.S.NewExam(ctx, a[1])
		if err != nil {
			return err
		}
		r.exam, r.item = ex, nil
		fmt.Fprintf(r.Out, "plan %s %s %s %s v%d\n", ex.plan.ID, ex.plan.Date, ex.plan.Category, ex.bp.ID, ex.bp.Version)
	case "signin":
		if err := r.need(2, a, "signin EXAMINER-ID PIN"); err != nil {
			return err
		}
		x, err := r.exam.SignIn(ctx, a[1], a[2])
		if err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "signed in %s %s (%s %s, valid to %s)\n", x.Examiner.ID, x.Examiner.Name, x.Certificate.Category, x.Certificate.Number, x.Certificate.ValidTo)
	case "candidate":
		if err := r.need(1, a, "candidate ID-NUMBER [--manual REASON]"); err != nil {
			return err
		}
		var c *store.Candidate
		var err error
		switch {
		case len(a) > 2 && a[2] == "--manual":
			c, err = r.exam.VerifyCandidateManual(ctx, a[1], strings.Join(a[3:], " "))
		case len(a) > 2:
			return errors.New("usage: candidate ID-NUMBER [--manual REASON]")
		default:
			c, err = r.exam.VerifyCandidate(ctx, a[1])
		}
		if err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "candidate %s %s attempt %d (attempt id %s)\n", MaskID(c.IDNumber), c.Name, c.Attempt, r.exam.attemptID)
		if id := r.exam.identity; id != nil {
			fmt.Fprintf(r.Out, "identity manual: %s (confirmed by %s)\n", id.Reason, strings.Join(id.ConfirmedBy, ", "))
		}
	case "card":
		if r.Card == nil {
			return errors.New("card: no ID-card reader here")
		}
		c, err := r.exam.IdentifyByCard(ctx, r.Card)
		if err != nil {
			return err
		}
		id := r.exam.identity
		fmt.Fprintf(r.Out, "card %s %s valid %s-%s photo sha256 %s\n", MaskID(id.IDNumber), id.Name, id.ValidFrom, id.ValidTo, id.PhotoSHA256[:16])
		fmt.Fprintf(r.Out, "candidate %s %s attempt %d (attempt id %s)\n", MaskID(c.IDNumber), c.Name, c.Attempt, r.exam.attemptID)
	case "draw":
		seed := ""
		if len(a) > 1 {
			seed = a[1]
		}
		drawn, err := r.exam.Draw(ctx, seed)
		if err != nil {
			return err
		}
		for _, d := range drawn {
			fmt.Fprintf(r.Out, "drawn %s %s v%d %s\n", d.Subject, d.Standard.ID, d.Standard.Version, d.Standard.Title)
		}
	case "ready":
		var devs []Device
		if r.Devices != nil {
			devs = r.Devices()
		}
		checks, err := r.exam.Ready(ctx, devs)
		if err != nil {
			return err
		}
		for _, c := range checks {
			fmt.Fprintln(r.Out, "ready "+c.String())
		}
	case "reference":
		if err := r.need(1, a, "reference KIND [VALUE]"); err != nil {
			return err
		}
		ref, err := r.exam.StartReference(a[1])
		if err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "reference %s: %s (%s.%s must read %g ± %g)\n", a[1], ref.Instructions, ref.Type, ref.Field, ref.Expected, ref.Tolerance)
		if len(a) < 3 {
			break // the device's next reading completes it
		}
		v, perr := strconv.ParseFloat(a[2], 64)
		if perr != nil {
			return fmt.Errorf("reference %s %s: give the reading as a number", a[1], a[2])
		}
		if _, err := r.S.Offer(a[1], ref.Type, map[string]any{ref.Field: v}); err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "reference %s passed: read %g\n", a[1], v)
	case "item":
		if err := r.need(1, a, "item SUBJECT"); err != nil {
			return err
		}
		var devs []Device
		if r.Devices != nil {
			devs = r.Devices()
		}
		it, err := r.exam.StartItem(ctx, a[1], devs)
		if err != nil {
			return err
		}
		r.item = it
		fmt.Fprintf(r.Out, "started %s %s session %d\n", it.Subject, it.Std.ID, it.Session)
	case "play":
		if err := needItem(); err != nil {
			return err
		}
		if err := r.need(1, a, "play VECTOR"); err != nil {
			return err
		}
		var v *standards.Vector
		for i := range r.item.Std.Tests {
			if r.item.Std.Tests[i].Name == a[1] {
				v = &r.item.Std.Tests[i]
			}
		}
		if v == nil {
			return fmt.Errorf("standard %s has no vector %q", r.item.Std.ID, a[1])
		}
		// "play NAME fast" does not wait for the events' times: the
		// item's clock skips ahead to each instead, so the events keep
		// the vector's times (rules that time intervals score as the
		// vector says) and the script does not wait.
		fast := len(a) > 2 && a[2] == "fast"
		t0 := r.item.Elapsed().Milliseconds()
		err := r.item.Play(ctx, v, func(ms int64) {
			if fast {
				r.item.SkipTo(t0 + ms)
			} else if d := time.Duration(t0+ms)*time.Millisecond - r.item.Elapsed(); d > 0 {
				r.advance(d)
			}
		})
		if err != nil {
			return err
		}
	case "mark", "veto":
		if err := needItem(); err != nil {
			return err
		}
		if a[0] == "mark" {
			if err := r.need(3, a, "mark EXAMINER ITEM MARK"); err != nil {
				return err
			}
		} else if err := r.need(2, a, "veto EXAMINER VETO"); err != nil {
			return err
		}
		id, err := r.examiner(a[1])
		if err != nil {
			return err
		}
		if a[0] == "mark" {
			_, err = r.item.Mark(ctx, id, a[2], a[3])
		} else {
			err = r.item.Veto(ctx, id, a[2])
		}
		return err
	case "timer":
		if err := needItem(); err != nil {
			return err
		}
		if err := r.need(2, a, "timer NAME DURATION"); err != nil {
			return err
		}
		d, err := time.ParseDuration(a[2])
		if err != nil {
			return err
		}
		return r.item.Timer(ctx, a[1], d)
	case "phase":
		if err := needItem(); err != nil {
			return err
		}
		if err := r.need(1, a, "phase NAME"); err != nil {
			return err
		}
		return r.item.Phase(ctx, a[1])
	case "wait":
		if err := r.need(1, a, "wait DURATION"); err != nil {
			return err
		}
		d, err := time.ParseDuration(a[1])
		if err != nil {
			return err
		}
		r.advance(d)
		if r.item != nil {
			if ended, err := r.item.Tick(ctx); err != nil {
				return err
			} else if ended {
				fmt.Fprintf(r.Out, "item %s ended at %s\n", r.item.Subject, r.item.Elapsed())
			}
		}
	case "finish":
		if err := needItem(); err != nil {
			return err
		}
		if err := r.item.Flush(ctx); err != nil {
			return err
		}
		return r.item.Finish(ctx, "finished")
	case "scenario":
		if err := r.need(2, a, "scenario KIND NAME"); err != nil {
			return err
		}
		if r.Scenario == nil {
			return errors.New("scenario: no simulated equipment here")
		}
		return r.Scenario(a[1], a[2])
	case "power":
		// power KIND on|off: the examiners grant or withdraw power.
		if err := r.need(2, a, "power KIND on|off"); err != nil {
			return err
		}
		if r.Power == nil {
			return errors.New("power: no equipment with gated power here")
		}
		return r.Power(a[1], a[2] == "on")
	case "unplug", "plug":
		if err := r.need(1, a, a[0]+" KIND"); err != nil {
			return err
		}
		if r.Unplug == nil {
			return errors.New(a[0] + ": no simulated equipment here")
		}
		return r.Unplug(a[1])
	case "await":
		// await TYPE N [TIMEOUT]: until the item has N events of TYPE.
		if err := needItem(); err != nil {
			return err
		}
		if err := r.need(2, a, "await EVENT-TYPE COUNT [TIMEOUT]"); err != nil {
			return err
		}
		n, err := strconv.Atoi(a[2])
		if err != nil {
			return err
		}
		limit := 60 * time.Second
		if len(a) > 3 {
			if limit, err = time.ParseDuration(a[3]); err != nil {
				return err
			}
		}
		return r.await(ctx, a[1], n, limit)
	case "settle":
		if err := r.need(1, a, "settle KIND"); err != nil {
			return err
		}
		if r.Settle == nil {
			return errors.New("settle: no simulated equipment here")
		}
		if sim, err := r.Settle(ctx, a[1]); err != nil {
			return err
		} else if !sim {
			return fmt.Errorf("settle: no simulated %s device", a[1])
		}
		if r.item != nil {
			if err := r.item.Flush(ctx); err != nil {
				return err
			}
		}
		fmt.Fprintf(r.Out, "settled %s\n", a[1])
	case "resolve":
		if err := needItem(); err != nil {
			return err
		}
		if err := r.need(3, a, "resolve ITEM DEDUCT REASON"); err != nil {
			return err
		}
		p, err := standards.ParsePoints(a[2])
		if err != nil {
			return err
		}
		return r.item.Resolve(ctx, r.exam.examiners[0].Examiner.ID, a[1], p, a[3])
	case "confirm":
		if err := needItem(); err != nil {
			return err
		}
		for _, x := range r.exam.examiners {
			if err := r.item.Confirm(ctx, x.Examiner.ID); err != nil {
				return err
			}
		}
	case "ack":
		if err := needItem(); err != nil {
			return err
		}
		if err := r.need(1, a, "ack yes|no"); err != nil {
			return err
		}
		if err := r.item.Acknowledge(ctx, a[1] == "yes"); err != nil {
			return err
		}
		if s, err := r.item.Sheet(); err == nil {
			fmt.Fprintf(r.Out, "item %s %s score %s%s\n", r.item.Subject, r.item.Std.ID, s.Score, vetoText(s.Veto))
		}
	case "sheet":
		if err := needItem(); err != nil {
			return err
		}
		s, err := r.item.Sheet()
		if err != nil {
			return err
		}
		fmt.Fprintf(r.Out, "sheet %s score %s passed %v review %v%s\n", s.ID, s.Score, s.Passed, s.NeedsReview, vetoText(s.Veto))
		for _, o := range s.Outages {
			fmt.Fprintln(r.Out, outageText(o))
		}
	case "done":
		saved, err := r.exam.Finish(ctx)
		if err != nil {
			return err
		}
		r.last = saved
		verdict := "FAIL"
		if saved.Passed {
			verdict = "PASS"
		}
		fmt.Fprintf(r.Out, "result %s total %s %s\n", saved.ID, saved.Total, verdict)
		// As the TUI does: the slip prints once the result is saved, and
		// a printer that fails never fails the exam.
		if r.S.HasPrinter() {
			return r.printSlip(ctx, saved.ID)
		}
	case "slip":
		id := ""
		if r.last != nil {
			id = r.last.ID
		}
		if len(a) > 1 {
			id = a[1]
		}
		if id == "" {
			return errors.New("slip: no result saved yet: give RESULT")
		}
		return r.printSlip(ctx, id)
	case "resume":
		if err := r.need(1, a, "resume ATTEMPT"); err != nil {
			return err
		}
		ex, err := r.S.ResumeExam(ctx, a[1])
		if err != nil {
			return err
		}
		r.exam, r.item = ex, ex.Resuming()
		fmt.Fprintf(r.Out, "resuming %s: examiners %s must sign in again\n", a[1], strings.Join(ex.ExpectedExaminers(), ", "))
	case "continue":
		it, err := r.exam.Continue(ctx)
		if err != nil {
			return err
		}
		r.item = it
		fmt.Fprintf(r.Out, "continued %s at %s (down_ms %d)\n", it.Subject, it.Elapsed(), it.Down().Milliseconds())
	case "void":
		if err := r.need(1, a, "void REASON"); err != nil {
			return err
		}
		return r.exam.Void(ctx, strings.Join(a[1:], " "))
	default:
		return fmt.Errorf("unknown step %q", a[0])
	}
	return nil
}

// printSlip prints a result's slip and says what became of it.
func (r *ScriptRunner) printSlip(ctx context.Context, id string) error {
	out, err := r.S.PrintSlip(ctx, id)
	if err != nil {
		return err
	}
	fmt.Fprintln(r.Out, out.Line(id, r.Lang))
	return nil
}

// await waits until the item has n events of typ. A simulated device's
// scenario is the work it waits for, however long a loaded machine takes
// to play it: limit only counts from the scenario's end, for the station
// to read what is left. Real equipment has limit from now.
func (r *ScriptRunner) await(ctx context.Context, typ string, n int, limit time.Duration) error {
	var settled chan error
	if et, ok := standards.DefaultVocabulary().Types[typ]; ok && et.Device != "" && r.Settle != nil {
		sctx, cancel := context.WithCancel(ctx)
		defer cancel()
		settled = make(chan error, 1)
		go func() {
			sim, err := r.Settle(sctx, et.Device)
			if err == nil && !sim {
				err = errNotSimulated
			}
			settled <- err
		}()
	}
	deadline := time.Now().Add(limit)
	poll := time.NewTicker(50 * time.Millisecond)
	defer poll.Stop()
	for {
		got, err := r.item.Count(ctx, typ)
		if err != nil {
			return err
		}
		if got >= n {
			fmt.Fprintf(r.Out, "await %s: %d\n", typ, got)
			return nil
		}
		if settled == nil && time.Now().After(deadline) {
			return fmt.Errorf("await %s: %d of %d after %s", typ, got, n, limit)
		}
		select {
		case err := <-settled:
			settled = nil
			switch {
			case errors.Is(err, errNotSimulated):
			case err != nil:
				return err
			default:
				// Played to the end: what is left to read is all there is.
				if err := r.item.Flush(ctx); err != nil {
					return err
				}
				deadline = time.Now().Add(limit)
			}
		case <-poll.C:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

var errNotSimulated = errors.New("not simulated")

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

// outageText is one outage of a sheet, times since the item's start:
// "outage cpr lost 0:15.2 #18 back 0:18.2 #19 3.0s".
func outageText(o scoring.Outage) string {
	at := func(ms int64) string { return fmt.Sprintf("%d:%02d.%d", ms/60000, ms/1000%60, ms/100%10) }
	back := "not back"
	if o.BackSeq > 0 {
		back = fmt.Sprintf("back %s #%d", at(o.BackMs), o.BackSeq)
	}
	return fmt.Sprintf("outage %s lost %s #%d %s %.1fs", o.Device, at(o.LostMs), o.LostSeq, back, float64(o.DurationMs)/1000)
}

func vetoText(v *scoring.VetoHit) string {
	if v == nil {
		return ""
	}
	return " veto " + v.ID
}
