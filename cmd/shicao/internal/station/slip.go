package station

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/store"
	"shicao/hardware/escpos"
	"shicao/hardware/printer"
	"shicao/standards"
	examsync "shicao/sync"
)

// SlipPrinter prints an ESC/POS job (hardware/printer.Printer does). Print
// returns once the printer has the whole job with paper in, or an error.
type SlipPrinter interface {
	Print(ctx context.Context, job []byte) error
}

// Slip is a candidate's score slip: what the station prints after the
// candidate signed (docs/slip.md).
type Slip struct {
	Doc    *examsync.ResultDoc
	SHA256 string // of the result bundle, as the code carries it
	Code   string // the slip code (sync.SignSlip), printed as a QR code and as text
	// LogIndex is the result's index in the centre's log, once its
	// receipt verified; -1 before.
	LogIndex int64
	State    store.SlipState
}

// Slip builds the slip of a saved result: the code is signed with the
// station key, and is the same every time (Ed25519 is deterministic). It
// returns store.ErrNotFound for an unknown result.
func (s *Station) Slip(ctx context.Context, resultID string) (*Slip, error) {
	if s.signer == nil {
		return nil, errors.New("station has no signing key: run shicao station init")
	}
	r, err := s.st.ResultByID(ctx, resultID)
	if err != nil {
		return nil, fmt.Errorf("slip %s: %w", resultID, err)
	}
	body, err := s.st.ResultBody(ctx, resultID)
	if err != nil {
		return nil, fmt.Errorf("slip %s: %w", resultID, err)
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote(r.Signed), &doc); err != nil || doc.Paper == nil {
		return nil, fmt.Errorf("slip %s: the stored result is not a %s document", resultID, examsync.ResultFormat)
	}
	code, err := examsync.SignSlip(s.signer, doc.ID, body, doc.Paper.Total.String(), doc.Paper.Passed)
	if err != nil {
		return nil, err
	}
	sl := &Slip{Doc: &doc, Code: code, LogIndex: -1}
	c, _ := examsync.ParseSlip(code)
	sl.SHA256 = c.SHA256
	if _, idx, err := s.st.Receipt(ctx, resultID); err == nil {
		sl.LogIndex = idx
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if sl.State, err = s.st.Slip(ctx, resultID); err != nil {
		return nil, err
	}
	return sl, nil
}

// Lines returns the slip's text, line by line, as printed (the QR code
// apart: it stands after the hash).
func (sl *Slip) Lines() []string {
	d := sl.Doc
	verdict := "不合格 FAIL"
	if d.Paper.Passed {
		verdict = "合格 PASS"
	}
	l := []string{
		"考生 " + MaskID(d.Candidate.IDNumber),
		"计划 Plan " + d.Plan,
		"日期 Date " + d.Date,
		"考站 Station " + d.Station,
		strings.Repeat("-", 32),
	}
	for _, it := range d.Items {
		l = append(l, fmt.Sprintf("%s %s v%d  %s", it.Subject, it.Standard.ID, it.Standard.Version, it.Sheet.Score))
		for _, item := range it.Sheet.Items {
			for _, dd := range item.Deductions {
				l = append(l, fmt.Sprintf("  -%s %s %s", dd.Points, dd.ID, dd.Text))
			}
			if item.Manual.String() != "0" {
				l = append(l, fmt.Sprintf("  -%s %s 考评员 examiners", item.Manual, item.ID))
			}
		}
		if it.Sheet.Overtime != nil {
			l = append(l, fmt.Sprintf("  -%s 超时 overtime", it.Sheet.Overtime.Points))
		}
		if v := it.Sheet.Veto; v != nil {
			l = append(l, fmt.Sprintf("  否决 veto %s %s", v.ID, v.Text))
		}
	}
	l = append(l, strings.Repeat("-", 32),
		fmt.Sprintf("总分 Total %s %s", d.Paper.Total, verdict),
		"成绩编号 Result "+d.ID,
		"SHA-256 "+sl.SHA256[:32],
		"        "+sl.SHA256[32:])
	return l
}

// ReceiptLine is the line printed once the centre's receipt verified.
func (sl *Slip) ReceiptLine() string {
	if sl.LogIndex < 0 {
		return "中心回执 未收到 receipt pending"
	}
	return fmt.Sprintf("中心回执 receipt: log index %d", sl.LogIndex)
}

// Text is the slip as `shicao station slip` shows it.
func (sl *Slip) Text() string {
	var b strings.Builder
	b.WriteString("成绩单 SCORE SLIP\n")
	for _, l := range sl.Lines() {
		b.WriteString(l + "\n")
	}
	fmt.Fprintf(&b, "[QR %s]\n%s\n", sl.Code, sl.ReceiptLine())
	return b.String()
}

// ESCPOS encodes the slip for the printer: a heading, the lines, the QR
// code with the code below it in text, and the receipt line; a reprint
// says so.
func (sl *Slip) ESCPOS() ([]byte, error) {
	var b escpos.Builder
	b.Init().Chinese(true).Align(escpos.Centre).Bold(true).Size(2, 2).Line("成绩单").Size(1, 1).Line("SCORE SLIP").Bold(false)
	if sl.State.Prints > 0 {
		b.Line(fmt.Sprintf("补打 REPRINT %d", sl.State.Prints))
	}
	b.Align(escpos.Left)
	for _, l := range sl.Lines() {
		if strings.HasPrefix(l, "总分") {
			b.Bold(true).Line(l).Bold(false)
			continue
		}
		b.Line(l)
	}
	b.Align(escpos.Centre).QR(sl.Code, 4, escpos.QRLevelM).Line("").Align(escpos.Left)
	for c := sl.Code; c != ""; {
		n := min(len(c), 32)
		b.Line(c[:n])
		c = c[n:]
	}
	b.Line(sl.ReceiptLine()).Feed(3).Cut(3)
	return b.Bytes()
}

// ReceiptESCPOS encodes the second, short slip printed once the centre's
// receipt verified: the result id and its index in the centre's log.
func (sl *Slip) ReceiptESCPOS() ([]byte, error) {
	var b escpos.Builder
	b.Init().Chinese(true).Line("成绩编号 Result " + sl.Doc.ID).Bold(true).Line(sl.ReceiptLine()).Bold(false).Feed(3).Cut(3)
	return b.Bytes()
}

// SlipOutcome is what became of a print.
type SlipOutcome struct {
	Printed bool
	// Reason, when not printed, says why in the examiners' language (the
	// slip stays queued for `p` or `shicao station slip`).
	Reason *Refusal
}

// PrintSlip prints a result's slip on the station's printer and records
// the outcome: printed, or queued with the reason. A printer that is
// missing, out of paper or unplugged mid-print never fails the exam: the
// outcome says so and the slip stays queued. It returns an error only
// when the slip cannot be built or the outcome not recorded.
func (s *Station) PrintSlip(ctx context.Context, resultID string) (*SlipOutcome, error) {
	sl, err := s.Slip(ctx, resultID)
	if err != nil {
		return nil, err
	}
	job, err := sl.ESCPOS()
	if err != nil {
		return nil, err
	}
	var perr error
	if s.cfg.Printer == nil {
		perr = errNoPrinter
	} else {
		perr = s.cfg.Printer.Print(ctx, job)
	}
	if perr == nil {
		return &SlipOutcome{Printed: true}, s.st.SlipPrinted(ctx, resultID, sl.LogIndex >= 0)
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	ref := slipRefusal(perr)
	if err := s.st.SlipFailed(ctx, resultID, ref.EN); err != nil {
		return nil, err
	}
	return &SlipOutcome{Reason: ref}, nil
}

// PrintReceiptLine prints the short slip that adds the centre's log
// index to a result's slip, once its receipt verified; it is refused
// (slip-no-receipt) before. A printer that fails leaves nothing queued:
// the whole slip (station slip) carries the index too.
func (s *Station) PrintReceiptLine(ctx context.Context, resultID string) (*SlipOutcome, error) {
	sl, err := s.Slip(ctx, resultID)
	if err != nil {
		return nil, err
	}
	if sl.LogIndex < 0 {
		return &SlipOutcome{Reason: refuse("slip-no-receipt", "中心回执尚未收到", "the centre's receipt has not arrived yet")}, nil
	}
	job, err := sl.ReceiptESCPOS()
	if err != nil {
		return nil, err
	}
	perr := errNoPrinter
	if s.cfg.Printer != nil {
		perr = s.cfg.Printer.Print(ctx, job)
	}
	if perr != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return &SlipOutcome{Reason: slipRefusal(perr)}, nil
	}
	return &SlipOutcome{Printed: true}, s.st.ReceiptLinePrinted(ctx, resultID)
}

// HasPrinter reports whether the station has a slip printer configured.
func (s *Station) HasPrinter() bool { return s.cfg.Printer != nil }

// Line says what became of a print, on one line: "slip printed ID" or
// "slip queued ID (code): why".
func (o *SlipOutcome) Line(id, lang string) string {
	if o.Printed {
		return "slip printed " + id
	}
	return fmt.Sprintf("slip queued %s (%s): %s", id, o.Reason.Code, o.Reason.Text(lang))
}

var errNoPrinter = errors.New("no printer configured")

// slipRefusal says why a slip did not print, for the examiners.
func slipRefusal(err error) *Refusal {
	switch {
	case errors.Is(err, errNoPrinter):
		return refuse("slip-no-printer", "本站未配置打印机，成绩单已排队", "no printer is configured: the slip is queued")
	case errors.Is(err, printer.ErrPaperOut):
		return refuse("slip-paper-out", "打印机缺纸，成绩单已排队：装纸后按 p 补打", "the printer is out of paper: the slip is queued; load paper and press p")
	case errors.Is(err, printer.ErrNoAnswer):
		return refuse("slip-no-answer", "打印机无响应，成绩单已排队：开机后按 p 补打", "the printer does not answer: the slip is queued; switch it on and press p")
	case errors.Is(err, printer.ErrUnplugged):
		return refuse("slip-unplugged", "打印机未连接，成绩单已排队：接好后按 p 补打", "the printer is not connected: the slip is queued; plug it in and press p")
	}
	return &Refusal{Code: "slip-failed", ZH: "成绩单未打印，已排队：" + err.Error(), EN: "the slip did not print and is queued: " + err.Error()}
}
