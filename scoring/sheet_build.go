package scoring

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"shicao/standards"
)

// Sheet scores the events added so far.
func (s *Session) Sheet() (*Sheet, error) {
	if s.err != nil {
		return nil, s.err
	}
	if s.n == 0 {
		return nil, fmt.Errorf("empty log: a session starts with session.start")
	}
	sheet := s.newSheet()
	elapsed := sheet.ElapsedMs
	env := evalEnv{log: s.log, elapsed: elapsed, limit: s.limit}
	env.plain = s.log.Env(elapsed, s.limit)

	total, err := s.scoreItems(sheet, &env)
	if err != nil {
		return nil, err
	}
	total -= s.overtime(sheet, elapsed)
	total = max(total, 0)

	if err := s.vetoHits(sheet, &env); err != nil {
		return nil, err
	}
	if len(sheet.Vetoes) > 0 {
		sheet.Veto = &sheet.Vetoes[0]
		total = 0
	}
	if s.ack != nil && !*s.ack {
		sheet.Refused = true
		total = 0
	}
	sheet.Score = total
	sheet.Passed = sheet.Veto == nil && !sheet.Refused && total >= sheet.PassMark
	return sheet, nil
}

// newSheet starts the sheet: the standard, the log's counts and the
// clock (the item ends at session.end, at the hard stop at the latest).
func (s *Session) newSheet() *Sheet {
	std := s.std
	sheet := &Sheet{
		ID: std.ID, Version: std.Version, SHA256: std.SHA256(), Title: std.Title,
		PassMark: std.PassMark(), LimitMs: s.limit, Events: int(s.n),
		Unknown: slices.Clone(s.unknown), Ignored: slices.Clone(s.ignored), Stopped: s.stoppedDev,
		Acknowledged: s.ack, Items: []ItemScore{},
	}
	elapsed := s.lastT
	if s.endT >= 0 {
		elapsed = s.endT
		sheet.Finished = true
	}
	if elapsed > s.stop {
		elapsed = s.stop
		sheet.Stopped = true
	}
	sheet.ElapsedMs = elapsed
	sheet.Outages = s.outages(elapsed)
	return sheet
}

