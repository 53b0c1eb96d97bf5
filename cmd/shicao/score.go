package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/station"
	"shicao/scoring"
	"shicao/standards"
)

func runScore(ctx context.Context, e *env, args []string) error {
	if len(args) > 0 && args[0] == "paper" {
		return scorePaper(e, args[1:])
	}
	fs := newFlags(e, "score", "score --standard FILE --events FILE.jsonl [--station-key STATION.pub] [--json]\n       shicao score paper --blueprint FILE SHEET.json...",
		"  shicao score --standard sd-dg-k42.signed --events k4.jsonl --station-key station.pub\n  shicao score --standard sd-dg-k42.yaml --events - --json < session-17.jsonl\n")
	stdFile := fs.String("standard", "", "the standard: plain YAML or a signed note")
	eventsFile := fs.String("events", "", "the session's event log, JSON Lines ('-' for stdin)")
	var keys listFlag
	fs.Var(&keys, "station-key", "the station's verifier key file(s): the log must be an export whose signed chain head verifies")
	asJSON := fs.Bool("json", false, "print the sheet as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *stdFile == "" || *eventsFile == "" || fs.NArg() != 0 {
		return usagef("score: give --standard and --events")
	}
	var stationKeys []string
	for _, k := range keys {
		b, err := os.ReadFile(k)
		if err != nil {
			return err
		}
		stationKeys = append(stationKeys, strings.TrimSpace(string(b)))
	}
	text, err := loadText(*stdFile)
	if err != nil {
		return err
	}
	std, err := standards.Parse(*stdFile, text)
	if err != nil {
		return err
	}
	var r io.Reader = e.stdin
	name := "stdin"
	if *eventsFile != "-" {
		f, err := os.Open(*eventsFile)
		if err != nil {
			return err
		}
		defer f.Close()
		r, name = f, *eventsFile
	}
	sess := scoring.NewSession(std)
	check, err := station.CheckEventLog(r, name, stationKeys, sess.AddView)
	if err != nil {
		return err // located already: file:line: ...
	}
	sheet, err := sess.Sheet()
	if err != nil {
		return fmt.Errorf("%s: %w", name, err)
	}
	warnTrust(e, name, check, std)
	for _, u := range sheet.Unknown {
		fmt.Fprintf(e.stderr, "%s: event %d: type %q is not in the vocabulary; not scored\n", name, u.Seq, u.Type)
	}
	if *asJSON {
		return writeJSON(e.stdout, sheet)
	}
	return printSheet(e.stdout, sheet)
}

