package console

import (
	"encoding/json"
	"fmt"
	"strings"

	"shicao/standards"
)

// The CPR depth chart: every compression's depth over the item's time,
// with the 50–60 mm band the standards score against (GB/T 2020 CPR
// guideline depth, as sd-dg-k42-cpr.yaml writes it). Drawn on the server
// as SVG; every point is also in the table under it.

// Chart geometry, in SVG user units.
const (
	chartW, chartH     = 760, 260
	padL, padR         = 48, 36
	padT, padB         = 12, 36
	bandLow, bandHigh  = 50, 60
	depthAxisMaxMinimm = 80
)

// depthPoint is one compression.
type depthPoint struct {
	Seq     int64
	AtMs    int64 // since the item's first event
	DepthMm int64
	InBand  bool
	X, Y    float64
}

// tick is an axis label.
type tick struct {
	Pos   float64
	Label string
}

// depthChart is a chart and its table.
type depthChart struct {
	W, H             int
	Points           []depthPoint
	Line             string // the polyline's points
	BandY, BandH     float64
	PlotX, PlotY     float64
	PlotW, PlotH     float64
	XTicks, YTicks   []tick
	MeanRate         string
	Count, InBandNum int
}

// buildDepthChart returns the chart of the compressions among events
// (cpr.compression with depth_mm), or nil when there are none.
func buildDepthChart(events []standards.EventView) *depthChart {
	var pts []depthPoint
	var t0 int64
	for i, e := range events {
		if i == 0 {
			t0 = e.TMs
		}
		if string(e.Type) != "cpr.compression" || e.Data == nil {
			continue
		}
		var d struct {
			Depth *json.Number `json:"depth_mm"`
		}
		if json.Unmarshal(e.Data, &d) != nil || d.Depth == nil {
			continue
		}
		mm, err := d.Depth.Int64()
		if err != nil {
			f, ferr := d.Depth.Float64()
			if ferr != nil {
				continue
			}
			mm = int64(f + 0.5)
		}
		pts = append(pts, depthPoint{Seq: e.Seq, AtMs: e.TMs - t0, DepthMm: mm, InBand: mm >= bandLow && mm <= bandHigh})
	}
	if len(pts) == 0 {
		return nil
	}
	c := &depthChart{W: chartW, H: chartH, PlotX: padL, PlotY: padT, PlotW: chartW - padL - padR, PlotH: chartH - padT - padB, Count: len(pts)}
	tMin, tMax := pts[0].AtMs, pts[len(pts)-1].AtMs
	if tMax == tMin {
		tMax = tMin + 1000
	}
	yMax := int64(depthAxisMaxMinimm)
	for _, p := range pts {
		if p.DepthMm+10 > yMax {
			yMax = (p.DepthMm/10 + 2) * 10
		}
	}
	x := func(ms int64) float64 { return c.PlotX + c.PlotW*float64(ms-tMin)/float64(tMax-tMin) }
	y := func(mm int64) float64 { return c.PlotY + c.PlotH*(1-float64(max(mm, 0))/float64(yMax)) }
	var line strings.Builder
	for i := range pts {
		pts[i].X, pts[i].Y = x(pts[i].AtMs), y(pts[i].DepthMm)
		fmt.Fprintf(&line, "%.1f,%.1f ", pts[i].X, pts[i].Y)
		if pts[i].InBand {
			c.InBandNum++
		}
	}
	c.Points, c.Line = pts, strings.TrimSpace(line.String())
	c.BandY, c.BandH = y(bandHigh), y(bandLow)-y(bandHigh)
	for mm := int64(0); mm <= yMax; mm += 10 {
		c.YTicks = append(c.YTicks, tick{y(mm), fmt.Sprint(mm)})
	}
	for i := 0; i <= 5; i++ {
		ms := tMin + (tMax-tMin)*int64(i)/5
		c.XTicks = append(c.XTicks, tick{x(ms), fmt.Sprintf("%.1f s", float64(ms)/1000)})
	}
	if len(pts) > 1 && pts[len(pts)-1].AtMs > pts[0].AtMs {
		c.MeanRate = fmt.Sprintf("%.0f", float64(len(pts)-1)*60000/float64(pts[len(pts)-1].AtMs-pts[0].AtMs))
	}
	return c
}
