package standards

import (
	"math"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strconv"

	"github.com/expr-lang/expr/ast"
)

var cycleIdent = regexp.MustCompile(`^_c(\d+)$`)

// Device outages. The station records device.lost when a device's link
// fails mid-item and device.back when it returns; the item goes on. A
// device's own time stands still while it is lost (its readings resume
// where they left off, anchored afresh to the item's clock at device.back),
// so the log's clock runs on through the outage and every interval that
// spans it is longer by the outage than what the candidate did: 30
// compressions at a perfect pace, with the manikin unplugged for 3 s
// between two of them, are timed at 19.5 s in the log. A rule or veto with
// `outages: exclude` is evaluated on a clock that stops while a device
// whose events it reads is lost (docs/standard-format.md, "Device
// outages").

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
// device.back of the same kind, or to the device's next reading if that
// comes first (a station restarted while the device was lost records no
// device.back: the driver of the new process reports the device as
// connected, not as back). BackSeq is 0 while the device has not come
// back.
type Outage struct {
	Kind    string
	LostSeq int64
	Lost    int64 // t_ms of device.lost
	BackSeq int64 // device.back, or the device's first reading after device.lost
	Back    int64 // its t_ms, when BackSeq > 0
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
	switch string(typ) {
	case TypeDeviceLost:
		if l.open(kind) < 0 {
			l.outages = append(l.outages, Outage{Kind: kind, LostSeq: seq, Lost: tms})
			l.lost++
		}
	case TypeDeviceBack:
		l.back(kind, seq, tms)
	}
	return nil
}

// reading ends the outage of the device that emitted an event of typ:
// a reading proves it is back.
func (l *Log) reading(seq, tms int64, typ []byte) {
	if et := l.ce.vocab.Types[string(typ)]; et != nil && et.Device != "" {
		l.back(et.Device, seq, tms)
	}
}

// back ends kind's outage, if one is open.
func (l *Log) back(kind string, seq, tms int64) {
	if i := l.open(kind); i >= 0 {
		l.outages[i].BackSeq, l.outages[i].Back = seq, tms
		l.lost--
	}
}

// open returns the index of kind's outage not over, or -1.
func (l *Log) open(kind string) int {
	for i := len(l.outages) - 1; i >= 0; i-- {
		if o := &l.outages[i]; o.Kind == kind && o.BackSeq == 0 {
			return i
		}
	}
	return -1
}

// Outages returns the outages recorded so far, in the order the devices
// were lost.
func (l *Log) Outages() []Outage { return slices.Clone(l.outages) }

// outageSpan is a span of the log's clock during which a device of the
// standard was lost; end is MaxInt64 while it has not come back.
type outageSpan struct{ start, end int64 }

// windows returns the outages of the devices of kinds as disjoint spans
// in time order (two devices lost at once stop the clock once).
func (l *Log) windows(kinds []string) []outageSpan {
	var out []outageSpan
	for _, o := range l.outages {
		if !slices.Contains(kinds, o.Kind) {
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

// StopsClock reports whether a device of kinds was lost: only then does
// a rule with `outages: exclude` over those devices see another clock.
func (l *Log) StopsClock(kinds []string) bool { return len(l.windows(kinds)) > 0 }

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
// `outages: exclude`: the log on a clock that stops while a device of
// kinds (its OutageKinds) is lost. Every event's t_ms, elapsed, and the
// cycles built from them (t_ms, end_ms, duration_ms, a_ms) are less the
// outage time before them, so an interval that spans an outage is
// measured without it. With no such outage it is Env's environment.
func (l *Log) EnvWithoutOutages(elapsed, limit int64, kinds []string) map[string]any {
	ws := l.windows(kinds)
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

// OutageKinds returns the device kinds whose outages a rule with
// `outages: exclude` leaves out: the devices whose events its expressions
// read (a rule over the manikin's compressions does not stop for the
// floor mat). It is nil for a rule without the option.
func (r *Rule) OutageKinds() []string { return r.outageKinds }

// OutageKinds is Rule.OutageKinds for a veto's condition.
func (v *Veto) OutageKinds() []string { return v.outageKinds }

// outageKinds returns, for a rule or veto with `outages: exclude`, the
// device kinds of the events its compiled programs select, sorted.
func (ce *compiledEnv) outageKinds(progs ...*program) []string {
	var kinds []string
	add := func(slot int) {
		if d := ce.types[slot].Device; d != "" && !slices.Contains(kinds, d) {
			kinds = append(kinds, d)
		}
	}
	for _, p := range progs {
		if p == nil {
			continue
		}
		ast.Find(p.prog.Node(), func(n ast.Node) bool {
			id, ok := n.(*ast.IdentifierNode)
			if !ok {
				return false
			}
			if m := slotIdent.FindStringSubmatch(id.Value); m != nil {
				if i, err := strconv.Atoi(m[1]); err == nil && i < len(ce.types) {
					add(i)
				}
			}
			if m := cycleIdent.FindStringSubmatch(id.Value); m != nil {
				if i, err := strconv.Atoi(m[1]); err == nil && i < len(ce.cycles) {
					add(ce.cycles[i].a)
					add(ce.cycles[i].b)
				}
			}
			return false
		})
	}
	slices.Sort(kinds)
	return kinds
}
