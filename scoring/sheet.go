package scoring

import "shicao/standards"

// Points is a score in tenths; see standards.Points.
type Points = standards.Points

// Sheet is one item's score sheet (评分表): every scoring point with its
// deductions and their evidence, the veto if one fired, and the total.
type Sheet struct {
	ID           string         `json:"id"`
	Version      int            `json:"version"`
	SHA256       string         `json:"sha256"`
	Title        string         `json:"title"`
	Score        Points         `json:"score"`
	PassMark     Points         `json:"pass_mark"`
	Passed       bool           `json:"passed"`
	Veto         *VetoHit       `json:"veto"`
	Vetoes       []VetoHit      `json:"vetoes,omitempty"` // every veto that fired, in the standard's order
	NeedsReview  bool           `json:"needs_review"`
	Review       []string       `json:"review,omitempty"` // items whose examiners disagree beyond tolerance, unresolved
	Finished     bool           `json:"finished"`         // the log has a session.end
	ElapsedMs    int64          `json:"elapsed_ms"`
	LimitMs      int64          `json:"limit_ms"`
	Overtime     *Deduction     `json:"overtime,omitempty"`
	Stopped      bool           `json:"stopped,omitempty"` // the hard stop was reached
	Ignored      []int64        `json:"ignored,omitempty"` // device events after the stop or the end, not scored
	Unknown      []UnknownEvent `json:"unknown_events,omitempty"`
	Outages      []Outage       `json:"outages,omitempty"` // every device lost mid-item, in the order lost
	Acknowledged *bool          `json:"acknowledged"`      // the candidate's acknowledgement: nil until recorded
	Refused      bool           `json:"refused,omitempty"` // the candidate refused to sign: the item scores 0
	Items        []ItemScore    `json:"items"`
	Events       int            `json:"events"` // events scored over
}

// ItemScore is one scoring point (评分项) of a sheet.
type ItemScore struct {
	ID         string              `json:"id"`
	Title      string              `json:"title"`
	Points     Points              `json:"points"`
	Score      Points              `json:"score"`
	Deductions []Deduction         `json:"deductions"`
	Examiners  []ExaminerDeduction `json:"examiners,omitempty"` // each examiner's manual deductions on this item
	Manual     Points              `json:"manual"`              // the manual deduction used: the examiners' mean, or the review's decision
	Resolved   *Resolution         `json:"resolved,omitempty"`
}

// Deduction is points taken off, why, and the events that prove it.
type Deduction struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Points   Points  `json:"points"`
	Count    int     `json:"count"`
	Evidence []int64 `json:"evidence"`
	Times    []int64 `json:"-"`  // t_ms of each evidence event, for display
	By       string  `json:"by"` // "rule", "examiners" or "time"
	Capped   bool    `json:"capped,omitempty"`
}

// ExaminerDeduction is one examiner's manual total on an item.
type ExaminerDeduction struct {
	Examiner string `json:"examiner"`
	Deduct   Points `json:"deduct"`
}

// Resolution is the chief examiner's decision on a disputed item.
type Resolution struct {
	Deduct Points `json:"deduct"`
	Reason string `json:"reason"`
	By     string `json:"by"`
	Seq    int64  `json:"seq"`
}

// VetoHit is a veto (否决项) that fired.
type VetoHit struct {
	ID       string  `json:"id"`
	Text     string  `json:"text"`
	Evidence []int64 `json:"evidence"`
	Times    []int64 `json:"-"`
	By       string  `json:"by"` // "rule" or "examiner:<id>"
}

// Outage is a device lost mid-item (device.lost) and back (device.back):
// the sheet lists every one with its times, so that examiners and the
// candidate see what the equipment did. Rules with `outages: exclude`
// measure their intervals without these windows.
type Outage struct {
	Device     string `json:"device"`
	LostSeq    int64  `json:"lost_seq"`
	LostMs     int64  `json:"lost_ms"`
	BackSeq    int64  `json:"back_seq"`    // device.back, or the device's first reading if that came first; 0: not back by the end of the log
	BackMs     int64  `json:"back_ms"`     // when BackSeq > 0
	DurationMs int64  `json:"duration_ms"` // to device.back, or to the end of the item while the device is still lost
}

// UnknownEvent is an event whose type is not in the vocabulary: reported,
// never silently dropped.
type UnknownEvent struct {
	Seq  int64  `json:"seq"`
	Type string `json:"type"`
}
