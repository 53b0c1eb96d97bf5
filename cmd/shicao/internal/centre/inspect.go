package centre

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"slices"
	"strings"

	"shicao/standards"
	examsync "shicao/sync"
)

// Oversight (issue #19): the random pull of exam plans for inspection
// (随机调取考试计划) with the inspections recorded against it, and the
// certificate warnings of 持证上岗.

// Inspection outcomes.
const (
	OutcomeOK        = "ok"        // 未发现问题
	OutcomeIssues    = "issues"    // 发现问题，已整改
	OutcomeViolation = "violation" // 违规，需处理
)

// Errors a caller branches on.
var (
	ErrNoPlans    = errors.New("no exam plan on that day to draw from")
	ErrBadOutcome = errors.New("an inspection's outcome is ok, issues or violation, with a note saying what was seen")
)

// DrawIndex is the random pull's rule, which anyone can redo from the
// seed: the SHA-256 of the seed, a newline and the exam day, its first 8
// bytes as a big-endian number, modulo the number of plans; the plans
// are the day's plan ids sorted in byte order.
func DrawIndex(seed, date string, n int) int {
	if n <= 0 {
		return -1
	}
	sum := sha256.Sum256([]byte(seed + "\n" + date))
	return int(binary.BigEndian.Uint64(sum[:8]) % uint64(n))
}

// InspectionDraw is one random pull: of a plan or of a result (Kind),
// the day drawn from, the seed, the ids drawn among (Pool) and the one
// drawn, who drew it and when, and the inspections recorded against it.
type InspectionDraw struct {
	ID          int64
	Kind        string // DrawPlan or DrawResult
	Date, Seed  string
	Pool        []string // the day's plan or result ids, sorted
	Drawn       string   // the plan or result id drawn
	Staff       string
	AtMs        int64
	Plan        *examsync.Plan // a drawn plan as issued (nil if it is gone, or a result was drawn)
	Result      *ResultRow     // a drawn result (nil for a plan)
	Inspections []Inspection
}

// What a draw pulls.
const (
	DrawPlan   = "plan"
	DrawResult = "result"
)

// Redo draws again from the recorded seed and pool, and says whether
// it gives the plan or result recorded.
func (d *InspectionDraw) Redo() bool {
	i := DrawIndex(d.Seed, d.Date, len(d.Pool))
	return i >= 0 && d.Pool[i] == d.Drawn
}

// Inspection is an inspection recorded against a draw.
type Inspection struct {
	ID             int64
	Staff, Outcome string
	Note           string
	AtMs           int64
}

// DrawInspection pulls one of the plans of day at random for staff to
// inspect, with a fresh random seed, and records the draw.
func (c *Centre) DrawInspection(ctx context.Context, day standards.Date, staff string) (*InspectionDraw, error) {
	b := make([]byte, 16)
	rand.Read(b) // never fails (crypto/rand documents it)
	return c.drawInspection(ctx, DrawPlan, day, staff, hex.EncodeToString(b))
}

// drawInspection draws one of the day's plans or results (kind) with
// seed, and records the draw.
func (c *Centre) drawInspection(ctx context.Context, kind string, day standards.Date, staff, seed string) (*InspectionDraw, error) {
	q := `SELECT id FROM plans WHERE date = ?`
	if kind == DrawResult {
		q = `SELECT id FROM results WHERE date = ?`
	}
	rows, err := c.db.QueryContext(ctx, q, day.String())
	if err != nil {
		return nil, translate(err)
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return nil, err
		}
		ids = append(ids, id)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	if len(ids) == 0 && kind == DrawResult {
		return nil, ErrNoResults
	}
	if len(ids) == 0 {
		return nil, ErrNoPlans
	}
	slices.Sort(ids) // byte order in Go, whatever the database's collation
	d := &InspectionDraw{Kind: kind, Date: day.String(), Seed: seed, Pool: ids, Staff: staff, AtMs: c.nowMs()}
	d.Drawn = ids[DrawIndex(seed, d.Date, len(ids))]
	err = c.db.QueryRowContext(ctx, `INSERT INTO inspection_draws (kind, date, seed, plan_ids, plan_id, staff, at_ms) VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id`,
		kind, d.Date, d.Seed, strings.Join(ids, "\n"), d.Drawn, staff, d.AtMs).Scan(&d.ID)
	if err != nil {
		return nil, translate(err)
	}
	return d, c.fillDraw(ctx, d)
}

// InspectionDraws returns the latest limit draws, newest first, each with
// its plan and inspections.
func (c *Centre) InspectionDraws(ctx context.Context, limit int) ([]InspectionDraw, error) {
	rows, err := c.db.QueryContext(ctx, `SELECT id, kind, date, seed, plan_ids, plan_id, staff, at_ms FROM inspection_draws ORDER BY id DESC LIMIT ?`, limit)
	if err != nil {
		return nil, translate(err)
	}
	var out []InspectionDraw
	for rows.Next() {
		var d InspectionDraw
		var ids string
		if err := rows.Scan(&d.ID, &d.Kind, &d.Date, &d.Seed, &ids, &d.Drawn, &d.Staff, &d.AtMs); err != nil {
			rows.Close()
			return nil, err
		}
		d.Pool = strings.Split(ids, "\n")
		out = append(out, d)
	}
	if err := rows.Close(); err != nil {
		return nil, err
	}
	for i := range out {
		if err := c.fillDraw(ctx, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// InspectionDrawByID returns one draw with its plan and inspections.
func (c *Centre) InspectionDrawByID(ctx context.Context, id int64) (*InspectionDraw, error) {
	var d InspectionDraw
	var ids string
	err := c.db.QueryRowContext(ctx, `SELECT id, kind, date, seed, plan_ids, plan_id, staff, at_ms FROM inspection_draws WHERE id = ?`, id).
		Scan(&d.ID, &d.Kind, &d.Date, &d.Seed, &ids, &d.Drawn, &d.Staff, &d.AtMs)
	if err != nil {
		return nil, translate(err)
	}
	d.Pool = strings.Split(ids, "\n")
	return &d, c.fillDraw(ctx, &d)
}

func (c *Centre) fillDraw(ctx context.Context, d *InspectionDraw) error {
	if err := c.fillDrawn(ctx, d); err != nil {
		return err
	}
	rows, err := c.db.QueryContext(ctx, `SELECT id, staff, outcome, note, at_ms FROM inspections WHERE draw_id = ? ORDER BY id`, d.ID)
	if err != nil {
		return translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var in Inspection
		if err := rows.Scan(&in.ID, &in.Staff, &in.Outcome, &in.Note, &in.AtMs); err != nil {
			return err
		}
		d.Inspections = append(d.Inspections, in)
	}
	return rows.Err()
}

// RecordInspection records staff's inspection of a draw's plan: an
// outcome (OutcomeOK, OutcomeIssues, OutcomeViolation) and a note.
func (c *Centre) RecordInspection(ctx context.Context, drawID int64, staff, outcome, note string) error {
	note = strings.TrimSpace(note)
	if note == "" || (outcome != OutcomeOK && outcome != OutcomeIssues && outcome != OutcomeViolation) {
		return ErrBadOutcome
	}
	var one int
	if err := c.db.QueryRowContext(ctx, `SELECT 1 FROM inspection_draws WHERE id = ?`, drawID).Scan(&one); err != nil {
		return translate(err)
	}
	_, err := c.db.ExecContext(ctx, `INSERT INTO inspections (draw_id, staff, outcome, note, at_ms) VALUES (?, ?, ?, ?, ?)`, drawID, staff, outcome, note, c.nowMs())
	return translate(err)
}
