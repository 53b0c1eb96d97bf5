// Package cjkpdf writes small PDF documents of Chinese and Latin text,
// lines and filled rectangles: enough for a candidate's record with its
// charts and QR code, with no font file anywhere.
//
// Text is set in STSong-Light, one of the standard CJK fonts of PDF
// (Adobe-GB1, encoding UniGB-UCS2-H) that a PDF may name without
// embedding it: every Chinese-capable reader substitutes a Song face for
// it, as it does for the Chinese government PDFs that iText writes. Each
// character is written as its UCS-2 code, and a ToUnicode CMap maps the
// codes back to Unicode, so text extracts (pdftotext) and searches.
// Characters outside the Basic Multilingual Plane are written as '?',
// and a few symbols the encoding lacks (−, –, ·, ✓, ✗) as ASCII or not
// at all.
//
// Coordinates are in points from the page's top-left corner, y down
// (the writer turns them into PDF's bottom-up space).
package cjkpdf

import (
	"bytes"
	"compress/zlib"
	"fmt"
	"io"
	"strings"
)

// A4 in points.
const (
	A4W = 595.28
	A4H = 841.89
)

// Doc is a document being written: pages in order.
type Doc struct {
	Title string // the document's title (Info dictionary)
	pages []*Page
}

// Page is one A4 page's content stream.
type Page struct {
	buf bytes.Buffer
}

// New returns an empty document.
func New(title string) *Doc { return &Doc{Title: title} }

// Page adds a page and returns it.
func (d *Doc) Page() *Page {
	p := &Page{}
	d.pages = append(d.pages, p)
	return p
}

// Pages is the number of pages so far.
func (d *Doc) Pages() int { return len(d.pages) }

// Width is the advance of s at size points: Latin characters are half
// an em, every other character a full em (the widths the font
// dictionary declares).
func Width(s string, size float64) float64 {
	w := 0.0
	for _, r := range s {
		if sub, ok := substitutes[r]; ok {
			r = sub
		}
		switch {
		case r == 0:
		case r >= 0x20 && r < 0x7f:
			w += size / 2
		default:
			w += size
		}
	}
	return w
}

// Text writes s with its baseline's left end at (x, y).
func (p *Page) Text(x, y, size float64, s string) {
	fmt.Fprintf(&p.buf, "BT /F1 %s Tf %s %s Td <", num(size), num(x), num(A4H-y))
	for _, r := range s {
		if sub, ok := substitutes[r]; ok {
			if sub == 0 {
				continue
			}
			r = sub
		}
		if r < 0x20 || r > 0xffff || (r >= 0xd800 && r < 0xe000) {
			r = '?'
		}
		fmt.Fprintf(&p.buf, "%04X", r)
	}
	p.buf.WriteString("> Tj ET\n")
}

// Color sets the colour of what follows, fill and stroke, as RGB in 0..1.
func (p *Page) Color(r, g, b float64) {
	fmt.Fprintf(&p.buf, "%s %s %s rg %s %s %s RG\n", num(r), num(g), num(b), num(r), num(g), num(b))
}

// Rect fills the rectangle with its top-left corner at (x, y).
func (p *Page) Rect(x, y, w, h float64) {
	fmt.Fprintf(&p.buf, "%s %s %s %s re f\n", num(x), num(A4H-y-h), num(w), num(h))
}

// Frame strokes the rectangle's outline.
func (p *Page) Frame(x, y, w, h, width float64) {
	fmt.Fprintf(&p.buf, "%s w %s %s %s %s re S\n", num(width), num(x), num(A4H-y-h), num(w), num(h))
}

// Line strokes a line from (x1, y1) to (x2, y2).
func (p *Page) Line(x1, y1, x2, y2, width float64) {
	fmt.Fprintf(&p.buf, "%s w %s %s m %s %s l S\n", num(width), num(x1), num(A4H-y1), num(x2), num(A4H-y2))
}

// Polyline strokes a line through points (x, y pairs).
func (p *Page) Polyline(pts [][2]float64, width float64) {
	if len(pts) < 2 {
		return
	}
	fmt.Fprintf(&p.buf, "%s w %s %s m", num(width), num(pts[0][0]), num(A4H-pts[0][1]))
	for _, q := range pts[1:] {
		fmt.Fprintf(&p.buf, " %s %s l", num(q[0]), num(A4H-q[1]))
	}
	p.buf.WriteString(" S\n")
}

// substitutes replace symbols that STSong-Light's UniGB-UCS2-H CMap
// does not map (readers show nothing for them) by ones it does; 0 drops
// the character.
var substitutes = map[rune]rune{
	'−': '-', // U+2212 minus
	'–': '-', // U+2013 en dash
	'·': ' ', // U+00B7 middle dot
	'✓': 0,   // the verdict's word follows
	'✗': 0,
}

