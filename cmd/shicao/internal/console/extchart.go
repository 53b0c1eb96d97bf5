package console

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"shicao/standards"
)

// The extinguisher chart: the candidate's distance from the fire over
// the item's time (ext.position, with the 3–5 m band the standard scores
// against: sd-dg-k43-extinguisher.yaml, rule "distance",
// between(.distance_m, 3, 5)), and below it where each spray was aimed
// (ext.spray: base is right, high, off and person are not: rule
// "not-base" and the veto on spraying at a person). Drawn on the server
// as SVG, like the CPR chart; every event is in the table under it.

// Extinguisher chart geometry, in SVG user units: the distance panel on
// top, the aim lanes under it, the time axis at the bottom.
const (
	extW, extH           = 760, 320
	extPadL, extPadR     = 64, 36
	extDistTop, extDistH = 12, 150
	extAimTop, extLaneH  = 190, 22
	extBandLow, extBand  = 3.0, 5.0
	extDistAxisMinMax    = 6.0
)

// extAims are the aims ext.spray reports, in the order of the lanes;
// only the first is right (docs/events.md).
var extAims = []string{"base", "high", "off", "person"}

// extPoint is one ext.position or ext.spray event.
type extPoint struct {
	Seq       int64
	AtMs      int64 // since the item's first event
	Type      string
	Distance  string // ext.position: metres as the device sent them
	Aim       string // ext.spray
	Sweep     string
	Remaining string
	OK        bool // in the band, or aimed at the base
	X, Y      float64
}

// extChart is the chart and its table.
type extChart struct {
	W, H         int
	PlotX, PlotW float64
	DistY, DistH float64
	BandY, BandH float64
	Line         string // the distance's steps
	Positions    []extPoint
	Sprays       []extPoint
	Rows         []extPoint // every point, in order, for the table
	Lanes        []tick     // the aim lanes: Pos is the lane's y
	XTicks       []tick
	YTicks       []tick
	AxisY        float64 // the time axis labels' baseline
	InBand       int
	AtBase       int
}

// buildExtChart returns the chart of the extinguisher's events among
// events, or nil when there is neither a position nor a spray.
func buildExtChart(events []standards.EventView) *extChart {
	c := &extChart{W: extW, H: extH, PlotX: extPadL, PlotW: extW - extPadL - extPadR, DistY: extDistTop, DistH: extDistH}
	var t0 int64
	for i, e := range events {
		if i == 0 {
			t0 = e.TMs
		}
		if p, ok := extPointOf(e, t0); ok {
			c.Rows = append(c.Rows, p)
		}
	}
	if len(c.Rows) == 0 {
		return nil
	}
	tMin, tMax := c.Rows[0].AtMs, c.Rows[len(c.Rows)-1].AtMs
	if tMax == tMin {
		tMax = tMin + 1000
	}
	yMax := extDistAxisMinMax
	for _, p := range c.Rows {
		if d, ok := metres(p.Distance); ok && d+1 > yMax {
			yMax = math.Ceil(d + 1)
		}
	}
	x := func(ms int64) float64 { return c.PlotX + c.PlotW*float64(ms-tMin)/float64(tMax-tMin) }
	y := func(m float64) float64 { return c.DistY + c.DistH*(1-max(m, 0)/yMax) }
	for i, a := range extAims {
		c.Lanes = append(c.Lanes, tick{extAimTop + float64(i)*extLaneH + extLaneH/2, a})
	}
	c.place(x, y)
	c.BandY, c.BandH = y(extBand), y(extBandLow)-y(extBand)
	for m := 0.0; m <= yMax; m++ {
		c.YTicks = append(c.YTicks, tick{y(m), fmt.Sprint(m)})
	}
	c.AxisY = extAimTop + float64(len(extAims))*extLaneH + 24
	for i := 0; i <= 5; i++ {
		ms := tMin + (tMax-tMin)*int64(i)/5
		c.XTicks = append(c.XTicks, tick{x(ms), fmt.Sprintf("%.1f s", float64(ms)/1000)})
	}
	return c
}

// place puts every point on the chart and draws the distance's steps: a
// stance holds until the next one, to the end of the chart.
func (c *extChart) place(x func(int64) float64, y func(float64) float64) {
	var line strings.Builder
	lastY := -1.0
	for i := range c.Rows {
		p := &c.Rows[i]
		p.X = x(p.AtMs)
		if d, ok := metres(p.Distance); ok {
			p.Y = y(d)
			if lastY >= 0 {
				fmt.Fprintf(&line, "%.1f,%.1f ", p.X, lastY)
			}
			fmt.Fprintf(&line, "%.1f,%.1f ", p.X, p.Y)
			lastY = p.Y
			if p.OK {
				c.InBand++
			}
			c.Positions = append(c.Positions, *p)
			continue
		}
		lane := 2 // an aim not in the vocabulary: off the fire
		for j, a := range extAims {
			if a == p.Aim {
				lane = j
			}
		}
		p.Y = c.Lanes[lane].Pos
		if p.OK {
			c.AtBase++
		}
		c.Sprays = append(c.Sprays, *p)
	}
	if lastY >= 0 {
		fmt.Fprintf(&line, "%.1f,%.1f", c.PlotX+c.PlotW, lastY)
	}
	c.Line = strings.TrimSpace(line.String())
}

// extPointOf reads an ext.position or ext.spray event; ok is false for
// any other event, or one whose data is not what docs/events.md says.
func extPointOf(e standards.EventView, t0 int64) (extPoint, bool) {
	p := extPoint{Seq: e.Seq, AtMs: e.TMs - t0, Type: string(e.Type)}
	switch p.Type {
	case "ext.position":
		var d struct {
			Distance *json.Number `json:"distance_m"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.Distance == nil {
			return p, false
		}
		m, err := d.Distance.Float64()
		if err != nil {
			return p, false
		}
		p.Distance, p.OK = d.Distance.String(), m >= extBandLow && m <= extBand
	case "ext.spray":
		var d struct {
			Aim       string       `json:"aim"`
			Sweep     string       `json:"sweep"`
			Remaining *json.Number `json:"remaining_pct"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.Aim == "" {
			return p, false
		}
		p.Aim, p.Sweep, p.OK = d.Aim, d.Sweep, d.Aim == extAims[0]
		if d.Remaining != nil {
			p.Remaining = d.Remaining.String()
		}
	default:
		return p, false
	}
	return p, true
}

// metres reads a point's distance ("" for a spray).
func metres(s string) (float64, bool) {
	if s == "" {
		return 0, false
	}
	f, err := json.Number(s).Float64()
	return f, err == nil
}