// warnTrust says on stderr how far the log was verified; only a log whose
// signed chain head verified with a station key goes without a warning.
func warnTrust(e *env, name string, c *station.LogCheck, std *standards.Standard) {
	switch c.Trust {
	case station.LogPlain:
		fmt.Fprintf(e.stderr, "warning: %s: UNVERIFIED: no chain hashes and no signed chain head; nothing shows this log was not edited (a station's log: 'shicao station export --events' writes it with both)\n", name)
	case station.LogChainOnly:
		fmt.Fprintf(e.stderr, "warning: %s: UNVERIFIED: the chain hashes hold but no signed chain head anchors them (the header line is missing)\n", name)
	case station.LogHeadUnsigned:
		fmt.Fprintf(e.stderr, "warning: %s: the chain holds up to the head the result %s names, but its signature is not checked: give --station-key STATION.pub\n", name, c.Header.Result)
	case station.LogVerified:
		fmt.Fprintf(e.stderr, "%s: verified: chain intact, head signed by %s (result %s, subject %s)\n", name, strings.Join(c.Signers, ", "), c.Header.Result, c.Header.Subject)
	}
	if h := c.Header; h != nil && h.Standard.SHA256 != std.SHA256() {
		fmt.Fprintf(e.stderr, "warning: %s: the station scored this log under %s version %d sha256 %.12s…; --standard is %s version %d sha256 %.12s…: the score may differ from the signed one\n",
			name, h.Standard.ID, h.Standard.Version, h.Standard.SHA256, std.ID, std.Version, std.SHA256())
	}
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

// printSheet writes the sheet as an examiner reads it: items, each
// deduction with its reason and the time of its evidence.
func printSheet(w io.Writer, s *scoring.Sheet) error {
	fmt.Fprintf(w, "%s %s  version %d  sha256 %s\n", s.ID, s.Title, s.Version, s.SHA256[:16])
	fmt.Fprintf(w, "用时 %s / %s", clock(s.ElapsedMs), clock(s.LimitMs))
	if !s.Finished {
		fmt.Fprint(w, "  (未结束)")
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w)
	t := &table{right: map[int]bool{2: true}}
	t.add("评分项", "", "得分", "扣分")
	for _, it := range s.Items {
		t.add(it.ID, it.Title, it.Score.String()+"/"+it.Points.String(), "")
		for _, d := range it.Deductions {
			t.add("", "", "-"+d.Points.String(), fmt.Sprintf("%s ×%d  %s", d.Text, d.Count, evidence(d.Evidence, d.Times)))
		}
		if it.Resolved != nil {
			t.add("", "", "", fmt.Sprintf("复核: 扣 %s, %s (%s)", it.Resolved.Deduct, it.Resolved.Reason, it.Resolved.By))
		} else if len(it.Examiners) > 1 && hasManual(it) {
			var parts []string
			for _, x := range it.Examiners {
				parts = append(parts, fmt.Sprintf("考评员%s -%s", x.Examiner, x.Deduct))
			}
			t.add("", "", "", "人工扣分取平均: "+strings.Join(parts, ", "))
		}
	}
	if err := t.write(w); err != nil {
		return err
	}
	if s.Overtime != nil {
		fmt.Fprintf(w, "\n超时扣分 -%s (%s)\n", s.Overtime.Points, s.Overtime.Text)
	}
	if s.Stopped {
		fmt.Fprintf(w, "已到终止时间; 之后的 %d 条设备记录未计分\n", len(s.Ignored))
	}
	if len(s.Outages) > 0 {
		fmt.Fprintln(w)
	}
	for _, o := range s.Outages {
		back := "未恢复"
		if o.BackSeq > 0 {
			back = fmt.Sprintf("%s 恢复 #%d", clock(o.BackMs), o.BackSeq)
		}
		fmt.Fprintf(w, "设备断开 %s: %s 断开 #%d, %s, %.1f 秒\n", o.Device, clock(o.LostMs), o.LostSeq, back, float64(o.DurationMs)/1000)
	}
	for _, v := range s.Vetoes {
		fmt.Fprintf(w, "\n否决: %s (%s) %s\n", v.Text, v.By, evidence(v.Evidence, v.Times))
	}
	if s.NeedsReview {
		fmt.Fprintf(w, "\n需复核: 考评员扣分相差超过允许值: %s\n", strings.Join(s.Review, ", "))
	}
	if s.Refused {
		fmt.Fprintln(w, "\n考生拒绝签字确认: 本题0分")
	}
	verdict := "不合格 FAIL"
	if s.Passed {
		verdict = "合格 PASS"
	}
	fmt.Fprintf(w, "\n得分 %s  %s (合格线 %s)\n", s.Score, verdict, s.PassMark)
	return nil
}

func hasManual(it scoring.ItemScore) bool {
	for _, x := range it.Examiners {
		if x.Deduct > 0 {
			return true
		}
	}
	return false
}

func clock(ms int64) string {
	return fmt.Sprintf("%d:%02d.%d", ms/60000, ms/1000%60, ms/100%10)
}

// evidence lists evidence events as seq@time, at most a handful.
func evidence(seqs, times []int64) string {
	if len(seqs) == 0 {
		return ""
	}
	var parts []string
	for i, s := range seqs {
		if i == 6 {
			parts = append(parts, "… +"+strconv.Itoa(len(seqs)-6))
			break
		}
		if i < len(times) {
			parts = append(parts, fmt.Sprintf("#%d@%s", s, clock(times[i])))
		} else {
			parts = append(parts, fmt.Sprintf("#%d", s))
		}
	}
	return "[" + strings.Join(parts, " ") + "]"
}

func scorePaper(e *env, args []string) error {
	fs := newFlags(e, "score paper", "score paper --blueprint FILE SHEET.json...",
		"  shicao score paper --blueprint sd-dg-paper.yaml k13.json k21.json k31.json k42.json\n")
	bpFile := fs.String("blueprint", "", "the paper blueprint: plain YAML or a signed note")
	asJSON := fs.Bool("json", true, "print the result as JSON")
	if err := parse(fs, args); err != nil {
		return err
	}
	if *bpFile == "" || fs.NArg() == 0 {
		return usagef("score paper: give --blueprint and the sheets (JSON from 'shicao score --json')")
	}
	text, err := loadText(*bpFile)
	if err != nil {
		return err
	}
	bp, err := standards.ParseBlueprint(*bpFile, text)
	if err != nil {
		return err
	}
	var sheets []*scoring.Sheet
	for _, f := range fs.Args() {
		b, err := os.ReadFile(f)
		if err != nil {
			return err
		}
		var s scoring.Sheet
		dec := json.NewDecoder(strings.NewReader(string(b)))
		if err := dec.Decode(&s); err != nil {
			return fmt.Errorf("%s: not a sheet from 'shicao score --json': %v", f, err)
		}
		if s.ID == "" {
			return fmt.Errorf("%s: not a sheet: no id", f)
		}
		sheets = append(sheets, &s)
	}
	r, err := scoring.Paper(bp, sheets)
	if err != nil {
		return err
	}
	if *asJSON {
		return writeJSON(e.stdout, r)
	}
	return nil
}
