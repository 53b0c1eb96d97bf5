package console_test

import (
	"bytes"
	"compress/zlib"
	"context"
	"encoding/json"
	"fmt"
	"html"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	qrcode "github.com/skip2/go-qrcode"
	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/console"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// candRig is a centre holding 陈明's result (the CPR item with twelve
// shallow compressions: a deduction with evidence, a depth chart) and
// 赵丽's, with their slip codes, and the candidate page over it.
type candRig struct {
	c              *centre.Centre
	h              http.Handler
	shallow, other *station.Saved
	code, code2    string
	stKey          string // the station's signer key
	clock          *fakeClock
}

type fakeClock struct {
	mu sync.Mutex
	t  time.Time
}

func (f *fakeClock) Now() time.Time { f.mu.Lock(); defer f.mu.Unlock(); return f.t }
func (f *fakeClock) Add(d time.Duration) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.t = f.t.Add(d)
}

func newCandRig(t *testing.T) *candRig {
	t.Helper()
	ctx := context.Background()
	st := centretest.NewStation(t, "")
	c, _ := centretest.NewCentreDir(t, st)
	r := &candRig{c: c, stKey: st.Signer, clock: &fakeClock{t: time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)}}
	r.shallow = st.ExamVectors(t, demo.Candidates[0].IDNumber, centretest.CPRSeed("candidate"), 0, map[string]string{"SD-DG-K42": "twelve-shallow"})
	r.other = st.Exam(t, demo.Candidates[1].IDNumber, "candidate-other", 0)
	for i, s := range []*station.Saved{r.shallow, r.other} {
		if _, err := c.Ingest(ctx, demo.Station, s.Bundle); err != nil {
			t.Fatal(err)
		}
		sl, err := st.S.Slip(ctx, s.ID)
		if err != nil {
			t.Fatal(err)
		}
		if i == 0 {
			r.code = sl.Code
		} else {
			r.code2 = sl.Code
		}
	}
	h, err := console.NewCandidate(c, console.CandidateOptions{Now: r.clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	r.h = h.Handler()
	return r
}

// post sends a form from the client address from.
func (r *candRig) post(path, from string, form url.Values) *httptest.ResponseRecorder {
	req := httptest.NewRequest(http.MethodPost, path, strings.NewReader(form.Encode()))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.RemoteAddr = from + ":40000"
	w := httptest.NewRecorder()
	r.h.ServeHTTP(w, req)
	return w
}

func (r *candRig) lookup(from, id, code string) (int, string) {
	w := r.post("/candidate", from, url.Values{"idnumber": {id}, "code": {code}})
	return w.Code, html.UnescapeString(w.Body.String())
}

// docOf reads a bundle's signed result and events.
func docOf(t *testing.T, bundle []byte) (*examsync.ResultDoc, *examsync.Bundle) {
	t.Helper()
	b, err := examsync.DecodeBundle(bundle)
	if err != nil {
		t.Fatal(err)
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		t.Fatal(err)
	}
	return &doc, &b
}

// evidenceTimes are the times into the item (m:ss.mmm) of every evidence
// event of every deduction of the result, worked out from the bundle.
func evidenceTimes(t *testing.T, bundle []byte) []string {
	doc, b := docOf(t, bundle)
	var out []string
	for _, it := range doc.Items {
		at := map[int64]int64{}
		var t0 int64
		for i, line := range b.Events[it.Subject] {
			e, err := standards.ScanEvent(line)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				t0 = e.TMs
			}
			at[e.Seq] = e.TMs - t0
		}
		if it.Sheet == nil {
			continue
		}
		for _, p := range it.Sheet.Items {
			for _, d := range p.Deductions {
				for _, s := range d.Evidence {
					ms := at[s]
					out = append(out, fmt.Sprintf("%d:%02d.%03d", ms/60000, ms/1000%60, ms%1000))
				}
			}
		}
	}
	return out
}

