package station

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"shicao/scoring"
	"shicao/standards"
)

// The steps of a script within an item: start it, record what examiners
// and equipment do, let time pass, end it and sign its sheet (the table
// is scriptSteps; each takes the line's arguments, checked).

func (r *ScriptRunner) stepItem(ctx context.Context, a []string) error {
	it, err := r.exam.StartItem(ctx, a[0], r.devices())
	if err != nil {
		return err
	}
	r.item = it
	fmt.Fprintf(r.Out, "started %s %s session %d\n", it.Subject, it.Std.ID, it.Session)
	return nil
}

// stepPlay plays a test vector of the item's standard. "play NAME fast"
// does not wait for the events' times: the item's clock skips ahead to
// each instead, so the events keep the vector's times (rules that time
// intervals score as the vector says) and the script does not wait.
func (r *ScriptRunner) stepPlay(ctx context.Context, a []string) error {
	var v *standards.Vector
	for i := range r.item.Std.Tests {
		if r.item.Std.Tests[i].Name == a[0] {
			v = &r.item.Std.Tests[i]
		}
	}
	if v == nil {
		return fmt.Errorf("standard %s has no vector %q", r.item.Std.ID, a[0])
	}
	fast := len(a) > 1 // "fast", as checked
	t0 := r.item.Elapsed().Milliseconds()
	return r.item.Play(ctx, v, func(ms int64) {
		if fast {
			r.item.SkipTo(t0 + ms)
		} else if d := time.Duration(t0+ms)*time.Millisecond - r.item.Elapsed(); d > 0 {
			r.advance(d)
		}
	})
}

func (r *ScriptRunner) stepMark(ctx context.Context, a []string) error {
	id, err := r.examiner(a[0])
	if err != nil {
		return err
	}
	_, err = r.item.Mark(ctx, id, a[1], a[2])
	return err
}

func (r *ScriptRunner) stepVeto(ctx context.Context, a []string) error {
	id, err := r.examiner(a[0])
	if err != nil {
		return err
	}
	return r.item.Veto(ctx, id, a[1])
}

func (r *ScriptRunner) stepTimer(ctx context.Context, a []string) error {
	d, _ := time.ParseDuration(a[1]) // a duration, as checked
	return r.item.Timer(ctx, a[0], d)
}

func (r *ScriptRunner) stepPhase(ctx context.Context, a []string) error {
	return r.item.Phase(ctx, a[0])
}

// stepWait lets time pass; an item whose time runs out ends.
func (r *ScriptRunner) stepWait(ctx context.Context, a []string) error {
	d, _ := time.ParseDuration(a[0]) // a duration, as checked
	r.advance(d)
	if r.item == nil {
		return nil
	}
	ended, err := r.item.Tick(ctx)
	if err != nil {
		return err
	}
	if ended {
		fmt.Fprintf(r.Out, "item %s ended at %s\n", r.item.Subject, r.item.Elapsed())
	}
	return nil
}

// stepAwait waits until the item has COUNT events of TYPE (see await).
func (r *ScriptRunner) stepAwait(ctx context.Context, a []string) error {
	n, _ := strconv.Atoi(a[1]) // a whole number, as checked
	limit := 60 * time.Second
	if len(a) > 2 {
		limit, _ = time.ParseDuration(a[2]) // a duration, as checked
	}
	return r.await(ctx, a[0], n, limit)
}

func (r *ScriptRunner) stepFinish(ctx context.Context, _ []string) error {
	if err := r.item.Flush(ctx); err != nil {
		return err
	}
	return r.item.Finish(ctx, "finished")
}

// stepResolve: the chief examiner, the first signed in, resolves a
// review.
func (r *ScriptRunner) stepResolve(ctx context.Context, a []string) error {
	chief, err := r.examiner("1")
	if err != nil {
		return err
	}
	p, _ := standards.ParsePoints(a[1]) // points, as checked
	return r.item.Resolve(ctx, chief, a[0], p, strings.Join(a[2:], " "))
}

func (r *ScriptRunner) stepConfirm(ctx context.Context, _ []string) error {
	for _, x := range r.exam.examiners {
		if err := r.item.Confirm(ctx, x.Examiner.ID); err != nil {
			return err
		}
	}
	return nil
}

func (r *ScriptRunner) stepAck(ctx context.Context, a []string) error {
	if err := r.item.Acknowledge(ctx, a[0] == "yes"); err != nil {
		return err
	}
	if s, err := r.item.Sheet(); err == nil {
		fmt.Fprintf(r.Out, "item %s %s score %s%s\n", r.item.Subject, r.item.Std.ID, s.Score, vetoText(s.Veto))
	}
	return nil
}

func (r *ScriptRunner) stepSheet(_ context.Context, _ []string) error {
	s, err := r.item.Sheet()
	if err != nil {
		return err
	}
	fmt.Fprintf(r.Out, "sheet %s score %s passed %v review %v%s\n", s.ID, s.Score, s.Passed, s.NeedsReview, vetoText(s.Veto))
	for _, o := range s.Outages {
		fmt.Fprintln(r.Out, outageText(o))
	}
	return nil
}

// await waits until the item has n events of typ. A simulated device's
// scenario is the work it waits for, however long a loaded machine takes
// to play it: limit only counts from the scenario's end, for the station
// to read what is left. Real equipment has limit from now.
func (r *ScriptRunner) await(ctx context.Context, typ string, n int, limit time.Duration) error {
	var settled chan error
	voc := standards.DefaultVocabulary()
	if r.item != nil {
		voc = r.item.Std.Vocabulary() // a type of an installed vocabulary document
	}
	if et, ok := voc.Types[typ]; ok && et.Device != "" && r.Settle != nil {
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
