package standards

import (
	"fmt"
	"regexp"
	"strings"
	"time"
)

var (
	idPattern    = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	subjectRegex = regexp.MustCompile(`^K[1-9]$`)
)

func requireID(c *problems, pos Pos, field, path, id string) {
	switch {
	case id == "":
		c.add(pos.At(field), join(path, field), "missing")
	case !idPattern.MatchString(id):
		c.add(pos.At(field), join(path, field), "%q: ids are letters, digits, '.', '_' and '-' (at most 64)", id)
	}
}

func requireText(c *problems, pos Pos, field, path, text string) {
	if text == "" {
		c.add(pos.At(field), join(path, field), "missing")
	}
}

// validateExpires checks an optional expires date: the last day of use,
// not before the first.
func validateExpires(c *problems, pos Pos, effective, expires Date) {
	if !expires.IsZero() && !effective.IsZero() && expires.Before(effective) {
		c.add(pos.At("expires"), "expires", "%s is before effective %s: the last day of use cannot come before the first", expires, effective)
	}
}

func validateStandard(c *problems, s *Standard) {
	validateHead(c, s)
	devices := validateDevices(c, s)
	ids := map[string]string{} // every item, mark, rule and veto id -> its path
	claim := func(id string, line int, path string) {
		if id == "" {
			return
		}
		if prev, dup := ids[id]; dup {
			c.add(line, path+".id", "duplicate id %q (also %s)", id, prev)
			return
		}
		ids[id] = path
	}
	validateItems(c, s, claim)
	for i := range s.Veto {
		validateVeto(c, s, &s.Veto[i], fmt.Sprintf("veto[%d]", i), claim)
	}
	// Every device event an expression selects must come from a device the
	// standard requires: otherwise the station would start the item without
	// the equipment that the score depends on.
	for _, et := range s.env.types {
		if et.Device != "" && !devices[et.Device] {
			c.add(s.At("devices"), "devices", "expressions use %s events but device %q is not listed", et.Name, et.Device)
		}
	}
	if len(s.Tests) > maxVectors {
		c.add(s.At("tests"), "tests", "%d vectors; at most %d", len(s.Tests), maxVectors)
	}
	names := map[string]bool{}
	for i := range s.Tests {
		validateVector(c, s, &s.Tests[i], fmt.Sprintf("tests[%d]", i), ids, names)
	}
}

// claimFunc records an id at path, or reports it taken already.
type claimFunc func(id string, line int, path string)

// validateHead checks the standard's own fields: id, version, title,
// dates, time limit, overtime, pass mark, examiners.
func validateHead(c *problems, s *Standard) {
	requireID(c, s.Pos, "id", "", s.ID)
	if s.Version < 1 {
		c.add(s.At("version"), "version", "missing or not a positive whole number")
	}
	requireText(c, s.Pos, "title", "", s.Title)
	requireText(c, s.Pos, "category", "", s.Category)
	if s.Subject != "" && !subjectRegex.MatchString(s.Subject) {
		c.add(s.At("subject"), "subject", "%q: want K1 to K9", s.Subject)
	}
	if s.Effective.IsZero() {
		c.add(s.At("effective"), "effective", "missing: the date from which the standard may be used (YYYY-MM-DD)")
	}
	validateExpires(c, s.Pos, s.Effective, s.Expires)
	if _, given := s.Fields["time_limit"]; given && s.TimeLimit <= 0 {
		c.add(s.At("time_limit"), "time_limit", "%s: the time limit must be more than 0", s.TimeLimit)
	} else if s.TimeLimit <= 0 {
		c.add(s.At("time_limit"), "time_limit", "missing: the item's time limit, such as 5m")
	} else if time.Duration(s.TimeLimit) > maxTimeLimit {
		c.add(s.At("time_limit"), "time_limit", "%s is longer than %s", s.TimeLimit, maxTimeLimit)
	}
	if o := s.Overtime; o != nil {
		if o.Deduct > 0 && o.Every <= 0 {
			c.add(o.At("every"), "overtime.every", "missing: how often the overtime deduction applies, such as 5s")
		}
		if time.Duration(o.StopAfter) > maxStopAfter {
			c.add(o.At("stop_after"), "overtime.stop_after", "%s is longer than %s", o.StopAfter, maxStopAfter)
		}
		if o.Cap != nil && *o.Cap > PointsOf(100) {
			c.add(o.At("cap"), "overtime.cap", "more than 100 points")
		}
	}
	if s.Pass != nil && *s.Pass > PointsOf(100) {
		c.add(s.At("pass"), "pass", "more than 100 points")
	}
	if s.Examiners < 0 || s.Examiners > maxExaminers {
		c.add(s.At("examiners"), "examiners", "%d: want 1 to %d", s.Examiners, maxExaminers)
	}
}

