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

// KindReconciliation names the end-of-day reconciliation's version.
const KindReconciliation = "shicao-reconciliation/1"

// Candidate states in a reconciliation.
const (
	ReconSat         = "sat"         // a signed result exists
	ReconAbsent      = "absent"      // never started
	ReconVoided      = "voided"      // an attempt voided (with its reason), no result
	ReconInterrupted = "interrupted" // an attempt started, neither finished nor voided
)

// Result states in a reconciliation. Only ReconReceipted means the
// centre holds the result: its receipt verified.
const (
	ReconQueued    = "queued"    // not yet at the centre (or no receipt verified)
	ReconReceipted = "receipted" // the centre's receipt verified, with its log index
	ReconRefused   = "refused"   // refused by the centre for good (parked)
)

// Reconciliation is a station's signed account of an exam day.
type Reconciliation struct {
	Kind       string           `json:"kind"`
	Station    string           `json:"station"`
	Date       string           `json:"date"`
	Candidates []ReconCandidate `json:"candidates"`
	Results    []ReconResult    `json:"results"`
}

// ReconCandidate is one candidate on one of the day's plans.
type ReconCandidate struct {
	Plan     string   `json:"plan"`
	IDNumber string   `json:"id_number"`
	Name     string   `json:"name"`
	State    string   `json:"state"`
	Reason   string   `json:"reason,omitempty"` // voided: why
	Results  []string `json:"results,omitempty"`
}

// ReconResult is one result of the day's plans.
type ReconResult struct {
	ID        string `json:"id"`
	Plan      string `json:"plan"`
	Candidate string `json:"candidate"`
	State     string `json:"state"`
	Index     *int64 `json:"index,omitempty"` // receipted: the log index
	Note      string `json:"note,omitempty"`
}

// Reconcile accounts for an exam day: every candidate on the day's plans
// as sat, absent, voided (with the reason) or interrupted, and every
// result of those plans as queued, receipted (with its log index) or
// refused. It returns the account and its bytes signed by the station.
func (s *Station) Reconcile(ctx context.Context, day standards.Date) (*Reconciliation, []byte, error) {
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
	r := &Reconciliation{Kind: KindReconciliation, Station: s.cfg.Name, Date: day.String(), Candidates: []ReconCandidate{}, Results: []ReconResult{}}
	for _, p := range plans {
		for _, c := range p.Candidates {
			rc := ReconCandidate{Plan: p.ID, IDNumber: c.IDNumber, Name: c.Name, State: ReconAbsent}
			results, err := s.st.ResultsFor(ctx, p.ID, c.IDNumber)
			if err != nil {
				return nil, nil, fmt.Errorf("reconcile %s: %w", day, err)
			}
			for _, res := range results {
				rc.Results = append(rc.Results, res.ID)
				rr := ReconResult{ID: res.ID, Plan: p.ID, Candidate: c.IDNumber, State: ReconQueued}
				switch o := outboxOf[res.ID]; o.State {
				case store.OutboxSent:
					_, idx, err := s.st.Receipt(ctx, res.ID)
					if err != nil {
						return nil, nil, fmt.Errorf("reconcile %s: result %s: %w", day, res.ID, err)
					}
					rr.State, rr.Index = ReconReceipted, &idx
				case store.OutboxParked:
					rr.State, rr.Note = ReconRefused, o.LastError
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
				rc.State = ReconSat
				if len(voided) > 0 {
					rc.Reason = "an earlier attempt was voided: " + strings.Join(voided, "; ")
				}
			case len(running) > 0:
				rc.State = ReconInterrupted
			case len(voided) > 0:
				rc.State, rc.Reason = ReconVoided, strings.Join(voided, "; ")
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

// stateText names a state for people: Chinese, then English.
var reconStateText = map[string]string{
	ReconSat:         "已考 sat",
	ReconAbsent:      "缺考 absent",
	ReconVoided:      "作废 voided",
	ReconInterrupted: "中断 interrupted",
	ReconQueued:      "待上传 queued (not at the centre)",
	ReconReceipted:   "中心已回执 receipted",
	ReconRefused:     "中心拒收 refused",
}

// Lines is the reconciliation as people read it, on screen and on the
// slip printer. A result is "receipted" only with a verified receipt;
// nothing says uploaded before.
func (r *Reconciliation) Lines() []string {
	out := []string{fmt.Sprintf("日终核对 Reconciliation %s %s", r.Station, r.Date)}
	count := map[string]int{}
	for _, c := range r.Candidates {
		count[c.State]++
		l := fmt.Sprintf("%s %s %s %s", c.Plan, c.IDNumber, c.Name, reconStateText[c.State])
		if c.Reason != "" {
			l += ": " + c.Reason
		}
		out = append(out, l)
	}
	for _, x := range r.Results {
		count[x.State]++
		l := fmt.Sprintf("成绩 result %s %s", x.ID, reconStateText[x.State])
		if x.Index != nil {
			l += fmt.Sprintf(" log index %d", *x.Index)
		}
		if x.Note != "" {
			l += ": " + x.Note
		}
		out = append(out, l)
	}
	out = append(out, fmt.Sprintf("合计 candidates %d: sat %d, absent %d, voided %d, interrupted %d; results %d: receipted %d, queued %d, refused %d",
		len(r.Candidates), count[ReconSat], count[ReconAbsent], count[ReconVoided], count[ReconInterrupted],
		len(r.Results), count[ReconReceipted], count[ReconQueued], count[ReconRefused]))
	return out
}

// PrintReconciliation prints the reconciliation on the slip printer. A
// missing or failing printer is reported (the reconciliation stands: it
// can be printed again with shicao station reconcile).
func (s *Station) PrintReconciliation(ctx context.Context, r *Reconciliation) error {
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