// TestCandidate_Record: the candidate with the right ID number and slip
// code sees their result: name, masked ID, total, the deduction with
// every evidence event at its time, the depth chart; and nothing of the
// other candidate. English by lang=en.
func TestCandidate_Record(t *testing.T) {
	t.Parallel()
	r := newCandRig(t)
	code, body := r.lookup("192.0.2.1", demo.Candidates[0].IDNumber, r.code)
	if code != http.StatusOK {
		t.Fatalf("lookup: %d\n%s", code, body)
	}
	doc, _ := docOf(t, r.shallow.Bundle)
	for _, want := range []string{
		doc.Candidate.Name, centre.MaskIDNumber(doc.Candidate.IDNumber), doc.Paper.Total.String(),
		"按压深度不足5cm，每次扣2分", "×12", "cpr.compression", `"depth_mm":45`, "<svg", "50–60 mm", "✗ 不合格",
		r.code, `id="appeal-state">无申诉。`, `action="/candidate/pdf"`,
	} {
		contains(t, body, want)
	}
	times := evidenceTimes(t, r.shallow.Bundle)
	if len(times) < 12 {
		t.Fatalf("%d evidence events, want the twelve shallow compressions", len(times))
	}
	for _, at := range times {
		contains(t, body, `class="at">`+at+`<`)
	}
	other, _ := docOf(t, r.other.Bundle)
	for _, not := range []string{other.Candidate.Name, other.Candidate.IDNumber, r.other.ID} {
		if strings.Contains(body, not) {
			t.Errorf("the page shows %q, of another candidate", not)
		}
	}
	for _, x := range doc.Examiners {
		if strings.Contains(body, x.ID) {
			t.Errorf("the page shows examiner %s's ID number", x.Name)
		}
	}
	w := r.post("/candidate?lang=en", "192.0.2.1", url.Values{"idnumber": {demo.Candidates[0].IDNumber}, "code": {r.code}})
	contains(t, w.Body.String(), "Evidence events")
	// The record's own switch re-posts the pair in the other language.
	contains(t, w.Body.String(), `<input type="hidden" name="lang" value="zh">`)
}

// TestCandidate_Refused: a wrong ID, another candidate's code, an
// altered code, a code signed by another key and garbage all get the
// same 403 page, byte for byte but for the form's refill.
func TestCandidate_Refused(t *testing.T) {
	t.Parallel()
	r := newCandRig(t)
	id := demo.Candidates[0].IDNumber
	altered := strings.Replace(r.code, ":F:", ":P:", 1)
	if altered == r.code {
		altered = strings.Replace(r.code, ":P:", ":F:", 1)
	}
	// A key of the same name as the station's, not registered.
	forgerKey, _, err := standards.GenerateKey(demo.Station)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := note.NewSigner(forgerKey)
	if err != nil {
		t.Fatal(err)
	}
	forged, err := examsync.SignSlip(signer, r.shallow.ID, r.shallow.Bundle, "100", true)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct{ name, id, code string }{
		{"wrong ID number", "110101199001011234", r.code},
		{"another candidate's code", id, r.code2},
		{"the other candidate with my code", demo.Candidates[1].IDNumber, r.code},
		{"altered code", id, altered},
		{"forged code (another key)", id, forged},
		{"not a code", id, "hello"},
		{"empty", "", ""},
	}
	var first string
	for i, c := range cases {
		code, body := r.lookup(fmt.Sprintf("198.51.100.%d", i+1), c.id, c.code)
		if code != http.StatusForbidden {
			t.Errorf("%s: %d, want 403", c.name, code)
		}
		contains(t, body, "身份证号与核验码不匹配，或没有这份成绩")
		// The page is the same for every case once the refilled form
		// fields are taken out.
		body = regexp.MustCompile(`(?s)<input id="(idnumber|code)"[^>]*>`).ReplaceAllString(body, "")
		if i == 0 {
			first = body
		} else if body != first {
			t.Errorf("%s: the refusal page differs from the first case's", c.name)
		}
	}
}

