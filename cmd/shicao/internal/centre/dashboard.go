package centre

import (
	"context"

	"shicao/standards"
)

// The console's landing page (issue #19): the day at a glance. Every
// figure is read from small tables or an index: the day's results and
// passes from daily_rates (summed at ingest, migration 0014), the open
// alarms from alarms and alarm_acks, the stations from
// LiveStations. Nothing here reads a result's row or body one by one.

// DaySummary is a day's figures for the dashboard.
type DaySummary struct {
	Date             string
	Results, Passed  int        // the day's results and how many passed
	BySite           []PassRate // the day's results by site
	Month, MonthPass int        // the 30 days to the day
	OpenAlarms       int        // alarms neither acknowledged nor resolved
	OpenByKind       []KindCount
}

// Rate is the day's pass rate, 0 to 1.
func (d *DaySummary) Rate() float64 { return ratio(d.Passed, d.Results) }

// MonthRate is the pass rate of the 30 days to the day.
func (d *DaySummary) MonthRate() float64 { return ratio(d.MonthPass, d.Month) }

// KindCount is how many open alarms there are of a kind.
type KindCount struct {
	Kind  string
	Count int
}

// Summary returns day's figures for the dashboard.
func (c *Centre) Summary(ctx context.Context, day standards.Date) (*DaySummary, error) {
	d := &DaySummary{Date: day.String()}
	var err error
	if d.BySite, err = c.PassRates(ctx, BySite, Period{day, day}); err != nil {
		return nil, err
	}
	for _, s := range d.BySite {
		d.Results += s.Attempts
		d.Passed += s.Passed
	}
	err = c.db.QueryRowContext(ctx, `SELECT coalesce(SUM(attempts), 0), coalesce(SUM(passed), 0) FROM daily_rates WHERE dim = ? AND date >= ? AND date <= ?`,
		BySite, dateAdd(day, -29).String(), day.String()).Scan(&d.Month, &d.MonthPass)
	if err != nil {
		return nil, translate(err)
	}
	rows, err := c.db.QueryContext(ctx, `SELECT a.kind, count(*) FROM alarms a LEFT JOIN alarm_acks k ON k.alarm_id = a.id
		WHERE k.alarm_id IS NULL AND a.resolved_ms IS NULL GROUP BY a.kind ORDER BY a.kind`)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	for rows.Next() {
		var k KindCount
		if err := rows.Scan(&k.Kind, &k.Count); err != nil {
			return nil, err
		}
		d.OpenAlarms += k.Count
		d.OpenByKind = append(d.OpenByKind, k)
	}
	return d, rows.Err()
}
