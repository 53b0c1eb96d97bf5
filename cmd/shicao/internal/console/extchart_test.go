package console_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/console"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
)

// extSeed returns a draw seed that draws the extinguisher item
// (SD-DG-K43) for K4.
func extSeed(prefix string) string {
	for i := 0; ; i++ {
		seed := prefix + "-" + string(rune('a'+i%26)) + strings.Repeat("x", i/26)
		if station.DrawIndex(seed, "K4", 2) == 1 {
			return seed
		}
	}
}

// TestResult_ExtinguisherChart: a result whose extinguisher item was
// aimed at the base once and high twice shows the chart — the 3–5 m
// band, the stance inside it, one spray in the base lane and two in the
// high lane — and every event in the table under it, on the staff's
// result page and on the candidate's record alike.
func TestResult_ExtinguisherChart(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	cand := demo.Candidates[2]
	saved := r.st.ExamVectors(t, cand.IDNumber, extSeed("ext"), 0, map[string]string{"SD-DG-K43": "aim-high-no-sweep"})
	if _, err := r.c.Ingest(context.Background(), demo.Station, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	c := r.client(t)
	c.signIn(adminName, adminPass)
	st, body := c.get("/results/" + saved.ID)
	if st != http.StatusOK {
		t.Fatalf("result page: %d", st)
	}
	i := strings.Index(body, `<svg class="ext"`)
	if i < 0 {
		t.Fatal("no extinguisher chart on the result page")
	}
	svg := body[i : i+strings.Index(body[i:], "</svg>")]
	if n := strings.Count(svg, `class="band"`); n != 1 {
		t.Errorf("%d bands, want the 3–5 m band", n)
	}
	// Lanes in order base, high, off, person: the base spray on the first
	// lane (a circle), the high ones on the second (squares).
	lane := regexp.MustCompile(`<line class="grid" x1="64" x2="760" y1="([0-9.]+)"[^>]*></line><text[^>]*>(火焰根部|偏高)</text>`)
	ys := map[string]string{}
	for _, m := range lane.FindAllStringSubmatch(svg, -1) {
		ys[m[2]] = m[1]
	}
	if ys["火焰根部"] == "" || ys["偏高"] == "" {
		t.Fatalf("aim lanes not labelled: %v", ys)
	}
	if n := strings.Count(svg, `cy="`+ys["火焰根部"]+`"`); n != 1 {
		t.Errorf("%d sprays drawn at the base, want 1", n)
	}
	if n := strings.Count(svg, `y="`+ys["偏高"]+`" width="8"`); n != 2 {
		t.Errorf("%d sprays drawn high, want 2", n)
	}
	if !strings.Contains(body, "站位次数 1 · 在 3–5 米内: 1/1 · 喷射次数 3 · 对准火焰根部: 1/3") {
		t.Error("the chart's summary line is missing or wrong")
	}
	table := body[strings.Index(body, `class="chartdata extdata"`):]
	table = table[:strings.Index(table, "</table>")]
	if n := strings.Count(table, "<tr>") - 1; n != 4 {
		t.Errorf("the table lists %d events, want the stance and 3 sprays", n)
	}
	for _, want := range []string{"<td>ext.position</td><td>4</td>", "<td>偏高</td><td>far-near</td><td>50</td><td>否 ✗</td>"} {
		contains(t, table, want)
	}

	// The candidate's record draws the same chart from the same template.
	sl, err := r.st.S.Slip(context.Background(), saved.ID)
	if err != nil {
		t.Fatal(err)
	}
	h, err := console.NewCandidate(r.c, console.CandidateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	req := httptest.NewRequest(http.MethodPost, "/candidate", strings.NewReader(url.Values{"idnumber": {cand.IDNumber}, "code": {sl.Code}}.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	w := httptest.NewRecorder()
	h.Handler().ServeHTTP(w, req)
	cbody := w.Body.String()
	if w.Code != http.StatusOK || !strings.Contains(cbody, `<svg class="ext"`) || !strings.Contains(cbody, "对准火焰根部: 1/3") {
		t.Errorf("the candidate's record: %d, extinguisher chart shown: %v", w.Code, strings.Contains(cbody, `<svg class="ext"`))
	}
	if strings.Contains(cbody, "SHA-256 <code>") || strings.Contains(cbody, "<th scope=\"col\">考评员评分</th>") {
		t.Error("the candidate's record shows the staff's columns")
	}
}
