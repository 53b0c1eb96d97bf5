package station

import (
	"context"
	"errors"
	"fmt"

	examsync "shicao/sync"
)

// DrillSync is what a sync round did with drills: drills installed,
// skipped (their standard is not installed yet: the next sync after the
// standards installs them), and calibration records sent or refused.
type DrillSync struct {
	Installed []string
	Skipped   []string
	Sent      int
	Refused   int
}

// SyncDrills pulls the centre's drills and sends the calibration
// records waiting, each to its own endpoint (never the results outbox).
// A refused record is parked with the centre's reason; a transient
// failure leaves the rest for the next round. A centre without drills
// (404) is not an error.
func (s *Station) SyncDrills(ctx context.Context, c *examsync.Client) (*DrillSync, error) {
	rep := &DrillSync{}
	key, err := s.centreKey(ctx)
	if err != nil {
		return rep, err
	}
	list, err := c.Drills(ctx)
	var ref *examsync.Refusal
	switch {
	case errors.As(err, &ref) && ref.Status == 404:
		return rep, nil
	case err != nil:
		return rep, fmt.Errorf("drills: %w", err)
	}
	var doc examsync.Drills
	if err := examsync.Open(list, key, examsync.KindDrills, &doc); err != nil {
		return rep, fmt.Errorf("drills: %w", err)
	}
	for _, signed := range doc.Drills {
		d, fresh, err := s.InstallDrill(ctx, []byte(signed))
		var r *Refusal
		switch {
		case errors.As(err, &r) && r.Code == "drill-standard":
			rep.Skipped = append(rep.Skipped, r.EN)
		case err != nil:
			return rep, fmt.Errorf("drills: %w", err)
		case fresh:
			rep.Installed = append(rep.Installed, d.ID)
		}
	}
	return rep, s.sendCalibrations(ctx, c, rep)
}

func (s *Station) sendCalibrations(ctx context.Context, c *examsync.Client, rep *DrillSync) error {
	pending, err := s.st.Calibrations(ctx, true)
	if err != nil {
		return err
	}
	for _, k := range pending {
		answer, err := c.Calibrate(ctx, k.Signed)
		switch {
		case err == nil:
			rep.Sent++
		case examsync.Transient(err):
			return fmt.Errorf("calibration record %s: %w (it is sent at the next sync)", k.ID, err)
		default:
			rep.Refused++
		}
		refused := ""
		if err != nil {
			refused = err.Error()
		}
		if err := s.st.CalibrationSent(ctx, k.ID, answer, refused); err != nil {
			return err
		}
	}
	return nil
}
