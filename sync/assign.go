package sync

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
)

// Declaration is what an examiner declared for recusal (回避): the
// training institutions they belong to (as teacher, owner or employee)
// and the persons (身份证号) they must not examine (relatives, their own
// trainees).
type Declaration struct {
	Examiner     string   `json:"examiner"`
	Institutions []string `json:"institutions,omitempty"`
	Persons      []string `json:"persons,omitempty"`
}

// Recused reports whether the examiner who declared d may not examine c:
// c was trained by an institution d belongs to, or d names c.
func (d Declaration) Recused(c Candidate) bool {
	inst := strings.TrimSpace(c.Institution)
	if inst != "" && slices.ContainsFunc(d.Institutions, func(x string) bool { return strings.TrimSpace(x) == inst }) {
		return true
	}
	return slices.ContainsFunc(d.Persons, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), c.IDNumber) })
}

// Substitution is an examiner the centre approved on the exam day in
// place of another (illness, a lapsed certificate): Out leaves the
// plan, In joins it, for Reason, approved at ApprovedMs.
type Substitution struct {
	Out        string `json:"out"`
	In         string `json:"in"`
	Reason     string `json:"reason"`
	ApprovedMs int64  `json:"approved_ms"`
}

// DrawFormat names the draw's input document.
const DrawFormat = "shicao-draw/1"

// DrawInput is everything a day's examiner draw depends on, fixed when
// the seed's hash is published: the day's plans (their candidates with
// their institutions) and the pool of examiners certified for each
// category on the day, with their declarations. Anyone holding it and
// the revealed seed redoes the draw (Draw).
type DrawInput struct {
	Format  string     `json:"format"`
	Date    string     `json:"date"`
	PerPlan int        `json:"per_plan"`
	Plans   []DrawPlan `json:"plans"`
	Pool    []Pooled   `json:"pool"`
}

// DrawPlan is one plan to staff.
type DrawPlan struct {
	ID         string      `json:"id"`
	Category   string      `json:"category"`
	Candidates []Candidate `json:"candidates"`
}

// Pooled is an examiner in the draw: the categories they hold a valid
// certificate of on the day, and their declarations.
type Pooled struct {
	Declaration
	Categories []string `json:"categories"`
}

// Assignment is a draw's outcome: plan id -> examiners, in draw order.
type Assignment map[string][]string

// ErrShort reports a plan the pool cannot staff without breaking a rule.
var ErrShort = errors.New("not enough eligible examiners")

// SeedHash is the published commitment to a draw's seed.
func SeedHash(seed string) string {
	h := sha256.Sum256([]byte(seed))
	return hex.EncodeToString(h[:])
}

// Draw assigns PerPlan examiners to each plan of in, from seed alone:
// plans in id order; for each, the pool sorted by id and shuffled by a
// ChaCha8 stream keyed by SHA-256(seed, date, plan id), and the first
// examiners taken who hold the plan's category, are not yet assigned
// that day (one examiner, one plan), are not one of its candidates, and
// are not recused from any of its candidates. The same input and seed
// give the same assignment on any machine. It returns ErrShort, naming
// the plan, when the pool cannot staff one.
func Draw(in DrawInput, seed string) (Assignment, error) {
	plans := slices.Clone(in.Plans)
	slices.SortFunc(plans, func(a, b DrawPlan) int { return strings.Compare(a.ID, b.ID) })
	pool := slices.Clone(in.Pool)
	slices.SortFunc(pool, func(a, b Pooled) int { return strings.Compare(a.Examiner, b.Examiner) })
	used := map[string]bool{}
	out := Assignment{}
	for _, p := range plans {
		key := sha256.Sum256([]byte(DrawFormat + "\x00" + seed + "\x00" + in.Date + "\x00" + p.ID))
		rng := rand.New(rand.NewChaCha8(key))
		order := make([]int, len(pool))
		for i := range order {
			order[i] = i
		}
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var got []string
		for _, i := range order {
			x := pool[i]
			if len(got) == in.PerPlan {
				break
			}
			if used[x.Examiner] || !slices.Contains(x.Categories, p.Category) || !Eligible(x.Declaration, p.Candidates) {
				continue
			}
			got = append(got, x.Examiner)
		}
		if len(got) < in.PerPlan {
			return nil, fmt.Errorf("plan %s (%s): %w: %d of %d", p.ID, p.Category, ErrShort, len(got), in.PerPlan)
		}
		for _, id := range got {
			used[id] = true
		}
		out[p.ID] = got
	}
	return out, nil
}

// Eligible reports whether the examiner who declared d may examine every
// candidate of a plan: none is recused, and none is the examiner.
func Eligible(d Declaration, candidates []Candidate) bool {
	for _, c := range candidates {
		if d.Recused(c) || strings.EqualFold(c.IDNumber, d.Examiner) {
			return false
		}
	}
	return true
}
