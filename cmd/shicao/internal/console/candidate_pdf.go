package console

import (
	"fmt"
	"io"

	qrcode "github.com/skip2/go-qrcode"

	"shicao/cmd/shicao/internal/cjkpdf"
)

// The candidate's record as a PDF: the same facts as the page, the CPR
// depth charts drawn from the same depthChart, and the slip code as a
// QR code (cjkpdf: STSong-Light, not embedded; no font file).

// Page geometry, in points.
const (
	pdfMargin = 48.0
	pdfBottom = cjkpdf.A4H - 56
	pdfBody   = 10.0 // body text size
	pdfLine   = 15.0 // body line height
)

// pdfWriter lays text out down the pages.
type pdfWriter struct {
	doc  *cjkpdf.Doc
	page *cjkpdf.Page
	y    float64
	lang string
}

func (w *pdfWriter) newPage() {
	w.page = w.doc.Page()
	w.y = pdfMargin
	w.page.Color(0.4, 0.4, 0.4)
	w.page.Text(pdfMargin, cjkpdf.A4H-30, 8, fmt.Sprintf("%s · %s %d", w.doc.Title, candidateText(w.lang, "cand.page"), w.doc.Pages()))
	w.page.Color(0, 0, 0)
}

// need starts a new page unless h points fit on this one.
func (w *pdfWriter) need(h float64) {
	if w.page == nil || w.y+h > pdfBottom {
		w.newPage()
	}
}

// line writes s at indent, wrapped to the text width, at size.
func (w *pdfWriter) line(indent, size float64, s string) {
	width := cjkpdf.A4W - 2*pdfMargin - indent
	for _, part := range wrap(s, size, width) {
		w.need(size * 1.5)
		w.y += size * 1.5
		w.page.Text(pdfMargin+indent, w.y, size, part)
	}
}

// wrap splits s into pieces no wider than width at size.
func wrap(s string, size, width float64) []string {
	var out []string
	var cur []rune
	for _, r := range s {
		if cjkpdf.Width(string(append(cur, r)), size) > width && len(cur) > 0 {
			out = append(out, string(cur))
			cur = cur[:0]
		}
		cur = append(cur, r)
	}
	return append(out, string(cur))
}

// writeCandidatePDF writes v as a PDF in lang.
func writeCandidatePDF(out io.Writer, v *candidateView, lang string) error {
	T := func(k string) string { return candidateText(lang, k) }
	doc := v.Doc
	w := &pdfWriter{doc: cjkpdf.New(T("cand.record") + " " + v.Row.ID), lang: lang}
	w.need(0)
	w.line(0, 18, T("cand.record"))
	w.y += 6
	verdict := func(passed bool) string {
		if passed {
			return T("verdict.pass")
		}
		return T("verdict.fail")
	}
	for _, f := range [][2]string{
		{T("cand.name"), doc.Candidate.Name},
		{T("cand.masked"), v.Masked},
		{T("search.date"), doc.Date},
		{T("cand.site") + " / " + T("cand.station"), doc.Site + " / " + doc.Station},
		{T("search.category"), doc.Category},
		{T("result.plan"), doc.Plan},
		{T("col.id"), v.Row.ID},
	} {
		w.line(0, pdfBody, f[0]+"："+f[1])
	}
	if p := doc.Paper; p != nil {
		w.y += 4
		w.line(0, 13, fmt.Sprintf("%s %s / %s %s  %s", T("col.total"), p.Total, T("result.passmark"), p.PassMark, verdict(p.Passed)))
		if p.Veto != nil {
			w.line(0, pdfBody, T("result.veto")+"："+p.Veto.Subject+" "+p.Veto.Item+" "+p.Veto.Text)
		}
	}
	w.y += 4
	w.line(0, 12, T("appeal.title"))
	if s := v.StateText(lang); s != "" {
		w.line(8, pdfBody, s)
		if v.Standing.State == "rescored" {
			w.line(8, pdfBody, fmt.Sprintf("%s %s  %s", T("cand.decided"), v.Standing.Total, verdict(v.Standing.Passed)))
		}
		for _, a := range v.Appeal {
			w.line(16, 9, fmt.Sprintf("%s  %s %s  (%s %d)", a.At, a.State, a.Detail, T("appeal.index"), a.Index))
		}
	} else {
		w.line(8, pdfBody, T("cand.noappeal"))
	}
	for _, it := range v.Items {
		w.item(it, T, verdict)
	}
	w.qr(v.Code)
	_, err := w.doc.WriteTo(out)
	return err
}