// validateDevices checks the devices and their reference checks, and
// returns the set of device kinds listed.
func validateDevices(c *problems, s *Standard) map[string]bool {
	devices := map[string]bool{}
	for i, d := range s.Devices {
		p := fmt.Sprintf("devices[%d]", i)
		if _, ok := s.env.vocab.Devices[d]; !ok {
			c.add(s.At("devices"), p, "unknown device kind %q (known: %s)", d, strings.Join(s.env.vocab.DeviceKinds(), ", "))
		}
		if devices[d] {
			c.add(s.At("devices"), p, "device %q listed twice", d)
		}
		devices[d] = true
	}
	for i, r := range s.Reference {
		p := fmt.Sprintf("reference[%d]", i)
		switch et := s.env.vocab.Types[r.Type]; {
		case !devices[r.Device]:
			c.add(r.At("device"), p+".device", "%q is not one of the standard's devices", r.Device)
		case et == nil || et.Device != r.Device:
			c.add(r.At("type"), p+".type", "%q is not an event type of device %s", r.Type, r.Device)
		case !numericField(et, r.Field):
			c.add(r.At("field"), p+".field", "%q is not a number field of %s", r.Field, r.Type)
		}
		if r.Tolerance < 0 {
			c.add(r.At("tolerance"), p+".tolerance", "%v: a tolerance is not negative", r.Tolerance)
		}
		if strings.TrimSpace(r.Instructions) == "" {
			c.add(r.At("instructions"), p+".instructions", "missing: what the examiner does (\"press the manikin to the 50 mm gauge\")")
		}
	}
	return devices
}

// validateItems checks the scoring items, their marks and rules, and that
// their points add up to 100.
func validateItems(c *problems, s *Standard, claim claimFunc) {
	if len(s.Items) == 0 {
		c.add(s.At("items"), "items", "missing: a standard has at least one scoring item")
	}
	if len(s.Items) > maxItems {
		c.add(s.At("items"), "items", "%d items; at most %d", len(s.Items), maxItems)
	}
	var total Points
	for i := range s.Items {
		it := &s.Items[i]
		p := fmt.Sprintf("items[%d]", i)
		requireID(c, it.Pos, "id", p, it.ID)
		claim(it.ID, it.At("id"), p)
		requireText(c, it.Pos, "title", p, it.Title)
		if it.Points <= 0 {
			c.add(it.At("points"), p+".points", "missing or zero: the item's points (配分)")
		}
		total += it.Points
		if len(it.Marks)+len(it.Rules) == 0 {
			c.add(it.Line, p, "item has neither marks nor rules: nothing could ever be deducted")
		}
		for j := range it.Marks {
			m := &it.Marks[j]
			mp := fmt.Sprintf("%s.marks[%d]", p, j)
			requireID(c, m.Pos, "id", mp, m.ID)
			claim(m.ID, m.At("id"), mp)
			requireText(c, m.Pos, "text", mp, m.Text)
			checkDeduct(c, m.Pos, mp, m.Deduct, it.Points)
			if m.Max < 0 || m.Max > 100 {
				c.add(m.At("max"), mp+".max", "%d: want 1 to 100", m.Max)
			}
		}
		for j := range it.Rules {
			validateRule(c, s, &it.Rules[j], fmt.Sprintf("%s.rules[%d]", p, j), it.Points, claim)
		}
	}
	if len(s.Items) > 0 && total != PointsOf(100) {
		c.add(s.At("items"), "items", "points add up to %s, not 100", total)
	}
}

