package centre

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"shicao/cmd/shicao/internal/credential"
	"shicao/standards"
	examsync "shicao/sync"
)

// PlanRow is one candidate row of a plan roster, as the provincial
// system exports it: the plan's fields repeat on every row.
type PlanRow struct {
	Plan, Date, Site, Station, Category, Blueprint string
	IDNumber, Name                                 string
	Attempt                                        int      // 1 正考, 2 补考
	Institution                                    string   // the candidate's 培训机构, for recusal (optional)
	Examiners                                      []string // 身份证号 of the plan's examiners
}

// ImportPlans issues the plans in rows (grouped by plan id), each signed
// by the centre, all or none. It refuses a plan that could not be
// examined lawfully: a site that is not an accepted exam site, a station
// not at that site, a blueprint not published or of another category,
// an examiner without a valid certificate of the category on the exam
// date (持证上岗), a malformed 身份证号. It returns the plan ids issued.
func (c *Centre) ImportPlans(ctx context.Context, rows []PlanRow) ([]string, error) {
	plans := map[string]*examsync.Plan{}
	var order []string
	var problems []string
	seen := map[string]int{} // plan and 身份证号 -> row
	for i, r := range rows {
		p := plans[r.Plan]
		if p == nil {
			p = &examsync.Plan{Kind: examsync.KindPlan, ID: r.Plan, Date: r.Date, Site: r.Site, Station: r.Station, Category: r.Category, Blueprint: r.Blueprint, Examiners: r.Examiners}
			plans[r.Plan] = p
			order = append(order, r.Plan)
		} else if p.Date != r.Date || p.Site != r.Site || p.Station != r.Station || p.Category != r.Category || p.Blueprint != r.Blueprint || !slices.Equal(p.Examiners, r.Examiners) {
			problems = append(problems, fmt.Sprintf("row %d: plan %s: the plan's fields differ from its earlier rows", i+1, r.Plan))
		}
		id, bad := credential.ValidIDNumber(r.IDNumber)
		if bad != nil {
			problems = append(problems, fmt.Sprintf("row %d: candidate %s 身份证号 %q: %s", i+1, r.Name, r.IDNumber, idProblem(r.IDNumber, bad.EN)))
			continue
		}
		if strings.TrimSpace(r.Name) == "" {
			problems = append(problems, fmt.Sprintf("row %d: candidate %s has no 姓名", i+1, id))
		}
		if row, ok := seen[r.Plan+"\x00"+id]; ok {
			problems = append(problems, fmt.Sprintf("row %d: candidate %s (%s) is on plan %s already, in row %d", i+1, r.Name, id, r.Plan, row))
			continue
		}
		seen[r.Plan+"\x00"+id] = i + 1
		p.Candidates = append(p.Candidates, examsync.Candidate{IDNumber: id, Name: r.Name, Attempt: max(r.Attempt, 1), Institution: r.Institution})
	}
	decl, err := c.Declarations(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range order {
		p := plans[id]
		problems = append(problems, c.mergeIssued(ctx, p)...)
		problems = append(problems, declare(p, decl)...)
		for _, x := range p.Candidates {
			if slices.Contains(p.Examiners, x.IDNumber) {
				problems = append(problems, fmt.Sprintf("plan %s: %s (%s) is both a candidate and an examiner: no one examines themself", id, x.Name, x.IDNumber))
			}
		}
		for _, why := range c.checkPlan(ctx, p) {
			problems = append(problems, fmt.Sprintf("plan %s: %s", id, why))
		}
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("plans not issued:\n  %s", strings.Join(problems, "\n  "))
	}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		for _, id := range order {
			if err := c.issue(ctx, tx, plans[id]); err != nil {
				return err
			}
		}
		// A station's registry holds its plans' examiners (RegistryFor):
		// a new plan changes it, so its version moves.
		return bumpRegistry(ctx, tx)
	})
	return order, err
}

// declare puts the declarations of p's examiners on p, for the station
// to enforce, and returns the recusals p breaks: an examiner declared to
// belong to a candidate's training institution, or who declared the
// candidate (回避).
func declare(p *examsync.Plan, decl map[string]examsync.Declaration) []string {
	var problems []string
	p.Declarations = nil
	for _, x := range p.Examiners {
		d, ok := decl[x]
		if !ok || len(d.Institutions)+len(d.Persons) == 0 {
			continue
		}
		d.Examiner = x
		p.Declarations = append(p.Declarations, d)
		for _, cand := range p.Candidates {
			if d.Recused(cand) {
				problems = append(problems, fmt.Sprintf("plan %s: examiner %s must not examine %s (%s, %s): 回避 (declared %s)",
					p.ID, x, cand.Name, cand.IDNumber, cand.Institution, strings.Join(append(slices.Clone(d.Institutions), d.Persons...), ", ")))
			}
		}
	}
	return problems
}

