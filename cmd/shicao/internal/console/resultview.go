package console

import (
	"encoding/json"
	"fmt"
	"strings"

	"shicao/cmd/shicao/internal/centre"
	"shicao/scoring"
	"shicao/standards"
	examsync "shicao/sync"
)

// resultView is a result page: the row, the signed document read from
// the body, each item with its evidence, the signatures and the receipt.
type resultView struct {
	Row        *centre.ResultRow
	Doc        *examsync.ResultDoc
	Items      []itemView
	Signatures []signature
	Receipt    receiptView
	Verdict    *verdict
}

type itemView struct {
	Result     examsync.ItemResult
	Deductions []deductionView // every deduction of the sheet, in order
	Points     []pointView
	Chart      *depthChart
	Ext        *extChart
}

type pointView struct {
	Score     scoring.ItemScore
	Examiners []markView
}

// markView is one examiner's manual deduction on a scoring point.
type markView struct {
	Name, ID string
	Deduct   standards.Points
}

type deductionView struct {
	Point    string // the scoring point's title ("" for overtime)
	D        scoring.Deduction
	Evidence []eventView
}

type eventView struct {
	Seq  int64
	AtMs int64 // since the item's first event
	Type string
	Data string
}

type signature struct{ Name, KeyHash string }

type receiptView struct {
	Index          int64
	CheckpointSize int64
	Origin         string
}

// buildResultView reads a held result's body (the bundle as received)
// for its page. The body was verified when it was received; the page
// reads it without trusting it further (Re-verify checks it again).
func buildResultView(row *centre.ResultRow, body, receipt []byte, lang string) (*resultView, error) {
	b, err := examsync.DecodeBundle(body)
	if err != nil {
		return nil, err
	}
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &doc); err != nil {
		return nil, fmt.Errorf("the signed result: %w", err)
	}
	v := &resultView{Row: row, Doc: &doc, Signatures: signaturesOf(b.Result)}
	names := map[string]string{}
	for _, x := range doc.Examiners {
		names[x.ID] = x.Name
	}
	var r examsync.Receipt
	if err := json.Unmarshal(receipt, &r); err == nil {
		v.Receipt.Index = r.Index
		lines := strings.SplitN(string(standards.SplitNote([]byte(r.Checkpoint))), "\n", 3)
		if len(lines) >= 2 {
			v.Receipt.Origin = lines[0]
			fmt.Sscan(lines[1], &v.Receipt.CheckpointSize)
		}
	}
	for _, it := range doc.Items {
		var events []standards.EventView
		bySeq := map[int64]eventView{}
		var t0 int64
		for i, line := range b.Events[it.Subject] {
			e, lerr := standards.ScanEvent(line)
			if lerr != nil {
				return nil, fmt.Errorf("subject %s: event line %d: %v", it.Subject, i+1, lerr)
			}
			if i == 0 {
				t0 = e.TMs
			}
			events = append(events, e)
			bySeq[e.Seq] = eventView{Seq: e.Seq, AtMs: e.TMs - t0, Type: string(e.Type), Data: string(e.Data)}
		}
		iv := itemView{Result: it, Chart: buildDepthChart(events), Ext: buildExtChart(events)}
		evidence := func(seqs []int64) []eventView {
			var out []eventView
			for _, s := range seqs {
				if e, ok := bySeq[s]; ok {
					out = append(out, e)
				} else {
					out = append(out, eventView{Seq: s, Type: "?"})
				}
			}
			return out
		}
		if it.Sheet != nil {
			for _, p := range it.Sheet.Items {
				pv := pointView{Score: p}
				for _, m := range p.Examiners {
					pv.Examiners = append(pv.Examiners, markView{Name: names[m.Examiner], ID: m.Examiner, Deduct: m.Deduct})
				}
				iv.Points = append(iv.Points, pv)
				for _, d := range p.Deductions {
					iv.Deductions = append(iv.Deductions, deductionView{Point: p.Title, D: d, Evidence: evidence(d.Evidence)})
				}
			}
			if o := it.Sheet.Overtime; o != nil {
				iv.Deductions = append(iv.Deductions, deductionView{D: *o, Evidence: evidence(o.Evidence)})
			}
		}
		v.Items = append(v.Items, iv)
	}
	return v, nil
}

// signaturesOf lists a signed note's signature lines ("— name base64"):
// the signer's name and its key hash (the first four bytes of the
// signature's base64), for people to compare with station list.
func signaturesOf(signed string) []signature {
	i := strings.LastIndex(signed, "\n\n")
	if i < 0 {
		return nil
	}
	var out []signature
	for _, l := range strings.Split(strings.TrimSpace(signed[i+2:]), "\n") {
		f := strings.Fields(strings.TrimPrefix(l, "— "))
		if len(f) == 2 {
			h := f[1]
			if len(h) > 8 {
				h = h[:8]
			}
			out = append(out, signature{Name: f[0], KeyHash: h})
		}
	}
	return out
}
