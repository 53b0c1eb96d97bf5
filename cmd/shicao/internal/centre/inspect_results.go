package centre

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"

	"shicao/standards"
)

// The random pull of results for inspection (issue #19, oversight): the
// plans' draw (inspect.go) over the results of an exam day — the same
// rule (DrawIndex), over the day's result ids sorted, its seed shown and
// logged, so that anyone can redo it from the seed and the recorded pool
// (migration 0016).

// ErrNoResults is a day with no result to draw from.
var ErrNoResults = errors.New("no result of that exam day to draw from")

// DrawResultInspection pulls one of the results of day at random for
// staff to inspect, with a fresh random seed, and records the draw.
func (c *Centre) DrawResultInspection(ctx context.Context, day standards.Date, staff string) (*InspectionDraw, error) {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand documents it)
	return c.drawInspection(ctx, DrawResult, day, staff, hex.EncodeToString(b))
}

// fillDrawn reads what a draw drew: the plan as issued, or the result's
// row; nil when it is gone.
func (c *Centre) fillDrawn(ctx context.Context, d *InspectionDraw) error {
	if d.Kind == DrawResult {
		row, err := c.ResultByID(ctx, d.Drawn)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		d.Result = row
		return nil
	}
	p, _, err := c.PlanByID(ctx, d.Drawn)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	d.Plan = p
	return nil
}
