package scoring

import (
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"

	"shicao/standards"
)

// EventError is an event the standard cannot be scored over: out of order,
// a gap in seq, a mark the standard does not have. Scoring refuses rather
// than guesses.
type EventError struct {
	Seq int64
	Msg string
}

func (e *EventError) Error() string { return fmt.Sprintf("event %d: %s", e.Seq, e.Msg) }

func eventErr(seq int64, format string, args ...any) error {
	return &EventError{Seq: seq, Msg: fmt.Sprintf(format, args...)}
}

// Score scores one session's events by the standard. The events must be
// the whole log from seq 1 (session.start), gapless and in order. A log
// without session.end is scored as it stands (live scoring) with Finished
// false.
func Score(std *standards.Standard, events []standards.Event) (*Sheet, error) {
	return NewScorer(std).Score(events)
}

// Scorer scores logs by one standard, reusing its expression VM. It is not
// safe for concurrent use.
type Scorer struct {
	std *standards.Standard
	run *standards.Runner
}

// NewScorer returns a Scorer for std.
func NewScorer(std *standards.Standard) *Scorer {
	return &Scorer{std: std, run: standards.NewRunner()}
}

type markEvent struct {
	seq      int64
	examiner string
	item     string
	mark     string
	undone   bool
}

type vetoMark struct {
	seq      int64
	examiner string
	veto     string
	undone   bool
}

