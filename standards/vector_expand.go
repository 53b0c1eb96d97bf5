package standards

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"
)

func validateVector(c *problems, s *Standard, v *Vector, path string, ids map[string]string, names map[string]bool) {
	if v.Name == "" {
		c.add(v.At("name"), path+".name", "missing")
	} else if names[v.Name] {
		c.add(v.At("name"), path+".name", "vector %q given twice", v.Name)
	}
	names[v.Name] = true
	budget := maxSteps * 100
	validateSteps(c, s, v.Events, path+".events", &budget)
	if budget < 0 {
		c.add(v.At("events"), path+".events", "expands to more than %d events", maxSteps*100)
	}
	w := &v.Want
	for _, id := range slices.Sorted(maps.Keys(w.Items)) {
		if s.Item(id) == nil {
			c.add(w.At("items"), path+".want.items."+id, "no item %q in this standard", id)
		}
	}
	for _, id := range slices.Sorted(maps.Keys(w.Deductions)) {
		if _, ok := ids[id]; !ok || s.Item(id) != nil || s.VetoByID(id) != nil {
			c.add(w.At("deductions"), path+".want.deductions."+id, "no rule or mark %q in this standard", id)
		}
	}
	if w.Veto != nil && *w.Veto != "" && s.VetoByID(*w.Veto) == nil {
		c.add(w.At("veto"), path+".want.veto", "no veto %q in this standard", *w.Veto)
	}
	if w.Score == nil && w.Passed == nil && w.Veto == nil && len(w.Items) == 0 && len(w.Deductions) == 0 && w.NeedsReview == nil && w.Overtime == nil {
		c.add(v.At("want"), path+".want", "missing: a vector must expect something")
	}
}

func validateSteps(c *problems, s *Standard, steps []Step, path string, budget *int) {
	for i := range steps {
		st := &steps[i]
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case st.Repeat > 0 || len(st.Do) > 0:
			if st.Type != "" || st.Data != nil {
				c.add(st.Line, p, "a step either repeats (repeat, do) or emits events (type, data)")
			}
			if st.Repeat < 1 || st.Repeat > 10000 {
				c.add(st.At("repeat"), p+".repeat", "want 1 to 10000")
			}
			// The budget counts down; a repeat multiplies what its steps
			// used, saturating so that nested repeats cannot overflow.
			before := *budget
			validateSteps(c, s, st.Do, p+".do", budget)
			used := before - *budget
			reps := max(st.Repeat, 1)
			if used > 0 && (used > maxSteps*100 || reps > (maxSteps*100)/used) {
				*budget = -1
			} else {
				*budget = before - used*reps
			}
			if *budget < 0 {
				*budget = -1 << 30
			}
		case st.Type != "":
			et, ok := s.env.vocab.Types[st.Type]
			if !ok {
				c.add(st.At("type"), p+".type", "unknown event type %q%s", st.Type, suggestType(st.Type, s.env.vocab))
				continue
			}
			for _, name := range slices.Sorted(maps.Keys(st.Data)) {
				val := st.Data[name]
				f, ok := et.Field(name)
				if !ok {
					c.add(st.At("data"), p+".data."+name, "unknown field of %s", st.Type)
					continue
				}
				if !valueFits(val, f.Type) {
					c.add(st.At("data"), p+".data."+name, "want %s, got %s", f.Type, clip(fmt.Sprint(val)))
				}
			}
			for _, f := range et.Fields {
				if _, ok := st.Data[f.Name]; !ok && et.Device != "" {
					c.add(st.At("data"), p+".data", "missing field %s of %s", f.Name, st.Type)
				}
			}
			if st.Times < 0 {
				c.add(st.At("times"), p+".times", "negative")
			}
			*budget -= max(st.Times, 1)
		case st.Wait > 0 || st.Clock != nil:
		default:
			c.add(st.Line, p, "an empty step: give type, wait or repeat")
		}
	}
}

func valueFits(v any, t FieldType) bool {
	switch t {
	case FieldInt:
		_, ok := v.(int)
		return ok
	case FieldFloat:
		switch v.(type) {
		case int, float64:
			return true
		}
	case FieldBool:
		_, ok := v.(bool)
		return ok
	case FieldString:
		_, ok := v.(string)
		return ok
	case FieldStrings:
		l, ok := v.([]any)
		if !ok {
			return false
		}
		for _, e := range l {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// Expand turns a vector's script into the event log it describes: a
// session.start at 0 naming the standard and its examiners, the steps, and
// a session.end at the final clock unless the script ends the session itself.
func (s *Standard) Expand(v *Vector) []Event {
	x := expander{s: s}
	examiners := make([]string, s.Examiners)
	for i := range examiners {
		examiners[i] = strconv.Itoa(i + 1)
	}
	x.emit(TypeSessionStart, "system", map[string]any{"item": s.ID, "version": s.Version, "examiners": examiners})
	x.steps(v.Events)
	if !x.ended {
		x.emit(TypeSessionEnd, "system", map[string]any{"reason": "finished"})
	}
	return x.out
}

type expander struct {
	s     *Standard
	clock time.Duration
	out   []Event
	ended bool
}

func (x *expander) emit(typ, source string, data map[string]any) {
	b, err := json.Marshal(data)
	if err != nil {
		b = []byte("{}")
	}
	x.out = append(x.out, Event{Seq: int64(len(x.out) + 1), TMs: x.clock.Milliseconds(), Type: typ, Source: source, Data: b})
	if typ == TypeSessionEnd {
		x.ended = true
	}
}

func (x *expander) steps(steps []Step) {
	for i := range steps {
		st := &steps[i]
		if st.Clock != nil && time.Duration(*st.Clock) > x.clock {
			x.clock = time.Duration(*st.Clock)
		}
		x.clock += time.Duration(st.Wait)
		if st.Repeat > 0 {
			for range st.Repeat {
				x.steps(st.Do)
			}
			continue
		}
		if st.Type == "" {
			continue
		}
		for range max(st.Times, 1) {
			for _, src := range x.sources(st) {
				x.emit(st.Type, src, st.Data)
			}
			x.clock += time.Duration(st.Every)
		}
	}
}

// sources returns who emits a step's event: a device for device events,
// every examiner for marks and vetoes unless the step names one.
func (x *expander) sources(st *Step) []string {
	if st.Source != "" {
		return []string{st.Source}
	}
	et := x.s.env.vocab.Types[st.Type]
	switch {
	case et != nil && et.Device != "":
		return []string{"device:" + et.Device}
	case st.Type == TypeMark || st.Type == TypeVeto || st.Type == TypeMarkUndo:
		out := make([]string, x.s.Examiners)
		for i := range out {
			out[i] = "examiner:" + strconv.Itoa(i+1)
		}
		return out
	case strings.HasPrefix(st.Type, "candidate."):
		return []string{"candidate"}
	}
	return []string{"system"}
}