// validateRule checks a sensor rule and compiles its expressions.
func validateRule(c *problems, s *Standard, r *Rule, rp string, itemPoints Points, claim claimFunc) {
	requireID(c, r.Pos, "id", rp, r.ID)
	claim(r.ID, r.At("id"), rp)
	requireText(c, r.Pos, "text", rp, r.Text)
	checkDeduct(c, r.Pos, rp, r.Deduct, itemPoints)
	if r.Cap != nil && *r.Cap < r.Deduct {
		c.add(r.At("cap"), rp+".cap", "cap %s is below one deduction of %s", *r.Cap, r.Deduct)
	}
	n := 0
	for _, e := range []string{r.Each, r.Count, r.When} {
		if e != "" {
			n++
		}
	}
	if n != 1 {
		c.add(r.Line, rp, "a rule has exactly one of each, count or when")
		return
	}
	switch {
	case r.Each != "":
		r.prog = compileField(c, s, r.Pos, rp, "each", r.Each, kindList)
	case r.Count != "":
		r.prog = compileField(c, s, r.Pos, rp, "count", r.Count, kindInt)
	default:
		r.prog = compileField(c, s, r.Pos, rp, "when", r.When, kindBool)
	}
	if r.Evidence != "" {
		r.ev = compileField(c, s, r.Pos, rp, "evidence", r.Evidence, kindList)
	}
	r.outageKinds = checkOutages(c, s, r.Pos, rp, r.Outages, r.prog, r.ev)
}

// validateVeto checks a veto and compiles its expressions.
func validateVeto(c *problems, s *Standard, v *Veto, vp string, claim claimFunc) {
	requireID(c, v.Pos, "id", vp, v.ID)
	claim(v.ID, v.At("id"), vp)
	requireText(c, v.Pos, "text", vp, v.Text)
	if v.When == "" && !v.Mark {
		c.add(v.Line, vp, "a veto needs a condition (when) or mark: true, or both")
	}
	if v.When != "" {
		v.prog = compileField(c, s, v.Pos, vp, "when", v.When, kindBool)
	}
	if v.Evidence != "" {
		v.ev = compileField(c, s, v.Pos, vp, "evidence", v.Evidence, kindList)
	}
	if v.When == "" && v.Outages != "" {
		c.add(v.At("outages"), vp+".outages", "a veto examiners record (mark: true) has no condition to time: leave outages out")
	}
	v.outageKinds = checkOutages(c, s, v.Pos, vp, v.Outages, v.prog, v.ev)
}

// checkOutages accepts a rule's or veto's outages field, absent or
// exclude, and returns the device kinds whose outages it leaves out. A
// rule that reads no device's events has no outage to leave out: the
// option there is a mistake (an examiner's timer or phase goes on while
// the equipment is unplugged).
func checkOutages(c *problems, s *Standard, pos Pos, path, v string, progs ...*program) []string {
	switch v {
	case "":
		return nil
	case OutagesExclude:
	default:
		c.add(pos.At("outages"), path+".outages", "%q: want exclude (the rule's clock stops while a device is lost) or leave it out", v)
		return nil
	}
	if progs[0] == nil {
		return nil // no condition, or one that did not compile: reported already
	}
	kinds := s.env.outageKinds(progs...)
	if len(kinds) == 0 {
		c.add(pos.At("outages"), path+".outages", "exclude, but the expressions read no device's events: there is no device outage to leave out")
	}
	return kinds
}

func checkDeduct(c *problems, pos Pos, path string, d, itemPoints Points) {
	switch {
	case d <= 0:
		c.add(pos.At("deduct"), path+".deduct", "missing or zero: how many points it deducts")
	case itemPoints > 0 && d > itemPoints:
		c.add(pos.At("deduct"), path+".deduct", "deducts %s, more than the item's %s points", d, itemPoints)
	}
}

func compileField(c *problems, s *Standard, pos Pos, path, field, src, kind string) *program {
	fp := join(path, field)
	if err := s.env.prepare(src); err != nil {
		c.add(pos.At(field), fp, "%v", err)
		return nil
	}
	p, err := s.env.compile(src, kind)
	if err != nil {
		c.add(pos.At(field), fp, "%v", err)
		return nil
	}
	return p
}

// numericField reports whether et has an int or float field named name.
func numericField(et *EventType, name string) bool {
	for _, f := range et.Fields {
		if f.Name == name {
			return f.Type == FieldInt || f.Type == FieldFloat
		}
	}
	return false
}
