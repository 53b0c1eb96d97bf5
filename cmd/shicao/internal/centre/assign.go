package centre

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/credential"
	"shicao/standards"
	examsync "shicao/sync"
)

// The assignment's errors a caller branches on.
var (
	ErrDrawTooLate   = errors.New("the draw is made before the exam day")
	ErrDrawn         = errors.New("the day's examiners are drawn already")
	ErrNotDrawn      = errors.New("no draw for that day")
	ErrRevealTooSoon = errors.New("the seed is revealed after the exam day")
	ErrNotRevealed   = errors.New("the seed is not revealed yet")
	ErrSeedMismatch  = errors.New("the seed does not match its published hash")
)

// Drawn is a day's draw as the centre keeps it.
type Drawn struct {
	Date       string
	SeedSHA256 string
	Seed       string // empty until revealed
	Input      examsync.DrawInput
	Assignment examsync.Assignment
	Commitment string // the signed note published before the day
}

// commitmentText is the text the centre signs before the exam day: the
// seed's hash, and the hashes of the draw's input and outcome, so that a
// later change to either is seen.
func commitmentText(date, seedHash string, input, assignment []byte) string {
	ih, ah := sha256.Sum256(input), sha256.Sum256(assignment)
	return fmt.Sprintf("%s commitment\ndate %s\nseed-sha256 %s\ninput-sha256 %s\nassignment-sha256 %s\n",
		examsync.DrawFormat, date, seedHash, hex.EncodeToString(ih[:]), hex.EncodeToString(ah[:]))
}

// Assign draws the examiners of every plan of day from a fresh random
// seed (perPlan each), publishes the seed's hash as a signed commitment
// and re-issues the plans with the drawn examiners and their
// declarations. The pool is every registered examiner holding a
// certificate of the plan's category valid on day; the draw enforces
// recusal (examsync.Draw). It returns ErrDrawTooLate on or after day,
// ErrDrawn for a day drawn already, and examsync.ErrShort when the pool
// cannot staff a plan (nothing is issued then).
func (c *Centre) Assign(ctx context.Context, day standards.Date, perPlan int) (*Drawn, error) {
	if !c.today().Before(day) {
		return nil, fmt.Errorf("assign %s: %w (today is %s): the seed's hash must be published before anyone knows the day's candidates' examiners", day, ErrDrawTooLate, c.today())
	}
	if _, err := c.Draw(ctx, day); err == nil {
		return nil, fmt.Errorf("assign %s: %w: verify it with --verify, or reveal its seed after the day", day, ErrDrawn)
	} else if !errors.Is(err, ErrNotDrawn) {
		return nil, err
	}
	plans, err := c.plansOn(ctx, day)
	if err != nil {
		return nil, err
	}
	if len(plans) == 0 {
		return nil, fmt.Errorf("assign %s: no plans on that day", day)
	}
	in, err := c.drawInput(ctx, day, plans, perPlan)
	if err != nil {
		return nil, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return nil, err
	}
	seed := hex.EncodeToString(raw[:])
	got, err := examsync.Draw(in, seed)
	if err != nil {
		return nil, fmt.Errorf("assign %s: %w", day, err)
	}
	inJSON, _ := json.Marshal(in)
	asJSON, _ := json.Marshal(got)
	d := &Drawn{Date: day.String(), SeedSHA256: examsync.SeedHash(seed), Input: in, Assignment: got}
	signed, err := note.Sign(&note.Note{Text: commitmentText(d.Date, d.SeedSHA256, inJSON, asJSON)}, c.signer)
	if err != nil {
		return nil, err
	}
	d.Commitment = string(signed)
	decl, err := c.Declarations(ctx)
	if err != nil {
		return nil, err
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO assign_draws (date, seed, seed_sha256, input, assignment, commitment, committed_ms) VALUES (?, ?, ?, ?, ?, ?, ?)`,
			d.Date, seed, d.SeedSHA256, string(inJSON), string(asJSON), d.Commitment, c.nowMs()); err != nil {
			return translate(err)
		}
		for _, p := range plans {
			p.Examiners, p.Substitutions, p.Draw = got[p.ID], nil, d.SeedSHA256
			if problems := declare(p, decl); len(problems) > 0 {
				return fmt.Errorf("assign %s: the draw broke a recusal: %s", day, strings.Join(problems, "; ")) // Draw enforces them: never
			}
			if err := c.issue(ctx, tx, p); err != nil {
				return err
			}
		}
		return bumpRegistry(ctx, tx)
	})
	if err != nil {
		return nil, err
	}
	return d, nil
}

// plansOn returns the plans of day, by id.
func (c *Centre) plansOn(ctx context.Context, day standards.Date) ([]*examsync.Plan, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT doc FROM plans WHERE date = ? ORDER BY id`, day.String())
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []*examsync.Plan
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			return nil, err
		}
		p := new(examsync.Plan)
		if err := json.Unmarshal([]byte(doc), p); err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, rows.Err()
}