// TestCandidate_RateLimited: five failed tries from one address, then
// the sixth (even the right pair) is 429 with Retry-After; five failed
// tries on one ID number from five addresses lock that ID from a sixth.
// Ten minutes later, the right pair opens again.
func TestCandidate_RateLimited(t *testing.T) {
	t.Parallel()
	r := newCandRig(t)
	id := demo.Candidates[0].IDNumber
	for i := range console.CandidateTries {
		if code, _ := r.lookup("203.0.113.7", "11010119900101"+fmt.Sprintf("%04d", i), r.code); code != http.StatusForbidden {
			t.Fatalf("try %d: %d, want 403", i+1, code)
		}
	}
	w := r.post("/candidate", "203.0.113.7", url.Values{"idnumber": {id}, "code": {r.code}})
	if w.Code != http.StatusTooManyRequests {
		t.Fatalf("6th try from one address: %d, want 429", w.Code)
	}
	if s, err := strconv.Atoi(w.Header().Get("Retry-After")); err != nil || s <= 0 || s > 600 {
		t.Errorf("Retry-After %q: want seconds up to 600", w.Header().Get("Retry-After"))
	}
	contains(t, w.Body.String(), "尝试次数过多")
	// Per ID number: another candidate's ID tried from many addresses.
	id2 := demo.Candidates[1].IDNumber
	for i := range console.CandidateTries {
		r.lookup(fmt.Sprintf("198.51.100.%d", i+1), id2, r.code)
	}
	if code, _ := r.lookup("198.51.100.99", id2, r.code2); code != http.StatusTooManyRequests {
		t.Errorf("6th try on one ID number, from a new address: %d, want 429", code)
	}
	// A stranger elsewhere is not affected.
	if code, _ := r.lookup("192.0.2.50", id, r.code); code != http.StatusOK {
		t.Errorf("the right pair from another address: %d, want 200", code)
	}
	r.clock.Add(console.CandidateWindow)
	if code, _ := r.lookup("203.0.113.7", id, r.code); code != http.StatusOK {
		t.Errorf("after the window: %d, want 200", code)
	}
}

// TestCandidate_AppealState: the page shows the appeal's state in
// Chinese, and the re-score's decided score after a re-score.
func TestCandidate_AppealState(t *testing.T) {
	t.Parallel()
	r := newCandRig(t)
	ctx := context.Background()
	if _, err := r.c.FileAppeal(ctx, r.shallow.ID, "按压深度判定有误", 0); err != nil {
		t.Fatal(err)
	}
	_, body := r.lookup("192.0.2.1", demo.Candidates[0].IDNumber, r.code)
	contains(t, body, "申诉处理中：显示原成绩，待复核决定。")
	contains(t, body, "申诉已受理")
	w := r.post("/candidate?lang=en", "192.0.2.1", url.Values{"idnumber": {demo.Candidates[0].IDNumber}, "code": {r.code}})
	contains(t, w.Body.String(), "Appeal in progress")
}