// issue signs p with the centre key and stores it, replacing the plan
// of the same id.
func (c *Centre) issue(ctx context.Context, tx *sql.Tx, p *examsync.Plan) error {
	doc, err := json.Marshal(p)
	if err != nil {
		return err
	}
	signed, err := examsync.SignWith(p, c.signer)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO plans (id, date, site, station, category, blueprint, doc, signed, issued_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET date = excluded.date, site = excluded.site, station = excluded.station, category = excluded.category,
		blueprint = excluded.blueprint, doc = excluded.doc, signed = excluded.signed, issued_ms = excluded.issued_ms`,
		p.ID, p.Date, p.Site, p.Station, p.Category, p.Blueprint, string(doc), signed, c.nowMs()); err != nil {
		return fmt.Errorf("plan %s: %w", p.ID, err)
	}
	return nil
}

// mergeIssued folds a plan issued before under the same id into p: a
// plan keeps its date, site, station, category and blueprint once issued
// (a change is a new plan), and a roster imported again adds candidates
// to it, never drops them — a supplementary roster must not take off the
// plan the candidates already examined — while its examiners replace the
// plan's. It returns the problems.
func (c *Centre) mergeIssued(ctx context.Context, p *examsync.Plan) []string {
	old, _, err := c.PlanByID(ctx, p.ID)
	if errors.Is(err, ErrNotFound) {
		return nil
	}
	if err != nil {
		return []string{fmt.Sprintf("plan %s: %v", p.ID, err)}
	}
	if old.Date != p.Date || old.Site != p.Site || old.Station != p.Station || old.Category != p.Category || old.Blueprint != p.Blueprint {
		return []string{fmt.Sprintf("plan %s was issued for %s %s %s %s %s; this roster says %s %s %s %s %s: an issued plan keeps these — give the change a new plan id",
			p.ID, old.Date, old.Site, old.Station, old.Category, old.Blueprint, p.Date, p.Site, p.Station, p.Category, p.Blueprint)}
	}
	var problems []string
	merged := slices.Clone(old.Candidates)
	for _, x := range p.Candidates {
		i := slices.IndexFunc(merged, func(y examsync.Candidate) bool { return y.IDNumber == x.IDNumber })
		switch {
		case i < 0:
			merged = append(merged, x)
		case merged[i].Name != x.Name || max(merged[i].Attempt, 1) != x.Attempt:
			problems = append(problems, fmt.Sprintf("plan %s: candidate %s is on the plan as %s (attempt %d); this roster says %s (attempt %d)", p.ID, x.IDNumber, merged[i].Name, max(merged[i].Attempt, 1), x.Name, x.Attempt))
		}
	}
	// The roster's examiners replace the plan's: that is how an examiner
	// who fell ill, or whose certificate lapsed, is substituted.
	p.Candidates = merged
	return problems
}

func (c *Centre) checkPlan(ctx context.Context, p *examsync.Plan) []string {
	var why []string
	day, err := standards.ParseDate(p.Date)
	if err != nil {
		why = append(why, fmt.Sprintf("date %q is not YYYY-MM-DD", p.Date))
	} else if today := c.today(); day.Before(today) {
		// The zone named: on a machine in another, "today" here is not
		// the day its clock shows.
		why = append(why, fmt.Sprintf("the exam date %s is past (today is %s in %s, the exam sites' time zone): no station can examine on it", p.Date, today, c.zone))
	}
	site, err := c.SiteByID(ctx, p.Site)
	switch {
	case err != nil:
		why = append(why, fmt.Sprintf("site %s is not registered", p.Site))
	case !site.Accepted:
		why = append(why, fmt.Sprintf("site %s (%s) is not an accepted exam site (考培分离)", p.Site, site.Name))
	}
	if st, err := c.StationSite(ctx, p.Station); err != nil {
		why = append(why, fmt.Sprintf("station %s is not registered", p.Station))
	} else if st != p.Site {
		why = append(why, fmt.Sprintf("station %s stands at site %s, not %s", p.Station, st, p.Site))
	}
	if bp, err := c.latestBlueprint(ctx, p.Blueprint); err != nil {
		why = append(why, fmt.Sprintf("blueprint %s is not published (shicao centre standard publish)", p.Blueprint))
	} else if bp.Category != p.Category {
		why = append(why, fmt.Sprintf("blueprint %s is for %s, not %s", p.Blueprint, bp.Category, p.Category))
	}
	if len(p.Examiners) == 0 {
		why = append(why, "no examiners")
	}
	for _, id := range p.Examiners {
		if day.IsZero() {
			break
		}
		if _, msg := c.certificate(ctx, id, p.Category, day); msg != "" {
			why = append(why, msg)
		}
	}
	if len(p.Candidates) == 0 {
		why = append(why, "no candidates")
	}
	return why
}

func (c *Centre) latestBlueprint(ctx context.Context, id string) (*standards.Blueprint, error) {
	var signed []byte
	if err := c.db.QueryRowContext(ctx, `SELECT signed FROM standards WHERE id = ? AND kind = 'blueprint' ORDER BY version DESC LIMIT 1`, id).Scan(&signed); err != nil {
		return nil, translate(err)
	}
	return standards.ParseBlueprint(id, standards.SplitNote(signed))
}

// certificate returns an examiner's certificate of category and why it
// does not entitle them to examine on day ("" if it does).
func (c *Centre) certificate(ctx context.Context, examinerID, category string, day standards.Date) (examsync.Certificate, string) {
	// The examiner and their certificate in one query: an ingest asks
	// for each examiner of every result.
	var name string
	var number, validFrom, validTo sql.NullString
	err := c.db.QueryRowContext(ctx, `SELECT e.name, c.number, c.valid_from, c.valid_to FROM examiners e
		LEFT JOIN certificates c ON c.examiner_id = e.id AND c.category = ? WHERE e.id = ?`, category, examinerID).Scan(&name, &number, &validFrom, &validTo)
	if err != nil {
		return examsync.Certificate{}, fmt.Sprintf("examiner %s is not registered", examinerID)
	}
	cert := examsync.Certificate{Category: category, Number: number.String, ValidFrom: validFrom.String, ValidTo: validTo.String}
	if cert.Number == "" {
		return cert, fmt.Sprintf("examiner %s (%s) holds no %s certificate (持证上岗)", name, examinerID, category)
	}
	from, err1 := standards.ParseDate(cert.ValidFrom)
	to, err2 := standards.ParseDate(cert.ValidTo)
	if err1 != nil || err2 != nil || day.Before(from) || to.Before(day) {
		return cert, fmt.Sprintf("examiner %s (%s): %s certificate %s is valid %s to %s, not on %s", name, examinerID, category, cert.Number, cert.ValidFrom, cert.ValidTo, day)
	}
	return cert, ""
}

// Unexaminable lists the examiners on plans from today on who may not
// examine on the plan's date (持证上岗) by the registry as it is now: an
// examiner import that withdrew or let lapse a certificate leaves a plan
// that its station cannot run as issued, and people must know before
// the exam day.
func (c *Centre) Unexaminable(ctx context.Context) ([]string, error) {
	today := c.today().String()
	rows, err := c.db.QueryContext(ctx, `SELECT doc FROM plans WHERE date >= ? ORDER BY date, id`, today)
	if err != nil {
		return nil, translate(err)
	}
	var plans []examsync.Plan
	for rows.Next() {
		var doc string
		if err := rows.Scan(&doc); err != nil {
			rows.Close()
			return nil, err
		}
		var p examsync.Plan
		if err := json.Unmarshal([]byte(doc), &p); err != nil {
			rows.Close()
			return nil, err
		}
		plans = append(plans, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	var out []string
	for _, p := range plans {
		day, err := standards.ParseDate(p.Date)
		if err != nil {
			continue
		}
		for _, id := range p.Examiners {
			if _, why := c.certificate(ctx, id, p.Category, day); why != "" {
				out = append(out, fmt.Sprintf("plan %s (%s, %s): %s", p.ID, p.Date, p.Station, why))
			}
		}
	}
	return out, nil
}

// PlanByID returns an issued plan and its signed document.
func (c *Centre) PlanByID(ctx context.Context, id string) (*examsync.Plan, []byte, error) {
	var doc string
	var signed []byte
	if err := c.db.QueryRowContext(ctx, `SELECT doc, signed FROM plans WHERE id = ?`, id).Scan(&doc, &signed); err != nil {
		return nil, nil, translate(err)
	}
	var p examsync.Plan
	if err := json.Unmarshal([]byte(doc), &p); err != nil {
		return nil, nil, fmt.Errorf("plan %s: %w", id, err)
	}
	return &p, signed, nil
}

// PlansFor returns the signed list of the plans issued to a station, from
// yesterday on: candidates' personal data goes only to the station a
// plan names, and only while it needs it.
func (c *Centre) PlansFor(ctx context.Context, stationName string) ([]byte, error) {
	if _, err := c.StationSite(ctx, stationName); err != nil {
		return nil, err
	}
	from := standards.DateOf(c.now().In(c.zone).AddDate(0, 0, -1)).String()
	rows, err := c.db.QueryContext(ctx, `SELECT signed FROM plans WHERE station = ? AND date >= ? ORDER BY date, id`, stationName, from)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	doc := examsync.Plans{Kind: examsync.KindPlans, Station: stationName, Plans: []string{}}
	for rows.Next() {
		var signed []byte
		if err := rows.Scan(&signed); err != nil {
			return nil, err
		}
		doc.Plans = append(doc.Plans, string(signed))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return examsync.SignWith(doc, c.signer)
}