// item writes one item's sheet: its points, every deduction with its
// evidence, and its chart.
func (w *pdfWriter) item(it itemView, T func(string) string, verdict func(bool) string) {
	r := it.Result
	w.y += 8
	w.need(60)
	w.page.Line(pdfMargin, w.y+4, cjkpdf.A4W-pdfMargin, w.y+4, 0.5)
	title := ""
	if r.Sheet != nil {
		title = r.Sheet.Title
	}
	w.line(0, 12, fmt.Sprintf("%s %s：%s", T("result.sheet"), r.Subject, title))
	w.line(0, 9, fmt.Sprintf("%s %s v%d · %s %d", T("result.standard"), r.Standard.ID, r.Standard.Version, T("result.events"), r.Events))
	if sh := r.Sheet; sh != nil {
		w.line(0, pdfBody, fmt.Sprintf("%s %s / %s %s  %s · %s %s", T("result.score"), sh.Score, T("result.passmark"), sh.PassMark, verdict(sh.Passed), T("result.elapsed"), fmtDuration(sh.ElapsedMs)))
	}
	for _, p := range it.Points {
		w.line(8, 9, fmt.Sprintf("%s  %s %s · %s %s", p.Score.Title, T("result.points"), p.Score.Points, T("result.score"), p.Score.Score))
	}
	w.line(0, pdfBody, T("result.deduction"))
	if len(it.Deductions) == 0 {
		w.line(8, 9, T("result.nodeduct"))
	}
	for _, d := range it.Deductions {
		s := fmt.Sprintf("−%s ", d.D.Points)
		if d.Point != "" {
			s += d.Point + "："
		}
		s += d.D.Text
		if d.D.Count > 1 {
			s += fmt.Sprintf(" ×%d", d.D.Count)
		}
		w.line(8, pdfBody, s)
		for _, e := range d.Evidence {
			w.line(24, 8, fmt.Sprintf("%s #%d  %s  %s  %s", T("result.evidence"), e.Seq, fmtDuration(e.AtMs), e.Type, e.Data))
		}
	}
	if c := it.Chart; c != nil {
		w.chart(c)
	}
}

// chart draws a depth chart scaled to the text width.
func (w *pdfWriter) chart(c *depthChart) {
	scale := (cjkpdf.A4W - 2*pdfMargin) / float64(c.W)
	h := float64(c.H) * scale
	w.need(h + 40)
	w.line(0, pdfBody, candidateText(w.lang, "chart.title"))
	w.y += 4
	x0, y0 := pdfMargin, w.y
	X := func(x float64) float64 { return x0 + x*scale }
	Y := func(y float64) float64 { return y0 + y*scale }
	p := w.page
	p.Color(0.85, 0.95, 0.85)
	p.Rect(X(c.PlotX), Y(c.BandY), c.PlotW*scale, c.BandH*scale)
	p.Color(0.75, 0.75, 0.75)
	for _, t := range c.YTicks {
		p.Line(X(c.PlotX), Y(t.Pos), X(float64(c.W)), Y(t.Pos), 0.3)
	}
	p.Color(0.3, 0.3, 0.3)
	for _, t := range c.YTicks {
		p.Text(X(c.PlotX)-cjkpdf.Width(t.Label, 7)-3, Y(t.Pos)+2.5, 7, t.Label)
	}
	for _, t := range c.XTicks {
		p.Text(X(t.Pos)-cjkpdf.Width(t.Label, 7)/2, Y(float64(c.H))-6, 7, t.Label)
	}
	p.Color(0.1, 0.3, 0.7)
	var pts [][2]float64
	for _, q := range c.Points {
		pts = append(pts, [2]float64{X(q.X), Y(q.Y)})
	}
	p.Polyline(pts, 0.8)
	for _, q := range c.Points {
		if q.InBand {
			p.Color(0.1, 0.5, 0.1)
			p.Rect(X(q.X)-1.5, Y(q.Y)-1.5, 3, 3)
		} else {
			p.Color(0.8, 0.1, 0.1)
			p.Rect(X(q.X)-2.5, Y(q.Y)-2.5, 5, 5)
		}
	}
	p.Color(0, 0, 0)
	w.y += h
	w.line(0, 8, fmt.Sprintf("%s %d · %s %d/%d · %s %s · %s", candidateText(w.lang, "chart.count"), c.Count,
		candidateText(w.lang, "chart.inband"), c.InBandNum, c.Count, candidateText(w.lang, "chart.rate"), c.MeanRate, candidateText(w.lang, "chart.band")))
}

// qrModule is the side of one QR module, in points.
const qrModule = 2.2

// qr draws the slip code as a QR code (medium error correction, with its
// quiet zone) and as text.
func (w *pdfWriter) qr(code string) {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		w.line(0, pdfBody, code)
		return
	}
	bm := q.Bitmap()
	side := float64(len(bm)) * qrModule
	w.y += 10
	w.need(side + 80)
	w.line(0, 12, candidateText(w.lang, "cand.slip"))
	w.y += 4
	for r, row := range bm {
		for c, black := range row {
			if black {
				w.page.Rect(pdfMargin+float64(c)*qrModule, w.y+float64(r)*qrModule, qrModule, qrModule)
			}
		}
	}
	w.y += side
	w.line(0, 7, code)
	w.line(0, 8, candidateText(w.lang, "cand.qr"))
}
