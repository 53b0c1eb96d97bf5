package demo

import (
	"context"
	"fmt"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards/library"
)

// TrainingSite is the demo's training institution site: registered so
// that its equipment is known, never an exam site (考培分离).
const TrainingSite = "TA-PX-01"

// SeedCentre fills a centre with the demo day, through the same checks as
// the admin commands: the demo province key pinned, the sample library
// published, the demo exam site and a training institution's site, their
// equipment, the demo examiners. With a station key it also registers
// the demo station and issues the demo day's plans (one per category) for
// date. skip names library files not to publish (tests of unknown
// standards). It returns the first step's error the centre refuses.
func SeedCentre(ctx context.Context, c *centre.Centre, date, stationKey string, skip ...string) error {
	// A demo centre shares its station's machine: exam dates are days in
	// that machine's time zone.
	if err := c.SetTimeZone(ctx, "Local"); err != nil {
		return err
	}
	_, province := ProvinceKeys()
	if err := c.AddTrustRoot(ctx, province); err != nil {
		return err
	}
	lib, err := SignedLibrary()
	if err != nil {
		return err
	}
	skipped := map[string]bool{}
	for _, s := range skip {
		skipped[s] = true
	}
	for _, name := range library.Names() {
		if skipped[name] {
			continue
		}
		if _, err := c.Publish(ctx, name, lib[name]); err != nil {
			return fmt.Errorf("publish %s: %w", name, err)
		}
	}
	if err := c.AddSite(ctx, centre.Site{ID: Site, Name: SiteName, Accepted: true}); err != nil {
		return err
	}
	if err := c.AddSite(ctx, centre.Site{ID: TrainingSite, Name: "泰安市某安全培训学校（培训机构）", Accepted: false}); err != nil {
		return err
	}
	for _, e := range Equipment {
		if err := c.AddEquipment(ctx, e); err != nil {
			return err
		}
	}
	var rows []centre.ExaminerRow
	for _, x := range Examiners {
		for _, cert := range x.Certificates {
			rows = append(rows, centre.ExaminerRow{ID: x.ID, Name: x.Name, Category: cert.Category, Number: cert.Number, ValidFrom: cert.ValidFrom, ValidTo: cert.ValidTo, PIN: x.PIN})
		}
	}
	if err := c.ImportExaminers(ctx, rows); err != nil {
		return err
	}
	if stationKey == "" {
		return nil
	}
	if err := c.AddStation(ctx, Station, Site, stationKey); err != nil {
		return err
	}
	var plan []centre.PlanRow
	for _, p := range Plans(date) {
		for _, cand := range p.Candidates {
			plan = append(plan, centre.PlanRow{Plan: p.ID, Date: p.Date, Site: p.Site, Station: p.Station, Category: p.Category, Blueprint: p.Blueprint,
				IDNumber: cand.IDNumber, Name: cand.Name, Attempt: cand.Attempt, Examiners: p.Examiners})
		}
	}
	_, err = c.ImportPlans(ctx, plan)
	return err
}