// Score scores events; see the package function Score.
func (sc *Scorer) Score(events []standards.Event) (*Sheet, error) {
	std := sc.std
	if len(events) == 0 {
		return nil, fmt.Errorf("empty log: a session starts with session.start")
	}
	if events[0].Type != standards.TypeSessionStart {
		return nil, eventErr(events[0].Seq, "the log must start with session.start, not %s", events[0].Type)
	}
	var start struct {
		Item      string   `json:"item"`
		Version   int      `json:"version"`
		Examiners []string `json:"examiners"`
	}
	if err := json.Unmarshal(events[0].Data, &start); err != nil {
		return nil, eventErr(events[0].Seq, "session.start data: %v", err)
	}
	if start.Item != "" && start.Item != std.ID {
		return nil, eventErr(events[0].Seq, "the log is for item %s, the standard is %s", start.Item, std.ID)
	}
	if start.Version != 0 && start.Version != std.Version {
		return nil, eventErr(events[0].Seq, "the log was recorded under %s version %d, the standard is version %d", std.ID, start.Version, std.Version)
	}

	limit := std.TimeLimit.Millis()
	stop := limit
	if std.Overtime != nil {
		stop += std.Overtime.StopAfter.Millis()
	}
	sheet := &Sheet{
		ID: std.ID, Version: std.Version, SHA256: std.SHA256(), Title: std.Title,
		PassMark: std.PassMark(), LimitMs: limit, Events: len(events),
	}
	log := std.NewLog()
	var (
		marks    []markEvent
		vetoes   []vetoMark
		resolved = map[string]Resolution{}
		endT     int64 = -1
		lastT    int64
		examiner = map[string]bool{}
	)
	for _, e := range start.Examiners {
		examiner[e] = true
	}
	vocab := standards.DefaultVocabulary()
	for i := range events {
		e := &events[i]
		if e.Seq != int64(i+1) {
			if i > 0 {
				return nil, eventErr(e.Seq, "seq %d follows %d: the log must be gapless and in order", e.Seq, events[i-1].Seq)
			}
			return nil, eventErr(e.Seq, "the log must start at seq 1")
		}
		if e.TMs < lastT {
			return nil, eventErr(e.Seq, "t_ms %d is before the previous event's %d", e.TMs, lastT)
		}
		lastT = e.TMs
		if i > 0 && e.Type == standards.TypeSessionStart {
			return nil, eventErr(e.Seq, "a second session.start")
		}
		et, known := vocab.Types[e.Type]
		if !known {
			sheet.Unknown = append(sheet.Unknown, UnknownEvent{Seq: e.Seq, Type: e.Type})
			continue
		}
		if et.Device != "" {
			// The candidate's performance ends at the hard stop and at
			// session.end; device events after either are not scored.
			if e.TMs > stop || endT >= 0 {
				sheet.Ignored = append(sheet.Ignored, e.Seq)
				if e.TMs > stop {
					sheet.Stopped = true
				}
				continue
			}
		}
		switch e.Type {
		case standards.TypeSessionEnd:
			if endT < 0 {
				endT = e.TMs
			}
			continue
		case standards.TypeMark:
			m, err := sc.markOf(e, examiner)
			if err != nil {
				return nil, err
			}
			marks = append(marks, m)
			continue
		case standards.TypeMarkUndo:
			if err := undo(e, marks, vetoes); err != nil {
				return nil, err
			}
			continue
		case standards.TypeVeto:
			v, err := sc.vetoOf(e, examiner)
			if err != nil {
				return nil, err
			}
			vetoes = append(vetoes, v)
			continue
		case standards.TypeReviewResolve:
			var d struct {
				Item   string  `json:"item"`
				Deduct float64 `json:"deduct"`
				Reason string  `json:"reason"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil {
				return nil, eventErr(e.Seq, "review.resolve data: %v", err)
			}
			if std.Item(d.Item) == nil {
				return nil, eventErr(e.Seq, "review.resolve names item %q, not in %s", d.Item, std.ID)
			}
			if strings.TrimSpace(d.Reason) == "" {
				return nil, eventErr(e.Seq, "review.resolve needs a written reason")
			}
			p, err := standards.ParsePoints(trimFloat(d.Deduct))
			if err != nil {
				return nil, eventErr(e.Seq, "review.resolve deduct: %v", err)
			}
			resolved[d.Item] = Resolution{Deduct: p, Reason: d.Reason, By: e.Source, Seq: e.Seq}
			continue
		case standards.TypeCandidateAck:
			var d struct {
				Accepted *bool `json:"accepted"`
			}
			if err := json.Unmarshal(e.Data, &d); err != nil || d.Accepted == nil {
				return nil, eventErr(e.Seq, "candidate.ack needs data.accepted true or false")
			}
			sheet.Acknowledged = d.Accepted
			continue
		}
		if _, err := log.Add(e.Seq, e.TMs, e.Type, e.Data); err != nil {
			return nil, eventErr(e.Seq, "%s %v", e.Type, err)
		}
	}
	elapsed := lastT
	if endT >= 0 {
		elapsed = endT
		sheet.Finished = true
	}
	if elapsed > stop {
		elapsed = stop
		sheet.Stopped = true
	}
	sheet.ElapsedMs = elapsed
	env := log.Env(elapsed, limit)

	examiners := examinerList(examiner, marks)
	var total Points
	for i := range std.Items {
		it := &std.Items[i]
		is, err := sc.scoreItem(it, env, marks, examiners, resolved)
		if err != nil {
			return nil, err
		}
		if is.Resolved == nil && len(is.Examiners) > 1 {
			lo, hi := is.Examiners[0].Deduct, is.Examiners[0].Deduct
			for _, x := range is.Examiners[1:] {
				lo, hi = min(lo, x.Deduct), max(hi, x.Deduct)
			}
			if hi-lo > std.Tolerance {
				sheet.Review = append(sheet.Review, it.ID)
			}
		}
		total += is.Score
		sheet.Items = append(sheet.Items, is)
	}
	sheet.NeedsReview = len(sheet.Review) > 0

	if o := std.Overtime; o != nil && o.Deduct > 0 && elapsed > limit {
		every := o.Every.Millis()
		n := int((elapsed - limit + every - 1) / every) // per started interval
		p := Points(n) * o.Deduct
		capped := false
		if o.Cap != nil && p > *o.Cap {
			p, capped = *o.Cap, true
		}
		sheet.Overtime = &Deduction{ID: "overtime", Text: fmt.Sprintf("超时 %d 毫秒", elapsed-limit), Points: p, Count: n, Evidence: []int64{}, By: "time", Capped: capped}
		total -= p
	}
	if total < 0 {
		total = 0
	}

	for i := range std.Veto {
		v := &std.Veto[i]
		fired, ev, err := sc.run.EvalVeto(v, env)
		if err != nil {
			return nil, err
		}
		if fired {
			sheet.Vetoes = append(sheet.Vetoes, VetoHit{ID: v.ID, Text: v.Text, Evidence: nonNil(ev), By: "rule"})
			continue
		}
		for _, vm := range vetoes {
			if vm.veto == v.ID && !vm.undone {
				sheet.Vetoes = append(sheet.Vetoes, VetoHit{ID: v.ID, Text: v.Text, Evidence: []int64{vm.seq}, By: "examiner:" + vm.examiner})
				break
			}
		}
	}
	if len(sheet.Vetoes) > 0 {
		sheet.Veto = &sheet.Vetoes[0]
		total = 0
	}
	if sheet.Acknowledged != nil && !*sheet.Acknowledged {
		sheet.Refused = true
		total = 0
	}
	sheet.Score = total
	sheet.Passed = sheet.Veto == nil && !sheet.Refused && total >= sheet.PassMark
	return sheet, nil
}

func trimFloat(f float64) string {
	s := fmt.Sprintf("%.10g", f)
	return s
}

func nonNil(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func (sc *Scorer) markOf(e *standards.Event, examiners map[string]bool) (markEvent, error) {
	id, err := examinerOf(e, examiners)
	if err != nil {
		return markEvent{}, err
	}
	var d struct {
		Item string `json:"item"`
		Mark string `json:"mark"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return markEvent{}, eventErr(e.Seq, "mark data: %v", err)
	}
	it := sc.std.Item(d.Item)
	if it == nil {
		return markEvent{}, eventErr(e.Seq, "mark for item %q, not in %s", d.Item, sc.std.ID)
	}
	if it.Mark(d.Mark) == nil {
		return markEvent{}, eventErr(e.Seq, "mark %q is not one of item %s's marks", d.Mark, d.Item)
	}
	return markEvent{seq: e.Seq, examiner: id, item: d.Item, mark: d.Mark}, nil
}

func (sc *Scorer) vetoOf(e *standards.Event, examiners map[string]bool) (vetoMark, error) {
	id, err := examinerOf(e, examiners)
	if err != nil {
		return vetoMark{}, err
	}
	var d struct {
		Veto string `json:"veto"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return vetoMark{}, eventErr(e.Seq, "veto data: %v", err)
	}
	v := sc.std.VetoByID(d.Veto)
	if v == nil || !v.Mark {
		return vetoMark{}, eventErr(e.Seq, "veto %q is not a veto examiners may record in %s", d.Veto, sc.std.ID)
	}
	return vetoMark{seq: e.Seq, examiner: id, veto: d.Veto}, nil
}

func examinerOf(e *standards.Event, examiners map[string]bool) (string, error) {
	id, ok := strings.CutPrefix(e.Source, "examiner:")
	if !ok || id == "" {
		return "", eventErr(e.Seq, "%s must come from an examiner (source examiner:<id>), not %q", e.Type, e.Source)
	}
	if len(examiners) > 0 && !examiners[id] {
		return "", eventErr(e.Seq, "examiner %s is not one of this session's examiners", id)
	}
	return id, nil
}

func undo(e *standards.Event, marks []markEvent, vetoes []vetoMark) error {
	var d struct {
		Ref int64 `json:"ref"`
	}
	if err := json.Unmarshal(e.Data, &d); err != nil {
		return eventErr(e.Seq, "mark.undo data: %v", err)
	}
	for i := range marks {
		if marks[i].seq == d.Ref {
			if "examiner:"+marks[i].examiner != e.Source {
				return eventErr(e.Seq, "only the examiner who recorded mark %d may undo it", d.Ref)
			}
			if marks[i].undone {
				return eventErr(e.Seq, "mark %d is already undone", d.Ref)
			}
			marks[i].undone = true
			return nil
		}
	}
	for i := range vetoes {
		if vetoes[i].seq == d.Ref {
			if "examiner:"+vetoes[i].examiner != e.Source {
				return eventErr(e.Seq, "only the examiner who recorded veto %d may undo it", d.Ref)
			}
			if vetoes[i].undone {
				return eventErr(e.Seq, "veto %d is already undone", d.Ref)
			}
			vetoes[i].undone = true
			return nil
		}
	}
	return eventErr(e.Seq, "mark.undo refers to %d, which is not a mark or veto before it", d.Ref)
}

// examinerList returns the session's examiners in a fixed order: those
// session.start names, else those who marked. Sorting makes the sheet the
// same whatever order the examiners signed in or marked.
func examinerList(declared map[string]bool, marks []markEvent) []string {
	set := map[string]bool{}
	for id := range declared {
		set[id] = true
	}
	if len(set) == 0 {
		for _, m := range marks {
			set[m.examiner] = true
		}
	}
	out := make([]string, 0, len(set))
	for id := range set {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

func (sc *Scorer) scoreItem(it *standards.Item, env map[string]any, marks []markEvent, examiners []string, resolved map[string]Resolution) (ItemScore, error) {
	is := ItemScore{ID: it.ID, Title: it.Title, Points: it.Points, Deductions: []Deduction{}}
	var sensor Points
	for j := range it.Rules {
		r := &it.Rules[j]
		oc, err := sc.run.EvalRule(r, env)
		if err != nil {
			return is, err
		}
		if oc.Count == 0 {
			continue
		}
		p := Points(oc.Count) * r.Deduct
		capped := false
		if r.Cap != nil && p > *r.Cap {
			p, capped = *r.Cap, true
		}
		sensor += p
		is.Deductions = append(is.Deductions, Deduction{ID: r.ID, Text: r.Text, Points: p, Count: oc.Count, Evidence: nonNil(oc.Evidence), By: "rule", Capped: capped})
	}

	// Manual marks: each examiner's total on this item, then their mean.
	perExaminer := make(map[string]Points, len(examiners))
	type markAgg struct {
		count    map[string]int
		evidence []int64
	}
	agg := map[string]*markAgg{}
	for _, m := range marks {
		if m.item != it.ID || m.undone {
			continue
		}
		mk := it.Mark(m.mark)
		a := agg[m.mark]
		if a == nil {
			a = &markAgg{count: map[string]int{}}
			agg[m.mark] = a
		}
		a.count[m.examiner]++
		if a.count[m.examiner] > mk.MaxTimes() {
			return is, eventErr(m.seq, "examiner %s recorded mark %s %d times; the standard allows %d", m.examiner, m.mark, a.count[m.examiner], mk.MaxTimes())
		}
		a.evidence = append(a.evidence, m.seq)
		perExaminer[m.examiner] += mk.Deduct
	}
	totals := make([]Points, 0, len(examiners))
	for _, id := range examiners {
		is.Examiners = append(is.Examiners, ExaminerDeduction{Examiner: id, Deduct: perExaminer[id]})
		totals = append(totals, perExaminer[id])
	}
	for j := range it.Marks {
		mk := &it.Marks[j]
		a := agg[mk.ID]
		if a == nil {
			continue
		}
		per := make([]Points, 0, len(examiners))
		maxCount := 0
		for _, id := range examiners {
			per = append(per, Points(a.count[id])*mk.Deduct)
			maxCount = max(maxCount, a.count[id])
		}
		slices.Sort(a.evidence)
		is.Deductions = append(is.Deductions, Deduction{ID: mk.ID, Text: mk.Text, Points: standards.MeanHalfUp(per), Count: maxCount, Evidence: a.evidence, By: "examiners"})
	}
	is.Manual = standards.MeanHalfUp(totals)
	if r, ok := resolved[it.ID]; ok {
		is.Resolved = &r
		is.Manual = r.Deduct
	}
	is.Score = max(it.Points-sensor-is.Manual, 0)
	return is, nil
}