// TestCandidate_PDF: the PDF's text (pdftotext) has the name, the masked
// ID (never the whole), each item's title, the total, the deductions
// with evidence times; its QR code is the slip code's, module for module
// (and decodes to it, where zbarimg is installed).
func TestCandidate_PDF(t *testing.T) {
	t.Parallel()
	r := newCandRig(t)
	w := r.post("/candidate/pdf", "192.0.2.1", url.Values{"idnumber": {demo.Candidates[0].IDNumber}, "code": {r.code}})
	if w.Code != http.StatusOK || w.Header().Get("Content-Type") != "application/pdf" {
		t.Fatalf("pdf: %d %s", w.Code, w.Header().Get("Content-Type"))
	}
	pdf := w.Body.Bytes()
	doc, _ := docOf(t, r.shallow.Bundle)
	// The QR code: every 2.2-point square of the content streams.
	checkQR(t, pdf, r.code)

	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Skip("SKIPPED: pdftotext not found: install Debian's poppler-utils (.ci/run does) to check the PDF's text")
	}
	dir := t.TempDir()
	f := filepath.Join(dir, "record.pdf")
	if err := os.WriteFile(f, pdf, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command(bin, "-enc", "UTF-8", f, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	wants := []string{doc.Candidate.Name, centre.MaskIDNumber(doc.Candidate.IDNumber), "总分 " + doc.Paper.Total.String(), "按压深度不足5cm，每次扣2分", "无申诉。"}
	for _, it := range doc.Items {
		wants = append(wants, it.Sheet.Title)
	}
	wants = append(wants, evidenceTimes(t, r.shallow.Bundle)...)
	for _, want := range wants {
		if !strings.Contains(text, want) {
			t.Errorf("pdftotext lacks %q", want)
		}
	}
	if strings.Contains(text, doc.Candidate.IDNumber) {
		t.Errorf("the PDF shows the whole ID number")
	}
	if t.Failed() {
		t.Logf("pdftotext:\n%s", text)
	}
	// Decode the QR code from a rendering, where zbarimg is installed.
	ppm, perr := exec.LookPath("pdftoppm")
	zbar, zerr := exec.LookPath("zbarimg")
	if perr != nil || zerr != nil {
		t.Log("pdftoppm or zbarimg missing: the QR code is checked against the encoder's matrix only")
		return
	}
	if out, err := exec.Command(ppm, "-r", "150", "-png", f, filepath.Join(dir, "page")).CombinedOutput(); err != nil {
		t.Fatalf("pdftoppm: %v\n%s", err, out)
	}
	pages, _ := filepath.Glob(filepath.Join(dir, "page*.png"))
	found := false
	for _, p := range pages {
		out, _ := exec.Command(zbar, "-q", "--raw", p).Output()
		if strings.TrimSpace(string(out)) == r.code {
			found = true
		}
	}
	if !found {
		t.Errorf("no page's QR code decodes to the slip code")
	}
}

// checkQR finds the QR modules the PDF draws (filled 2.2-point squares)
// and compares them with the encoder's matrix of code.
func checkQR(t *testing.T, pdf []byte, code string) {
	t.Helper()
	re := regexp.MustCompile(`(?s)stream\n(.*?)\nendstream`)
	mod := regexp.MustCompile(`([\d.]+) ([\d.]+) 2\.2 2\.2 re f`)
	type pos struct{ x, y float64 }
	var cells []pos
	for _, m := range re.FindAllSubmatch(pdf, -1) {
		zr, err := zlib.NewReader(bytes.NewReader(m[1]))
		if err != nil {
			continue
		}
		data, _ := io.ReadAll(zr)
		for _, c := range mod.FindAllStringSubmatch(string(data), -1) {
			x, _ := strconv.ParseFloat(c[1], 64)
			y, _ := strconv.ParseFloat(c[2], 64)
			cells = append(cells, pos{x, y})
		}
	}
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		t.Fatal(err)
	}
	bm := q.Bitmap()
	var want int
	var x0, yTop float64 = 1e9, -1e9
	for _, c := range cells {
		x0, yTop = min(x0, c.x), max(yTop, c.y)
	}
	got := map[[2]int]bool{}
	for _, c := range cells {
		got[[2]int{int((yTop-c.y)/2.2 + 0.5), int((c.x-x0)/2.2 + 0.5)}] = true
	}
	// The matrix's first black module is its finder pattern's corner,
	// at the quiet zone's edge.
	off := -1
	for i := range bm {
		if bm[i][i] {
			off = i
			break
		}
	}
	for r, row := range bm {
		for c, black := range row {
			if black {
				want++
				if !got[[2]int{r - off, c - off}] {
					t.Fatalf("QR module (%d,%d) is black in the code's matrix but not drawn", r, c)
				}
			}
		}
	}
	if len(cells) != want {
		t.Errorf("%d QR modules drawn, the code's matrix has %d", len(cells), want)
	}
}

// TestCandidate_RateLimitedAtOnce: twenty wrong tries sent at once from
// one address: five are answered (403), the rest refused (429), none
// slips through between the check and the count.
func TestCandidate_RateLimitedAtOnce(t *testing.T) {
	t.Parallel()
	r := newCandRig(t)
	const n = 20
	codes := make(chan int, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			code, _ := r.lookup("203.0.113.9", fmt.Sprintf("1101011990010100%02d", i), r.code)
			codes <- code
		})
	}
	wg.Wait()
	close(codes)
	count := map[int]int{}
	for c := range codes {
		count[c]++
	}
	if count[http.StatusForbidden] != console.CandidateTries || count[http.StatusTooManyRequests] != n-console.CandidateTries {
		t.Errorf("answers %v: want %d × 403 and %d × 429", count, console.CandidateTries, n-console.CandidateTries)
	}
}
