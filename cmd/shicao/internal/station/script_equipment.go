package station

import (
	"context"
	"errors"
	"fmt"
)

// The steps of a script that drive the equipment: simulated devices'
// scenarios and cables, and gated power (the table is scriptSteps; each
// takes the line's arguments, checked).

func (r *ScriptRunner) stepScenario(_ context.Context, a []string) error {
	if r.Scenario == nil {
		return errors.New("no simulated equipment here")
	}
	return r.Scenario(a[0], a[1])
}

// stepPower: the examiners grant or withdraw a device's power.
func (r *ScriptRunner) stepPower(_ context.Context, a []string) error {
	if r.Power == nil {
		return errors.New("no equipment with gated power here")
	}
	return r.Power(a[0], a[1] == "on")
}

// stepUnplug pulls a simulated device's cable out, or (plug) puts it
// back: the simulator toggles.
func (r *ScriptRunner) stepUnplug(_ context.Context, a []string) error {
	if r.Unplug == nil {
		return errors.New("no simulated equipment here")
	}
	return r.Unplug(a[0])
}

// stepSettle waits until a simulated device has played its scenario,
// then until the item has read what it sent.
func (r *ScriptRunner) stepSettle(ctx context.Context, a []string) error {
	if r.Settle == nil {
		return errors.New("no simulated equipment here")
	}
	if sim, err := r.Settle(ctx, a[0]); err != nil {
		return err
	} else if !sim {
		return fmt.Errorf("no simulated %s device", a[0])
	}
	if r.item != nil {
		if err := r.item.Flush(ctx); err != nil {
			return err
		}
	}
	fmt.Fprintf(r.Out, "settled %s\n", a[0])
	return nil
}