// drawInput gathers the draw's input: the plans' candidates and the pool
// of examiners certified on day, with their declarations.
func (c *Centre) drawInput(ctx context.Context, day standards.Date, plans []*examsync.Plan, perPlan int) (examsync.DrawInput, error) {
	in := examsync.DrawInput{Format: examsync.DrawFormat, Date: day.String(), PerPlan: perPlan}
	for _, p := range plans {
		in.Plans = append(in.Plans, examsync.DrawPlan{ID: p.ID, Category: p.Category, Candidates: p.Candidates})
	}
	decl, err := c.Declarations(ctx)
	if err != nil {
		return in, err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT examiner_id, category, number, valid_from, valid_to FROM certificates ORDER BY examiner_id, category`)
	if err != nil {
		return in, translate(err)
	}
	defer rows.Close()
	cats := map[string][]string{}
	for rows.Next() {
		var id, cat, num, from, to string
		if err := rows.Scan(&id, &cat, &num, &from, &to); err != nil {
			return in, err
		}
		f, err1 := standards.ParseDate(from)
		t, err2 := standards.ParseDate(to)
		if num == "" || err1 != nil || err2 != nil || day.Before(f) || t.Before(day) || slices.Contains(cats[id], cat) {
			continue
		}
		cats[id] = append(cats[id], cat)
	}
	if err := rows.Err(); err != nil {
		return in, err
	}
	for _, id := range slices.Sorted(maps.Keys(cats)) {
		d := decl[id]
		d.Examiner = id
		in.Pool = append(in.Pool, examsync.Pooled{Declaration: d, Categories: cats[id]})
	}
	return in, nil
}

// Draw returns the draw of day, its seed only once revealed. It returns
// ErrNotDrawn for a day not drawn.
func (c *Centre) Draw(ctx context.Context, day standards.Date) (*Drawn, error) {
	var d Drawn
	var seed, in, as string
	var revealed int64
	err := c.db.QueryRowContext(ctx, `SELECT date, seed, seed_sha256, input, assignment, commitment, revealed_ms FROM assign_draws WHERE date = ?`, day.String()).
		Scan(&d.Date, &seed, &d.SeedSHA256, &in, &as, &d.Commitment, &revealed)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: %s", ErrNotDrawn, day)
	}
	if err != nil {
		return nil, translate(err)
	}
	if err := json.Unmarshal([]byte(in), &d.Input); err != nil {
		return nil, fmt.Errorf("draw of %s: input: %w", day, err)
	}
	if err := json.Unmarshal([]byte(as), &d.Assignment); err != nil {
		return nil, fmt.Errorf("draw of %s: assignment: %w", day, err)
	}
	if revealed > 0 {
		d.Seed = seed
	}
	return &d, nil
}

// Reveal publishes the seed of day's draw, once day is over. It returns
// ErrRevealTooSoon before that, ErrNotDrawn for a day not drawn.
func (c *Centre) Reveal(ctx context.Context, day standards.Date) (*Drawn, error) {
	if !day.Before(c.today()) {
		return nil, fmt.Errorf("reveal %s: %w (today is %s): revealed earlier, the seed would tell who examines whom", day, ErrRevealTooSoon, c.today())
	}
	if _, err := c.Draw(ctx, day); err != nil {
		return nil, err
	}
	if _, err := c.db.ExecContext(ctx, `UPDATE assign_draws SET revealed_ms = ? WHERE date = ? AND revealed_ms = 0`, c.nowMs(), day.String()); err != nil {
		return nil, translate(err)
	}
	return c.Draw(ctx, day)
}

// VerifyDraw redoes day's draw from seed (the revealed one when seed is
// empty) and compares it with the published commitment: the seed's hash,
// the input's and the outcome's. It returns ErrNotRevealed with no seed
// to use, ErrSeedMismatch for a seed whose hash is not the published one,
// and an error naming the first plan drawn otherwise.
func (c *Centre) VerifyDraw(ctx context.Context, day standards.Date, seed string) (*Drawn, error) {
	d, err := c.Draw(ctx, day)
	if err != nil {
		return nil, err
	}
	if seed == "" {
		seed = d.Seed
	}
	if seed == "" {
		return nil, fmt.Errorf("verify the draw of %s: %w: it is revealed after the exam day (centre assign --reveal)", day, ErrNotRevealed)
	}
	if examsync.SeedHash(seed) != d.SeedSHA256 {
		return nil, fmt.Errorf("verify the draw of %s: %w: sha256 %s, published %s", day, ErrSeedMismatch, examsync.SeedHash(seed), d.SeedSHA256)
	}
	inJSON, _ := json.Marshal(d.Input)
	asJSON, _ := json.Marshal(d.Assignment)
	v, err := note.NewVerifier(c.verifier)
	if err != nil {
		return nil, err
	}
	n, err := note.Open([]byte(d.Commitment), note.VerifierList(v))
	if err != nil {
		return nil, fmt.Errorf("verify the draw of %s: the commitment: %w", day, err)
	}
	if n.Text != commitmentText(d.Date, d.SeedSHA256, inJSON, asJSON) {
		return nil, fmt.Errorf("verify the draw of %s: the stored input or outcome is not what the commitment published", day)
	}
	got, err := examsync.Draw(d.Input, seed)
	if err != nil {
		return nil, fmt.Errorf("verify the draw of %s: %w", day, err)
	}
	for _, id := range slices.Sorted(maps.Keys(d.Assignment)) {
		if !slices.Equal(got[id], d.Assignment[id]) {
			return nil, fmt.Errorf("verify the draw of %s: plan %s was assigned %v; the seed draws %v", day, id, d.Assignment[id], got[id])
		}
	}
	d.Seed = seed
	return d, nil
}

// Substitute approves, on the exam day or before it, examiner in in
// place of out on a plan (illness, a lapsed certificate): in must hold a
// certificate of the plan's category valid on its date, examine no other
// plan that day, and not be recused from any candidate. The plan is
// re-issued, signed, with the substitution on it: the station accepts
// in only with it, and the result shows it.
func (c *Centre) Substitute(ctx context.Context, planID, out, in, reason string) (*examsync.Plan, error) {
	p, _, err := c.PlanByID(ctx, planID)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(reason) == "" {
		return nil, errors.New("substitute: give the reason")
	}
	if id, bad := credential.ValidIDNumber(in); bad != nil {
		return nil, fmt.Errorf("substitute: examiner %q: %s", in, bad.EN)
	} else {
		in = id
	}
	i := slices.Index(p.Examiners, out)
	if i < 0 {
		return nil, fmt.Errorf("substitute: examiner %s is not on plan %s (%s)", out, p.ID, strings.Join(p.Examiners, ", "))
	}
	day, err := standards.ParseDate(p.Date)
	if err != nil {
		return nil, err
	}
	if day.Before(c.today()) {
		return nil, fmt.Errorf("substitute: plan %s was examined on %s", p.ID, p.Date)
	}
	if _, why := c.certificate(ctx, in, p.Category, day); why != "" {
		return nil, fmt.Errorf("substitute: %s", why)
	}
	others, err := c.plansOn(ctx, day)
	if err != nil {
		return nil, err
	}
	for _, o := range others {
		if o.ID != p.ID && slices.Contains(o.Examiners, in) {
			return nil, fmt.Errorf("substitute: examiner %s examines plan %s that day", in, o.ID)
		}
	}
	decl, err := c.Declarations(ctx)
	if err != nil {
		return nil, err
	}
	p.Examiners[i] = in
	if problems := declare(p, decl); len(problems) > 0 {
		return nil, fmt.Errorf("substitute: %s", strings.Join(problems, "; "))
	}
	for _, x := range p.Candidates {
		if x.IDNumber == in {
			return nil, fmt.Errorf("substitute: %s is a candidate on plan %s", in, p.ID)
		}
	}
	p.Substitutions = append(p.Substitutions, examsync.Substitution{Out: out, In: in, Reason: strings.TrimSpace(reason), ApprovedMs: c.nowMs()})
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		if err := c.issue(ctx, tx, p); err != nil {
			return err
		}
		return bumpRegistry(ctx, tx)
	})
	return p, err
}
