package standards

// Vector is a self-test a standard carries inside its signed text: a script
// that expands to an event log, and what scoring that log must give. A
// station refuses a standard whose own vectors fail, so an author cannot
// publish a sheet that contradicts its own examples.
type Vector struct {
	Pos    `yaml:",inline"`
	Name   string `yaml:"name"`
	Events []Step `yaml:"events"`
	Want   Want   `yaml:"want"`
}

// Step is one line of a vector's script. A step with Type emits Times events
// (default 1), Every apart, starting after Wait; the clock then stands Every
// after the last. A step with Repeat runs Do that many times.
type Step struct {
	Pos    `yaml:",inline"`
	Clock  *Duration      `yaml:"at"` // move the clock to this time since session.start (never backwards)
	Wait   Duration       `yaml:"wait"`
	Type   string         `yaml:"type"`
	Source string         `yaml:"source"` // default: device:<kind> for device events, every examiner for marks and vetoes, system otherwise
	Data   map[string]any `yaml:"data"`
	Times  int            `yaml:"times"`
	Every  Duration       `yaml:"every"`
	Repeat int            `yaml:"repeat"`
	Do     []Step         `yaml:"do"`
}

// Want is what a vector's log must score. Unset fields are not checked.
type Want struct {
	Pos         `yaml:",inline"`
	Score       *Points           `yaml:"score"`
	Passed      *bool             `yaml:"passed"`
	Veto        *string           `yaml:"veto"` // the veto id that fires; "" for none
	NeedsReview *bool             `yaml:"needs_review"`
	Items       map[string]Points `yaml:"items"`      // item id -> score
	Deductions  map[string]int    `yaml:"deductions"` // rule or mark id -> count
	Overtime    *Points           `yaml:"overtime"`
}
