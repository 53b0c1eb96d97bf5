package standards

import (
	"math"
	"reflect"
	"slices"
	"sort"
)

// Device outages. The station records device.lost when a device's link
// fails mid-item and device.back when it returns; the item goes on. A
// device's own time stands still while it is lost (its readings resume
// where they left off, anchored afresh to the item's clock at device.back),
// so the log's clock runs on through the outage and every interval that
// spans it is longer by the outage than what the candidate did: 30
// compressions at a perfect pace, with the manikin unplugged for 3 s
// between two of them, are timed at 19.5 s in the log. A rule or veto with
// `outages: exclude` is evaluated on a clock that stops while a device the
// standard uses is lost (docs/standard-format.md, "Device outages").

// Outage types: system events written by the station.
const (
	TypeDeviceLost = "device.lost"
	TypeDeviceBack = "device.back"
)

// Outage values of a rule's or veto's outages field.
const (
	OutagesExclude = "exclude" // the rule's clock stops while a device is lost
)

// Outage is a device lost mid-item: from its device.lost to the next
// device.back of the same kind. BackSeq is 0 while the device has not come
// back.
type Outage struct {
	Kind    string
	LostSeq int64
	Lost    int64 // t_ms of device.lost
	BackSeq int64
	Back    int64 // t_ms of device.back, when BackSeq > 0
}

// isOutageType reports whether typ is device.lost or device.back, without
// allocating.
func isOutageType(typ []byte) bool {
	return string(typ) == TypeDeviceLost || string(typ) == TypeDeviceBack
}

// addOutage records a device.lost or device.back. A device lost twice
// without coming back stays lost from the first; a device.back with no
// outage open for its kind changes nothing.
func (l *Log) addOutage(seq, tms int64, typ, data []byte) error {
	vocab := l.ce.vocab
	if vocab == nil {
		return nil
	}
	et := vocab.Types[string(typ)]
	if et == nil {
		return nil // a vocabulary without outage events
	}
	if l.intern == nil {
		l.intern = map[string]string{}
	}
	rec := reflect.New(et.record).Elem()
	if err := decodeRecord(rec, et, data, l.intern); err != nil {
		return err
	}
	kind := ""
	if idx, t, ok := recordField(et, "kind"); ok && t == FieldString {
		kind = rec.Field(idx).String()
	}
	open := -1
	for i := len(l.outages) - 1; i >= 0; i-- {
		if o := &l.outages[i]; o.Kind == kind && o.BackSeq == 0 {
			open = i
			break
		}
	}
	switch string(typ) {
	case TypeDeviceLost:
		if open < 0 {
			l.outages = append(l.outages, Outage{Kind: kind, LostSeq: seq, Lost: tms})
		}
	case TypeDeviceBack:
		if open >= 0 {
			l.outages[open].BackSeq, l.outages[open].Back = seq, tms
		}
	}
	return nil
}

// Outages returns the outages recorded so far, in the order the devices
// were lost.
func (l *Log) Outages() []Outage { return slices.Clone(l.outages) }

// outageSpan is a span of the log's clock during which a device of the
// standard was lost; end is MaxInt64 while it has not come back.
type outageSpan struct{ start, end int64 }

// windows returns the outages of the standard's devices as disjoint spans
// in time order (two devices lost at once stop the clock once).
func (l *Log) windows() []outageSpan {
	var out []outageSpan
	for _, o := range l.outages {
		if !slices.Contains(l.devices, o.Kind) {
			continue
		}
		w := outageSpan{o.Lost, math.MaxInt64}
		if o.BackSeq > 0 {
			w.end = o.Back
		}
		if n := len(out); n > 0 && w.start <= out[n-1].end {
			out[n-1].end = max(out[n-1].end, w.end)
			continue
		}
		out = append(out, w)
	}
	return out
}

// StopsClock reports whether a device the standard uses was lost: only
// then does a rule with `outages: exclude` see another clock.
func (l *Log) StopsClock() bool { return len(l.windows()) > 0 }

// stopped maps a time of the log's clock to the clock that stops during
// the windows: t less the outage time before it. An event inside a window
// is at the window's start.
func stopped(ws []outageSpan, t int64) int64 {
	var down int64
	for _, w := range ws {
		if t <= w.start {
			break
		}
		down += min(t, w.end) - w.start
	}
	return t - down
}

// EnvWithoutOutages returns the environment of a rule or veto with
// `outages: exclude`: the log on a clock that stops while a device the
// standard uses is lost. Every event's t_ms, elapsed, and the cycles built
// from them (t_ms, end_ms, duration_ms, a_ms) are less the outage time
// before them, so an interval that spans an outage is measured without
// it. With no outage it is Env's environment.
func (l *Log) EnvWithoutOutages(elapsed, limit int64) map[string]any {
	ws := l.windows()
	if len(ws) == 0 {
		return l.Env(elapsed, limit)
	}
	lists := make([]reflect.Value, len(l.lists))
	for i, sp := range l.lists {
		src := sp.Elem()
		n := src.Len()
		recs := reflect.MakeSlice(reflect.SliceOf(src.Type().Elem().Elem()), n, n)
		ptrs := reflect.New(src.Type())
		ptrs.Elem().Set(reflect.MakeSlice(src.Type(), n, n))
		for j := range n {
			r := recs.Index(j)
			r.Set(src.Index(j).Elem())
			r.Field(1).SetInt(stopped(ws, r.Field(1).Int()))
			ptrs.Elem().Index(j).Set(r.Addr())
		}
		lists[i] = ptrs
	}
	return l.env(lists, stopped(ws, elapsed), limit)
}

// TimesOf returns the t_ms, on the log's own clock, of events the
// standard's expressions selected, by seq: a rule evaluated without
// outages shows its evidence at the times the station recorded. A seq
// that is not a selected event gives -1.
func (l *Log) TimesOf(seqs []int64) []int64 {
	if seqs == nil {
		return nil
	}
	rec := func(k int) reflect.Value {
		o := l.order[k]
		return l.lists[o.slot].Elem().Index(int(o.idx)).Elem()
	}
	out := make([]int64, len(seqs))
	for i, seq := range seqs {
		k := sort.Search(len(l.order), func(k int) bool { return rec(k).Field(0).Int() >= seq })
		out[i] = -1
		if k < len(l.order) && rec(k).Field(0).Int() == seq {
			out[i] = rec(k).Field(1).Int()
		}
	}
	return out
}

// ExcludesOutages reports whether the rule is evaluated without outages.
func (r *Rule) ExcludesOutages() bool { return r.Outages == OutagesExclude }

// ExcludesOutages reports whether the veto is evaluated without outages.
func (v *Veto) ExcludesOutages() bool { return v.Outages == OutagesExclude }