func num(f float64) string {
	s := strings.TrimRight(strings.TrimRight(fmt.Sprintf("%.2f", f), "0"), ".")
	if s == "-0" || s == "" {
		return "0"
	}
	return s
}

// The font: a Type 0 font over the CID font STSong-Light, not embedded.
const (
	fontDict = "<< /Type /Font /Subtype /Type0 /BaseFont /STSong-Light-UniGB-UCS2-H /Encoding /UniGB-UCS2-H /DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>"
	cidFont  = "<< /Type /Font /Subtype /CIDFontType0 /BaseFont /STSong-Light /CIDSystemInfo << /Registry (Adobe) /Ordering (GB1) /Supplement 4 >> /FontDescriptor %d 0 R /DW 1000 /W [1 95 500] >>"
	fontDesc = "<< /Type /FontDescriptor /FontName /STSong-Light /Flags 6 /FontBBox [-25 -254 1000 880] /ItalicAngle 0 /Ascent 880 /Descent -120 /CapHeight 880 /StemV 93 >>"
)

// toUnicode maps every two-byte code to the same UCS-2 value.
func toUnicode() []byte {
	var b bytes.Buffer
	b.WriteString("/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n" +
		"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n" +
		"/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n" +
		"1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n")
	var ranges []int
	for hi := 0; hi < 256; hi++ {
		if hi >= 0xd8 && hi < 0xe0 {
			continue
		}
		ranges = append(ranges, hi)
	}
	for len(ranges) > 0 {
		n := min(100, len(ranges)) // at most 100 entries a block
		fmt.Fprintf(&b, "%d beginbfrange\n", n)
		for _, hi := range ranges[:n] {
			fmt.Fprintf(&b, "<%02X00> <%02XFF> <%02X00>\n", hi, hi, hi)
		}
		b.WriteString("endbfrange\n")
		ranges = ranges[n:]
	}
	b.WriteString("endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n")
	return b.Bytes()
}

// WriteTo writes the document as PDF 1.4.
func (d *Doc) WriteTo(w io.Writer) (int64, error) {
	var out bytes.Buffer
	var offsets []int
	obj := func(body string) int {
		offsets = append(offsets, out.Len())
		n := len(offsets)
		fmt.Fprintf(&out, "%d 0 obj\n%s\nendobj\n", n, body)
		return n
	}
	stream := func(dict string, data []byte) int {
		var z bytes.Buffer
		zw := zlib.NewWriter(&z)
		zw.Write(data)
		zw.Close()
		return obj(fmt.Sprintf("<< %s /Length %d /Filter /FlateDecode >>\nstream\n%s\nendstream", dict, z.Len(), z.Bytes()))
	}
	out.WriteString("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	// Objects 1 and 2 are the catalog and the page tree; the pages
	// follow the font, so their numbers are known when the tree is
	// written last (its offset is patched in below).
	pagesN := 2
	offsets = append(offsets, 0, 0)
	desc := obj(fontDesc)
	cu := stream("", toUnicode())
	cid := obj(fmt.Sprintf(cidFont, desc))
	font := obj(fmt.Sprintf(fontDict, cid, cu))
	var kids []string
	for _, p := range d.pages {
		content := stream("", p.buf.Bytes())
		n := obj(fmt.Sprintf("<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Resources << /Font << /F1 %d 0 R >> >> /Contents %d 0 R >>",
			pagesN, num(A4W), num(A4H), font, content))
		kids = append(kids, fmt.Sprintf("%d 0 R", n))
	}
	info := obj(fmt.Sprintf("<< /Title <FEFF%s> /Producer (shicao) >>", utf16Hex(d.Title)))
	offsets[0] = out.Len()
	fmt.Fprintf(&out, "1 0 obj\n<< /Type /Catalog /Pages %d 0 R >>\nendobj\n", pagesN)
	offsets[1] = out.Len()
	fmt.Fprintf(&out, "2 0 obj\n<< /Type /Pages /Kids [%s] /Count %d >>\nendobj\n", strings.Join(kids, " "), len(kids))
	xref := out.Len()
	fmt.Fprintf(&out, "xref\n0 %d\n0000000000 65535 f \n", len(offsets)+1)
	for _, o := range offsets {
		fmt.Fprintf(&out, "%010d 00000 n \n", o)
	}
	fmt.Fprintf(&out, "trailer\n<< /Size %d /Root 1 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(offsets)+1, info, xref)
	n, err := w.Write(out.Bytes())
	return int64(n), err
}

// utf16Hex is s as UTF-16BE in hex, for a PDF text string.
func utf16Hex(s string) string {
	var b strings.Builder
	for _, r := range s {
		if r > 0xffff {
			r = '?'
		}
		fmt.Fprintf(&b, "%04X", r)
	}
	return b.String()
}