// scoreItems scores each item onto the sheet, lists the items whose
// examiners differ by more than the tolerance for review, and returns the
// items' total.
func (s *Session) scoreItems(sheet *Sheet, env *evalEnv) (Points, error) {
	std := s.std
	examiners := s.examinerList()
	var total Points
	for i := range std.Items {
		it := &std.Items[i]
		is, err := s.scoreItem(it, env, examiners)
		if err != nil {
			return 0, err
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
	return total, nil
}

// overtime puts the overtime deduction on the sheet and returns its
// points (0 within the limit or without an overtime rule).
func (s *Session) overtime(sheet *Sheet, elapsed int64) Points {
	o := s.std.Overtime
	if o == nil || o.Deduct <= 0 || elapsed <= s.limit {
		return 0
	}
	every := o.Every.Millis()
	n := int((elapsed - s.limit + every - 1) / every) // per started interval
	p := Points(n) * o.Deduct
	capped := false
	if o.Cap != nil && p > *o.Cap {
		p, capped = *o.Cap, true
	}
	sheet.Overtime = &Deduction{ID: "overtime", Text: fmt.Sprintf("超时 %.1f 秒", float64(elapsed-s.limit)/1000), Points: p, Count: n, Evidence: []int64{}, By: "time", Capped: capped}
	return p
}

// vetoHits lists the vetoes that fired, by rule or else by an examiner's
// veto not undone, in the standard's order.
func (s *Session) vetoHits(sheet *Sheet, env *evalEnv) error {
	std := s.std
	for i := range std.Veto {
		v := &std.Veto[i]
		fired, oc, err := s.run.EvalVeto(v, env.of(v.OutageKinds()))
		if err != nil {
			return err
		}
		oc = env.realTimes(v.OutageKinds(), oc)
		if fired {
			sheet.Vetoes = append(sheet.Vetoes, VetoHit{ID: v.ID, Text: v.Text, Evidence: nonNil(oc.Evidence), Times: oc.Times, By: "rule"})
			continue
		}
		for _, vm := range s.vetoes {
			if vm.veto == v.ID && !vm.undone {
				sheet.Vetoes = append(sheet.Vetoes, VetoHit{ID: v.ID, Text: v.Text, Evidence: []int64{vm.seq}, Times: []int64{vm.t}, By: "examiner:" + vm.examiner})
				break
			}
		}
	}
	return nil
}

// evalEnv gives each rule its environment: the log as recorded, or, for a
// rule with `outages: exclude` when a device it reads was lost, on a clock
// that stops during those outages (built once per set of devices, when
// first asked for). Without an outage every rule sees the same
// environment.
type evalEnv struct {
	log            *standards.Log
	elapsed, limit int64
	plain          map[string]any
	without        map[string]map[string]any // by the devices' kinds, joined
}

func (e *evalEnv) of(kinds []string) map[string]any {
	if !e.log.StopsClock(kinds) {
		return e.plain
	}
	key := strings.Join(kinds, ",")
	env, ok := e.without[key]
	if !ok {
		env = e.log.EnvWithoutOutages(e.elapsed, e.limit, kinds)
		if e.without == nil {
			e.without = map[string]map[string]any{}
		}
		e.without[key] = env
	}
	return env
}

// realTimes puts the evidence a rule found on the stopped clock back at
// the times the station recorded.
func (e *evalEnv) realTimes(kinds []string, oc standards.Occurrences) standards.Occurrences {
	if len(oc.Evidence) > 0 && e.log.StopsClock(kinds) {
		oc.Times = e.log.TimesOf(oc.Evidence)
	}
	return oc
}

// outages lists the log's device outages for the sheet; one still open
// lasts to the end of the item.
func (s *Session) outages(elapsed int64) []Outage {
	var out []Outage
	for _, o := range s.log.Outages() {
		so := Outage{Device: o.Kind, LostSeq: o.LostSeq, LostMs: o.Lost, BackSeq: o.BackSeq, BackMs: o.Back}
		end := elapsed
		if o.BackSeq > 0 {
			end = o.Back
		}
		so.DurationMs = max(end-o.Lost, 0)
		out = append(out, so)
	}
	return out
}

func nonNil(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

// examinerList returns the session's examiners in a fixed order: those
// session.start names, else those who marked. Sorting makes the sheet the
// same whatever order the examiners signed in or marked.
func (s *Session) examinerList() []string {
	set := map[string]bool{}
	for id := range s.examiners {
		set[id] = true
	}
	if len(set) == 0 {
		for _, m := range s.marks {
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

func (s *Session) scoreItem(it *standards.Item, env *evalEnv, examiners []string) (ItemScore, error) {
	is := ItemScore{ID: it.ID, Title: it.Title, Points: it.Points, Deductions: []Deduction{}}
	var sensor Points
	for j := range it.Rules {
		r := &it.Rules[j]
		oc, err := s.run.EvalRule(r, env.of(r.OutageKinds()))
		if err != nil {
			return is, err
		}
		oc = env.realTimes(r.OutageKinds(), oc)
		if oc.Count == 0 {
			continue
		}
		p := Points(oc.Count) * r.Deduct
		capped := false
		if r.Cap != nil && p > *r.Cap {
			p, capped = *r.Cap, true
		}
		sensor += p
		is.Deductions = append(is.Deductions, Deduction{ID: r.ID, Text: r.Text, Points: p, Count: oc.Count, Evidence: nonNil(oc.Evidence), Times: oc.Times, By: "rule", Capped: capped})
	}

	// Manual marks: each examiner's total on this item, then their mean.
	perExaminer := make(map[string]Points, len(examiners))
	type markAgg struct {
		count           map[string]int
		evidence, times []int64
	}
	agg := map[string]*markAgg{}
	for _, m := range s.marks {
		if m.item != it.ID || m.undone {
			continue
		}
		a := agg[m.mark]
		if a == nil {
			a = &markAgg{count: map[string]int{}}
			agg[m.mark] = a
		}
		a.count[m.examiner]++
		a.evidence = append(a.evidence, m.seq)
		a.times = append(a.times, m.t)
		perExaminer[m.examiner] += it.Mark(m.mark).Deduct
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
		is.Deductions = append(is.Deductions, Deduction{ID: mk.ID, Text: mk.Text, Points: standards.MeanHalfUp(per), Count: maxCount, Evidence: a.evidence, Times: a.times, By: "examiners"})
	}
	is.Manual = standards.MeanHalfUp(totals)
	if r, ok := s.resolved[it.ID]; ok {
		is.Resolved = &r
		is.Manual = r.Deduct
	}
	is.Score = max(it.Points-sensor-is.Manual, 0)
	return is, nil
}
