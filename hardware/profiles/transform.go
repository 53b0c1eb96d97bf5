package profiles

import (
	"errors"
	"fmt"
	"maps"
	"math"
	"slices"
	"time"

	"github.com/expr-lang/expr"
)

// Transform derives events from the stream of records: exactly one of
// Compressions, Counter or Rate, the event it gives, and that event's
// fields, each an output of the transform, a const, an expr over the
// outputs, or unmeasured.
type Transform struct {
	Compressions *CompressionDetector `yaml:"compressions"`
	Counter      *Counter             `yaml:"counter"`
	Rate         *RateWindow          `yaml:"rate"`
	Event        string               `yaml:"event"`
	Fields       map[string]*Field    `yaml:"fields"`
}

// CompressionDetector finds chest compressions in raw depth samples, as a
// manikin that streams samples leaves to its host: a compression starts
// when a sample exceeds Baseline by Threshold, and is reported when the
// chest comes back within RecoilBand of Baseline (recoil true), or, if it
// goes down again by Threshold from a trough outside the band, at that
// moment without recoil. Outputs: depth (the peak's excursion × Scale),
// recoil (bool), peak (the raw peak).
type CompressionDetector struct {
	Record string `yaml:"record"` // the record carrying the samples
	Value  string `yaml:"value"`  // the raw value or field of the sample
	// Baseline is the raw value at rest; if absent, the first sample is.
	Baseline   *float64 `yaml:"baseline"`
	Threshold  float64  `yaml:"threshold"`
	RecoilBand float64  `yaml:"recoil_band"`
	Scale      float64  `yaml:"scale"` // depth per raw unit; 0 means 1
}

// Counter turns a counter the device bumps on each occurrence into one
// event per step (two equal breaths are two events). The first value only
// sets the count. Modulo, if set, is where the counter wraps; a counter
// that goes back without one was reset and gives nothing. Outputs: count
// (the counter's value).
type Counter struct {
	Record string `yaml:"record"`
	Value  string `yaml:"value"`
	Modulo int64  `yaml:"modulo"`
}

// RateWindow gives, on every record of Record, how many of them arrived
// in the last WindowMS. Outputs: count, per_min.
type RateWindow struct {
	Record   string `yaml:"record"`
	WindowMS int    `yaml:"window_ms"`
}

// maxSteps bounds the events one counter jump gives: a garbled counter
// must not flood the log.
const maxSteps = 100

func (t *Transform) kind() (string, string, map[string]any, error) {
	n := 0
	var kind, record string
	var outputs map[string]any
	if t.Compressions != nil {
		n++
		kind, record, outputs = "compressions", t.Compressions.Record, map[string]any{"depth": 0.0, "recoil": false, "peak": 0.0}
	}
	if t.Counter != nil {
		n++
		kind, record, outputs = "counter", t.Counter.Record, map[string]any{"count": 0}
	}
	if t.Rate != nil {
		n++
		kind, record, outputs = "rate", t.Rate.Record, map[string]any{"count": 0, "per_min": 0.0}
	}
	if n != 1 {
		return "", "", nil, errors.New("a transform is exactly one of compressions, counter or rate")
	}
	return kind, record, outputs, nil
}

func (t *Transform) validate(records map[string]*Record, readsPrev *bool) error {
	kind, record, outputs, err := t.kind()
	if err != nil {
		return err
	}
	r, ok := records[record]
	if !ok {
		return at(fmt.Errorf("record %q: no record has that name", record), kind, "record")
	}
	numeric := func(name string) error {
		f := r.Raw[name]
		if f == nil {
			f = r.Fields[name]
		}
		if f == nil || f.Type != "int" && f.Type != "float" {
			return at(fmt.Errorf("value %q: not a number of record %s (raw or fields)", name, record), kind, "value")
		}
		return nil
	}
	switch kind {
	case "compressions":
		c := t.Compressions
		if err := numeric(c.Value); err != nil {
			return err
		}
		if c.Threshold <= 0 || c.RecoilBand < 0 || c.RecoilBand >= c.Threshold || c.Scale < 0 {
			return at(errors.New("threshold above 0, recoil_band from 0 to below the threshold, scale not negative"), kind)
		}
	case "counter":
		if err := numeric(t.Counter.Value); err != nil {
			return err
		}
		if t.Counter.Modulo < 0 {
			return at(errors.New("modulo: not negative"), kind, "modulo")
		}
	case "rate":
		if t.Rate.WindowMS < 100 {
			return at(errors.New("window_ms: at least 100"), kind, "window_ms")
		}
	}
	if err := validEvent(t.Event, t.Fields); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(t.Fields)) {
		f := t.Fields[name]
		if err := f.validateSource(name, "output", nil); err != nil {
			return at(err, "fields", name)
		}
		if f.Output != "" {
			if _, ok := outputs[f.Output]; !ok {
				return at(fmt.Errorf("output %q: %s gives %v", f.Output, kind, slices.Sorted(maps.Keys(outputs))), "fields", name, "output")
			}
		}
	}
	return at(compileExprs(t.Fields, outputs, readsPrev), "fields")
}

