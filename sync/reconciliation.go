package sync

import "fmt"

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
