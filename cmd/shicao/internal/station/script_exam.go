package station

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/store"
)

// The steps of a script that open, identify, draw and close an exam (the
// table is scriptSteps; each takes the line's arguments, checked).

func (r *ScriptRunner) stepPlan(ctx context.Context, a []string) error {
	ex, err := r.S.NewExam(ctx, a[0])
	if err != nil {
		return err
	}
	r.exam, r.item = ex, nil
	fmt.Fprintf(r.Out, "plan %s %s %s %s v%d\n", ex.plan.ID, ex.plan.Date, ex.plan.Category, ex.bp.ID, ex.bp.Version)
	if ex.Training() {
		fmt.Fprintln(r.Out, "training mode: the result is a training result, never an exam result (考培分离)")
	}
	return nil
}

func (r *ScriptRunner) stepSignIn(ctx context.Context, a []string) error {
	x, err := r.exam.SignIn(ctx, a[0], a[1])
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "signed in %s %s (%s %s, valid to %s)\n", x.Examiner.ID, x.Examiner.Name, x.Certificate.Category, x.Certificate.Number, x.Certificate.ValidTo)
	return nil
}

// stepCandidate checks the 身份证号 typed in, or with --manual REASON
// typed in by hand for a reason the examiners confirm.
func (r *ScriptRunner) stepCandidate(ctx context.Context, a []string) error {
	var c *store.Candidate
	var err error
	if len(a) > 1 { // "--manual", as checked
		c, err = r.exam.VerifyCandidateManual(ctx, a[0], strings.Join(a[2:], " "))
	} else {
		c, err = r.exam.VerifyCandidate(ctx, a[0])
	}
	if err != nil {
		return err
	}
	r.printCandidate(c)
	if id := r.exam.identity; id != nil {
		fmt.Fprintf(r.Out, "identity manual: %s (confirmed by %s)\n", id.Reason, strings.Join(id.ConfirmedBy, ", "))
	}
	return nil
}

func (r *ScriptRunner) stepCard(ctx context.Context, _ []string) error {
	if r.Card == nil {
		return errors.New("no ID-card reader here")
	}
	c, err := r.exam.IdentifyByCard(ctx, r.Card)
	if err != nil {
		return err
	}
	id := r.exam.identity
	fmt.Fprintf(r.Out, "card %s %s valid %s-%s photo sha256 %.16s\n", MaskID(id.IDNumber), id.Name, id.ValidFrom, id.ValidTo, id.PhotoSHA256)
	r.printCandidate(c)
	return nil
}

func (r *ScriptRunner) printCandidate(c *store.Candidate) {
	fmt.Fprintf(r.Out, "candidate %s %s attempt %d (attempt id %s)\n", MaskID(c.IDNumber), c.Name, c.Attempt, r.exam.attemptID)
}

func (r *ScriptRunner) stepDraw(ctx context.Context, a []string) error {
	seed := ""
	if len(a) > 0 {
		seed = a[0]
	}
	drawn, err := r.exam.Draw(ctx, seed)
	if err != nil {
		return err
	}
	for _, d := range drawn {
		fmt.Fprintf(r.Out, "drawn %s %s v%d %s\n", d.Subject, d.Standard.ID, d.Standard.Version, d.Standard.Title)
	}
	return nil
}

func (r *ScriptRunner) stepReady(ctx context.Context, _ []string) error {
	checks, err := r.exam.Ready(ctx, r.devices())
	if err != nil {
		return err
	}
	for _, c := range checks {
		fmt.Fprintln(r.Out, "ready "+c.String())
	}
	return nil
}

// stepReference starts a device's reference check; a VALUE stands for
// the device's reading, or the device's next reading completes it.
func (r *ScriptRunner) stepReference(ctx context.Context, a []string) error {
	kind := a[0]
	ref, err := r.exam.StartReference(kind)
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "reference %s: %s (%s.%s must read %g ± %g)\n", kind, ref.Instructions, ref.Type, ref.Field, ref.Expected, ref.Tolerance)
	if len(a) < 2 {
		// The device's own next reading decides (a simulated manikin
		// held at the gauge: scenario cpr gauge), within the limit an
		// examiner would wait.
		wctx, cancel := context.WithTimeout(ctx, referenceWait)
		defer cancel()
		if err := r.exam.AwaitReference(wctx); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return fmt.Errorf("reference %s: no %s reading within %s", kind, ref.Type, referenceWait)
			}
			return err
		}
		fmt.Fprintf(r.Out, "reference %s passed: read %g\n", kind, r.exam.referenceRead(*ref))
		return nil
	}
	v, _ := strconv.ParseFloat(a[1], 64) // a number, as checked
	if _, err := r.S.Offer(kind, ref.Type, map[string]any{ref.Field: v}); err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "reference %s passed: read %g\n", kind, v)
	return nil
}

// referenceWait is how long the reference step waits for the device's
// reading: the examiner has pressed and holds; a device that says
// nothing in a minute is not working.
const referenceWait = time.Minute

// stepDone scores the paper, signs and saves the result and, as the TUI
// does, prints its slip once it is saved: a printer that fails never
// fails the exam.
func (r *ScriptRunner) stepDone(ctx context.Context, _ []string) error {
	saved, err := r.exam.Finish(ctx)
	if err != nil {
		return err
	}
	r.last = saved
	verdict := "FAIL"
	if saved.Passed {
		verdict = "PASS"
	}
	if saved.Doc.Training() {
		verdict += " (training)"
	}
	fmt.Fprintf(r.Out, "result %s total %s %s\n", saved.ID, saved.Total, verdict)
	if r.S.HasPrinter() {
		return r.printSlip(ctx, saved.ID)
	}
	return nil
}

func (r *ScriptRunner) stepSlip(ctx context.Context, a []string) error {
	id := ""
	if r.last != nil {
		id = r.last.ID
	}
	if len(a) > 0 {
		id = a[0]
	}
	if id == "" {
		return errors.New("no result saved yet: give RESULT")
	}
	return r.printSlip(ctx, id)
}

func (r *ScriptRunner) stepResume(ctx context.Context, a []string) error {
	ex, err := r.S.ResumeExam(ctx, a[0])
	if err != nil {
		return err
	}
	r.exam, r.item = ex, ex.Resuming()
	fmt.Fprintf(r.Out, "resuming %s: examiners %s must sign in again\n", a[0], strings.Join(ex.ExpectedExaminers(), ", "))
	return nil
}

func (r *ScriptRunner) stepContinue(ctx context.Context, _ []string) error {
	it, err := r.exam.Continue(ctx)
	if err != nil {
		return err
	}
	r.item = it
	fmt.Fprintf(r.Out, "continued %s at %s (down_ms %d)\n", it.Subject, it.Elapsed(), it.Down().Milliseconds())
	return nil
}

func (r *ScriptRunner) stepVoid(ctx context.Context, a []string) error {
	return r.exam.Void(ctx, strings.Join(a, " "))
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
