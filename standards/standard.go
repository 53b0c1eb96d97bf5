package standards

import (
	"crypto/sha256"
	"encoding/hex"
)

// Standard is one exam item's scoring sheet (考题评分标准): 100 points split
// into scoring points (评分项), each with deductions that examiners record
// (marks) or that the equipment's events prove (rules), and veto items
// (否决项) that fail the whole exam.
type Standard struct {
	Pos       `yaml:",inline"`
	ID        string    `yaml:"id"`      // the province's own numbering, stable across versions
	Version   int       `yaml:"version"` // a newer publication of the same id is higher
	Title     string    `yaml:"title"`
	Category  string    `yaml:"category"` // 作业类别, or 通用科目
	Subject   string    `yaml:"subject"`  // K1..K4
	Code      string    `yaml:"code"`     // K42
	Effective Date      `yaml:"effective"`
	Expires   Date      `yaml:"expires"` // optional: the last day it may score; zero for none
	TimeLimit Duration  `yaml:"time_limit"`
	Overtime  *Overtime `yaml:"overtime"`
	Pass      *Points   `yaml:"pass"` // an item sheet passes at this score with no veto; default 80
	Devices   []string  `yaml:"devices"`
	// Reference checks a device must pass before a candidate's first
	// item (the readiness gate): a known input, the reading it must give.
	Reference []Reference `yaml:"reference"`
	Examiners int         `yaml:"examiners"` // how many examiners mark; their manual deductions are averaged
	Tolerance Points      `yaml:"tolerance"` // examiners further apart than this on an item -> review
	Items     []Item      `yaml:"items"`
	Veto      []Veto      `yaml:"veto"`
	Tests     []Vector    `yaml:"tests"`
	Notes     string      `yaml:"notes"` // free text for authors: sources, [choice] figures

	// Set by Parse.
	Source []byte       `yaml:"-"` // the exact YAML bytes, as signed
	File   string       `yaml:"-"`
	env    *compiledEnv `yaml:"-"`
}

// Reference is one reference check of the readiness gate: the examiner
// applies a known input (Instructions: "press the manikin to the 50 mm
// gauge") and the device's next Type event must read Field within
// Expected ± Tolerance.
type Reference struct {
	Pos          `yaml:",inline"`
	Device       string  `yaml:"device"`
	Type         string  `yaml:"type"`
	Field        string  `yaml:"field"`
	Expected     float64 `yaml:"expected"`
	Tolerance    float64 `yaml:"tolerance"`
	Instructions string  `yaml:"instructions"`
}

// Overtime is the deduction for going past the time limit and the hard stop
// after which the session is ended and later events are not scored.
type Overtime struct {
	Pos       `yaml:",inline"`
	Deduct    Points   `yaml:"deduct"` // per started `every` past the limit
	Every     Duration `yaml:"every"`
	StopAfter Duration `yaml:"stop_after"` // hard stop this long after the limit; 0 = stop at the limit
	Cap       *Points  `yaml:"cap"`        // at most this much in all
}

// Item is one scoring point (评分项).
type Item struct {
	Pos    `yaml:",inline"`
	ID     string `yaml:"id"`
	Title  string `yaml:"title"`
	Points Points `yaml:"points"`
	Marks  []Mark `yaml:"marks"`
	Rules  []Rule `yaml:"rules"`
}

// Mark is a deduction an examiner records by key.
type Mark struct {
	Pos    `yaml:",inline"`
	ID     string `yaml:"id"`
	Text   string `yaml:"text"`
	Deduct Points `yaml:"deduct"`
	Max    int    `yaml:"max"` // how many times one examiner may record it; default 1
}

// Rule is a deduction computed from the event log. Exactly one of Each,
// Count and When is set: Each is a list whose every element is one
// occurrence (its seq is the evidence), Count a whole number of occurrences,
// When a condition that deducts once.
type Rule struct {
	Pos      `yaml:",inline"`
	ID       string  `yaml:"id"`
	Text     string  `yaml:"text"`
	Each     string  `yaml:"each"`
	Count    string  `yaml:"count"`
	When     string  `yaml:"when"`
	Evidence string  `yaml:"evidence"` // optional list whose elements' seq numbers are the evidence
	Deduct   Points  `yaml:"deduct"`
	Cap      *Points `yaml:"cap"`     // the rule takes at most this much
	Outages  string  `yaml:"outages"` // "exclude": evaluated on a clock that stops while a device is lost (outage.go)

	prog        *program `yaml:"-"`
	ev          *program `yaml:"-"`
	outageKinds []string `yaml:"-"`
}

// Veto is a 否决项: when it fires the item scores 0, the subject ends and
// the whole exam fails. It fires on a condition over the events (When) or
// when an examiner records it (Mark).
type Veto struct {
	Pos      `yaml:",inline"`
	ID       string `yaml:"id"`
	Text     string `yaml:"text"`
	When     string `yaml:"when"`
	Evidence string `yaml:"evidence"`
	Mark     bool   `yaml:"mark"`
	Outages  string `yaml:"outages"` // as Rule.Outages

	prog        *program `yaml:"-"`
	ev          *program `yaml:"-"`
	outageKinds []string `yaml:"-"`
}

// SHA256 returns the hex SHA-256 of the standard's exact YAML bytes; every
// result records it beside the id and version.
func (s *Standard) SHA256() string {
	h := sha256.Sum256(s.Source)
	return hex.EncodeToString(h[:])
}

// PassMark returns the score at which an item sheet passes.
func (s *Standard) PassMark() Points {
	if s.Pass != nil {
		return *s.Pass
	}
	return PointsOf(80)
}

// Item returns the item with id, or nil.
func (s *Standard) Item(id string) *Item {
	for i := range s.Items {
		if s.Items[i].ID == id {
			return &s.Items[i]
		}
	}
	return nil
}

// Mark returns the item's mark with id, or nil.
func (it *Item) Mark(id string) *Mark {
	for i := range it.Marks {
		if it.Marks[i].ID == id {
			return &it.Marks[i]
		}
	}
	return nil
}

// VetoByID returns the veto with id, or nil.
func (s *Standard) VetoByID(id string) *Veto {
	for i := range s.Veto {
		if s.Veto[i].ID == id {
			return &s.Veto[i]
		}
	}
	return nil
}

// MaxTimes returns how many times one examiner may record the mark.
func (m *Mark) MaxTimes() int {
	if m.Max <= 0 {
		return 1
	}
	return m.Max
}
