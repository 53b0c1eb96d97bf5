package sync

import (
	"bytes"
	"context"
	"errors"
	"fmt"

	"shicao/standards"
)

// Installer takes what the centre sends down through the station's own
// rules, exactly as a manual import would (station.Station implements
// it): vocabulary documents and standards against the pinned province
// keys, version and self-test rules; plans and the registry against the
// pinned centre key.
type Installer interface {
	Install(ctx context.Context, file string, signed []byte) (*standards.Candidate, error)
	InstallVocabulary(ctx context.Context, signed []byte) (*standards.VocabularyDoc, error)
	ImportPlan(ctx context.Context, signed []byte) (*Plan, error)
	ImportRegistry(ctx context.Context, signed []byte) (*Registry, error)
}

// Held is what the station holds already, so that a pull reports only
// what changed.
type Held interface {
	PlanSigned(ctx context.Context, id string) ([]byte, error) // nil, nil if none
	RegistryVersion(ctx context.Context) (int64, error)        // 0 if none
}

// PullReport is what a pull changed.
type PullReport struct {
	// Vocabulary is the version of the vocabulary document installed, 0
	// if none was; RefusedVocabulary why the station would not install
	// the one the centre sent ("" if it did or held it already).
	Vocabulary        int
	RefusedVocabulary string
	Installed         []string // "ID version N"
	Refused           []string // standards the station would not install, with the reason
	Plans             []string // plans new or changed
	// RefusedPlans are plans the station would not import, with the
	// reason ("ID: reason"): the centre must correct and send them again.
	RefusedPlans []string
	Registry     int64 // the registry version installed, 0 if unchanged
	Next         int64 // the standards cursor to keep for the next pull
}

// Pull fetches the newest vocabulary document and the standards
// published after since, this station's plans
// and its site's registry, verifies each list with the centre key and
// hands every document to the installer. A standard or a plan the
// station refuses is reported, not fatal: the other plans and the
// registry still install, since the day's other exams depend on them (a
// plan's own fault, such as a candidate listed twice, must not keep the
// registry from the station). A refused registry, a list that does not
// verify or a failure to read what the station holds is an error.
func Pull(ctx context.Context, c *Client, centreKey string, inst Installer, held Held, since int64) (*PullReport, error) {
	rep := &PullReport{Next: since}
	b, err := c.Standards(ctx, since)
	if err != nil {
		return rep, fmt.Errorf("pull standards: %w", err)
	}
	var list Standards
	if err := Open(b, centreKey, KindStandards, &list); err != nil {
		return rep, fmt.Errorf("pull standards: %w", err)
	}
	// The vocabulary first: the standards that use its event types are
	// checked against it.
	if list.Vocabulary != "" {
		doc, err := inst.InstallVocabulary(ctx, []byte(list.Vocabulary))
		switch {
		case errors.Is(err, standards.ErrInstalled), errors.Is(err, standards.ErrRollback):
			// Held already, or the station holds a newer one.
		case err != nil:
			rep.RefusedVocabulary = err.Error()
		default:
			rep.Vocabulary = doc.Version
		}
	}
	for _, p := range list.Standards {
		name := fmt.Sprintf("%s@%d", p.ID, p.Version)
		_, err := inst.Install(ctx, name, []byte(p.Signed))
		switch {
		case errors.Is(err, standards.ErrInstalled):
		case err != nil:
			rep.Refused = append(rep.Refused, fmt.Sprintf("%s: %v", name, err))
		default:
			rep.Installed = append(rep.Installed, fmt.Sprintf("%s version %d", p.ID, p.Version))
		}
	}
	rep.Next = max(since, list.Next)

	b, err = c.Plans(ctx)
	if err != nil {
		return rep, fmt.Errorf("pull plans: %w", err)
	}
	var plans Plans
	if err := Open(b, centreKey, KindPlans, &plans); err != nil {
		return rep, fmt.Errorf("pull plans: %w", err)
	}
	for _, signed := range plans.Plans {
		var p Plan
		if err := Open([]byte(signed), centreKey, KindPlan, &p); err != nil {
			return rep, fmt.Errorf("pull plans: %w", err)
		}
		have, err := held.PlanSigned(ctx, p.ID)
		if err != nil {
			return rep, err
		}
		if bytes.Equal(have, []byte(signed)) {
			continue
		}
		if _, err := inst.ImportPlan(ctx, []byte(signed)); err != nil {
			if ctx.Err() != nil {
				return rep, ctx.Err()
			}
			rep.RefusedPlans = append(rep.RefusedPlans, fmt.Sprintf("%s: %v", p.ID, err))
			continue
		}
		rep.Plans = append(rep.Plans, p.ID)
	}

	b, err = c.Registry(ctx)
	if err != nil {
		return rep, fmt.Errorf("pull registry: %w", err)
	}
	before, err := held.RegistryVersion(ctx)
	if err != nil {
		return rep, err
	}
	r, err := inst.ImportRegistry(ctx, b)
	if err != nil {
		return rep, fmt.Errorf("registry: %w", err)
	}
	if r.Version != before {
		rep.Registry = r.Version
	}
	return rep, nil
}
