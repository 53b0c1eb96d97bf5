package station

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shicao/cmd/shicao/internal/store"
	"shicao/hardware/escpos"
	"shicao/standards"
	examsync "shicao/sync"
)

// Reconcile accounts for an exam day: every candidate on the day's plans
// as sat, absent, voided (with the reason) or interrupted, and every
// result of those plans as queued, receipted (with its log index) or
// refused. It returns the account and its bytes signed by the station.
func (s *Station) Reconcile(ctx context.Context, day standards.Date) (*examsync.Reconciliation, []byte, error) {
	if s.signer == nil {
		return nil, nil, errors.New("reconcile: the station has no signing key")
	}
	plans, err := s.st.Plans(ctx, day.String())
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile %s: %w", day, err)
	}
	sessions, err := s.st.Sessions(ctx, "")
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile %s: %w", day, err)
	}
	outbox, err := s.st.Outbox(ctx, "")
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile %s: %w", day, err)
	}
	outboxOf := map[string]store.OutboxRow{}
	for _, o := range outbox {
		outboxOf[o.ResultID] = o
	}
	r := &examsync.Reconciliation{Kind: examsync.KindReconciliation, Station: s.cfg.Name, Date: day.String(), Candidates: []examsync.ReconCandidate{}, Results: []examsync.ReconResult{}}
	for _, p := range plans {
		for _, c := range p.Candidates {
			rc := examsync.ReconCandidate{Plan: p.ID, IDNumber: c.IDNumber, Name: c.Name, State: examsync.ReconAbsent}
			results, err := s.st.ResultsFor(ctx, p.ID, c.IDNumber)
			if err != nil {
				return nil, nil, fmt.Errorf("reconcile %s: %w", day, err)
			}
			for _, res := range results {
				rc.Results = append(rc.Results, res.ID)
				rr := examsync.ReconResult{ID: res.ID, Plan: p.ID, Candidate: c.IDNumber, State: examsync.ReconQueued}
				switch o := outboxOf[res.ID]; o.State {
				case store.OutboxSent:
					_, idx, err := s.st.Receipt(ctx, res.ID)
					if err != nil {
						return nil, nil, fmt.Errorf("reconcile %s: result %s: %w", day, res.ID, err)
					}
					rr.State, rr.Index = examsync.ReconReceipted, &idx
				case store.OutboxParked:
					rr.State, rr.Note = examsync.ReconRefused, o.LastError
				default:
					rr.Note = o.LastError
				}
				r.Results = append(r.Results, rr)
			}
			// An attempt without a result: voided or interrupted.
			var voided, running []string
			for _, x := range sessions {
				if x.PlanID != p.ID || x.Candidate != c.IDNumber || hasResultFor(results, x.AttemptID) {
					continue
				}
				switch x.State {
				case store.SessionVoided:
					if x.Note != "" && !slices.Contains(voided, x.Note) {
						voided = append(voided, x.Note)
					}
				default:
					running = append(running, x.AttemptID)
				}
			}
			switch {
			case len(results) > 0:
				rc.State = examsync.ReconSat
				if len(voided) > 0 {
					rc.Reason = "an earlier attempt was voided: " + strings.Join(voided, "; ")
				}
			case len(running) > 0:
				rc.State = examsync.ReconInterrupted
			case len(voided) > 0:
				rc.State, rc.Reason = examsync.ReconVoided, strings.Join(voided, "; ")
			}
			r.Candidates = append(r.Candidates, rc)
		}
	}
	signed, err := examsync.SignWith(r, s.signer)
	if err != nil {
		return nil, nil, fmt.Errorf("reconcile %s: sign: %w", day, err)
	}
	return r, signed, nil
}

func hasResultFor(results []store.Result, attemptID string) bool {
	for _, r := range results {
		if r.AttemptID == attemptID {
			return true
		}
	}
	return false
}

// PrintReconciliation prints the reconciliation on the slip printer. A
// missing or failing printer is reported (the reconciliation stands: it
// can be printed again with shicao station reconcile).
func (s *Station) PrintReconciliation(ctx context.Context, r *examsync.Reconciliation) error {
	if s.cfg.Printer == nil {
		return errNoPrinter
	}
	var b escpos.Builder
	b.Init().Chinese(true).Align(escpos.Centre).Bold(true).Line("日终核对").Bold(false).Align(escpos.Left)
	for _, l := range r.Lines() {
		b.Line(l)
	}
	job, err := b.Feed(3).Cut(3).Bytes()
	if err != nil {
		return err
	}
	return s.cfg.Printer.Print(ctx, job)
}