// transformState is a transform running over a stream.
type transformState struct {
	t      *Transform
	record string

	// compressions
	base         float64
	based        bool
	pressing     bool
	peak, trough float64
	// counter
	last float64
	seen bool
	// rate
	times []time.Duration
}

func newTransformState(t *Transform) *transformState {
	_, record, _, _ := t.kind()
	st := &transformState{t: t, record: record}
	if c := t.Compressions; c != nil && c.Baseline != nil {
		st.base, st.based = *c.Baseline, true
	}
	return st
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case float64:
		return n, true
	}
	return 0, false
}

// feed gives the transform one record's values and returns the outputs
// of the events it gives.
func (st *transformState) feed(vals map[string]any, at time.Duration) []map[string]any {
	switch {
	case st.t.Compressions != nil:
		c := st.t.Compressions
		v, ok := number(vals[c.Value])
		if !ok {
			return nil
		}
		if !st.based {
			st.base, st.based = v, true
		}
		scale := c.Scale
		if scale == 0 {
			scale = 1
		}
		out := func(recoil bool) map[string]any {
			return map[string]any{"depth": (st.peak - st.base) * scale, "recoil": recoil, "peak": st.peak}
		}
		if !st.pressing {
			if v-st.base >= c.Threshold {
				st.pressing, st.peak, st.trough = true, v, v
			}
			return nil
		}
		switch {
		case v-st.base <= c.RecoilBand:
			st.pressing = false
			return []map[string]any{out(true)}
		case st.peak-st.trough >= c.Threshold && v-st.trough >= c.Threshold:
			// Down by the threshold and pressed again without recoil.
			o := out(false)
			st.peak, st.trough = v, v
			return []map[string]any{o}
		case v > st.peak && st.peak-st.trough < c.Threshold:
			st.peak, st.trough = v, v
		case v < st.trough:
			st.trough = v
		}
		return nil
	case st.t.Counter != nil:
		c := st.t.Counter
		v, ok := number(vals[c.Value])
		if !ok {
			return nil
		}
		prev, seen := st.last, st.seen
		st.last, st.seen = v, true
		if !seen {
			return nil
		}
		d := v - prev
		if c.Modulo > 0 {
			d = math.Mod(math.Mod(d, float64(c.Modulo))+float64(c.Modulo), float64(c.Modulo))
		}
		if d <= 0 {
			return nil
		}
		n := min(int(d), maxSteps)
		outs := make([]map[string]any, n)
		for i := range outs {
			outs[i] = map[string]any{"count": int(v) - n + 1 + i}
		}
		return outs
	default:
		w := time.Duration(st.t.Rate.WindowMS) * time.Millisecond
		st.times = append(st.times, at)
		i := 0
		for i < len(st.times) && st.times[i] <= at-w {
			i++
		}
		st.times = st.times[i:]
		n := len(st.times)
		return []map[string]any{{"count": n, "per_min": float64(n) * float64(time.Minute) / float64(w)}}
	}
}

// fields makes the event's fields from a transform's outputs.
func (t *Transform) fields(outputs map[string]any) (map[string]any, error) {
	f := make(map[string]any, len(t.Fields))
	for name, fd := range t.Fields {
		var v any
		switch {
		case fd.Unmeasured:
			continue
		case fd.Const != nil:
			v = fd.Const
		case fd.Output != "":
			v = outputs[fd.Output]
		default:
			out, err := expr.Run(fd.prog, outputs)
			if err != nil {
				return nil, fmt.Errorf("%s: %v: %w", name, err, ErrBadValue)
			}
			v = out
		}
		c, err := convert(v, fd.Type)
		if err != nil {
			return nil, fmt.Errorf("%s = %v: not a %s: %w", name, v, fd.Type, err)
		}
		f[name] = c
	}
	return f, nil
}
