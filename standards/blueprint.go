package standards

// Blueprint is one category's practical paper (实操试卷): its subjects
// K1–K4 with their weights and the pools of items to draw from, the pass mark
// and the rounding rule. Provinces draw differently, so this is data too.
type Blueprint struct {
	Pos       `yaml:",inline"`
	ID        string        `yaml:"id"`
	Version   int           `yaml:"version"`
	Title     string        `yaml:"title"`
	Category  string        `yaml:"category"`
	Effective Date          `yaml:"effective"`
	Expires   Date          `yaml:"expires"` // optional: the last day it may be used; zero for none
	TimeLimit Duration      `yaml:"time_limit"`
	Pass      Points        `yaml:"pass"`     // pass when total >= pass and no veto
	Rounding  string        `yaml:"rounding"` // how a weighted subject score is rounded; see Rounding* constants
	Subjects  []Subject     `yaml:"subjects"`
	Tests     []PaperVector `yaml:"tests"`
	Notes     string        `yaml:"notes"`

	Source []byte `yaml:"-"`
	File   string `yaml:"-"`
}

// RoundHalfUpTenth is the only rounding rule published so far: each weighted
// subject score (item score x weight / 100) is rounded half up to 0.1, and
// the total is the sum of the rounded subject scores.
const RoundHalfUpTenth = "half-up-0.1"

// Subject is one of K1–K4: its weight in the paper and the items it draws from.
type Subject struct {
	Pos    `yaml:",inline"`
	ID     string   `yaml:"id"`
	Title  string   `yaml:"title"`
	Weight Points   `yaml:"weight"`
	Pool   []string `yaml:"pool"` // standard ids
}

// PaperVector is a blueprint's self-test: item scores per subject, the
// subjects whose item was vetoed, and the paper result they must give.
type PaperVector struct {
	Pos    `yaml:",inline"`
	Name   string            `yaml:"name"`
	Scores map[string]Points `yaml:"scores"` // subject id -> item score
	Vetoed []string          `yaml:"vetoed"` // subject ids whose item was vetoed
	Want   PaperWant         `yaml:"want"`
}

// PaperWant is what a paper vector must give.
type PaperWant struct {
	Pos    `yaml:",inline"`
	Total  Points `yaml:"total"`
	Passed bool   `yaml:"passed"`
}

// SHA256 returns the hex SHA-256 of the blueprint's exact bytes.
func (b *Blueprint) SHA256() string { return (&Standard{Source: b.Source}).SHA256() }

// Subject returns the subject with id, or nil.
func (b *Blueprint) Subject(id string) *Subject {
	for i := range b.Subjects {
		if b.Subjects[i].ID == id {
			return &b.Subjects[i]
		}
	}
	return nil
}
