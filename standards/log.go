package standards

import "reflect"

// Log is one session's events as the expressions see them: per event type a
// typed list. It grows as events arrive (live scoring appends, it does not
// rebuild).
//
// The lists hold pointers to records: expr boxes each element it iterates
// over, and boxing a pointer is free where boxing a struct copies it. The
// records themselves are allocated in slabs.
type Log struct {
	ce     *compiledEnv
	lists  []reflect.Value // per slot: *[]*record
	slabs  []slab          // per slot: records not yet handed out
	order  []slotSeq       // the slotted events in log order, for cycles
	intern map[string]string

	outages []Outage // device.lost to device.back (outage.go)
	lost    int      // outages not over
}

type slotSeq struct{ slot, idx int32 }

// NewLog returns an empty log for the standard's expressions.
func (s *Standard) NewLog() *Log {
	l := &Log{ce: s.env}
	for _, et := range s.env.types {
		l.lists = append(l.lists, reflect.New(reflect.SliceOf(reflect.PointerTo(et.record))))
		l.slabs = append(l.slabs, slab{})
	}
	return l
}

// Add records an event if the standard's expressions select its type, and
// reports whether it did. The data must be a JSON object with exactly the
// fields of the vocabulary: an unknown, missing or mistyped field is an
// error naming it. device.lost and device.back are kept as outages
// (Outages) whether or not an expression selects them.
func (l *Log) Add(seq, tms int64, typ string, data []byte) (bool, error) {
	return l.AddBytes(seq, tms, []byte(typ), data)
}

// AddBytes is Add with the type as bytes (no allocation on the hot path).
func (l *Log) AddBytes(seq, tms int64, typ, data []byte) (bool, error) {
	switch {
	case isOutageType(typ):
		if err := l.addOutage(seq, tms, typ, data); err != nil {
			return false, err
		}
	case l.lost > 0:
		l.reading(seq, tms, typ)
	}
	slot, ok := l.ce.slots[string(typ)]
	if !ok {
		return false, nil
	}
	return true, l.add(slot, seq, tms, data)
}

func (l *Log) add(slot int, seq, tms int64, data []byte) error {
	if l.intern == nil {
		l.intern = map[string]string{}
	}
	et := l.ce.types[slot]
	sl := &l.slabs[slot]
	if !sl.recs.IsValid() || sl.next >= sl.recs.Len() {
		size := 64
		if sl.recs.IsValid() {
			size = min(sl.recs.Len()*2, 4096)
		}
		sl.recs, sl.next = reflect.MakeSlice(reflect.SliceOf(et.record), size, size), 0
	}
	rec := sl.recs.Index(sl.next)
	if err := decodeRecord(rec, et, data, l.intern); err != nil {
		rec.Set(reflect.Zero(rec.Type()))
		return err
	}
	sl.next++
	rec.Field(0).SetInt(seq)
	rec.Field(1).SetInt(tms)
	// Grow by hand: reflect.Append allocates a slice header on every call.
	s := l.lists[slot].Elem()
	n := s.Len()
	if n == s.Cap() {
		grown := reflect.MakeSlice(s.Type(), n, max(2*n, 64))
		reflect.Copy(grown, s)
		s.Set(grown)
	}
	s.SetLen(n + 1)
	s.Index(n).Set(rec.Addr())
	l.order = append(l.order, slotSeq{int32(slot), int32(n)})
	return nil
}

// slab is a block of records allocated at once.
type slab struct {
	recs reflect.Value // []record
	next int
}

// Env returns the expression environment over the log so far. elapsed and
// limit are milliseconds.
func (l *Log) Env(elapsed, limit int64) map[string]any {
	return l.env(l.lists, elapsed, limit)
}

// env is the environment over lists (per slot: *[]*record), the log's own
// or its records on another clock (EnvWithoutOutages).
func (l *Log) env(lists []reflect.Value, elapsed, limit int64) map[string]any {
	env := make(map[string]any, 2+len(lists)+len(l.ce.cycles))
	env["elapsed"] = int(elapsed)
	env["limit"] = int(limit)
	for i, sp := range lists {
		env[slotName(i)] = sp.Elem().Interface()
	}
	for i, c := range l.ce.cycles {
		env[cycleName(i)] = l.buildCycles(c, lists)
	}
	return env
}

// buildCycles segments the A and B events into cycles: a run of A events
// followed by a run of B events (30 compressions, then 2 breaths). A run of
// A with no B after it is not a complete cycle and is not listed.
func (l *Log) buildCycles(c cyclePair, lists []reflect.Value) any {
	as, bs := lists[c.a].Elem(), lists[c.b].Elem()
	out := reflect.MakeSlice(reflect.SliceOf(c.typ), 0, 8)
	aStart, aEnd, bStart, bEnd := -1, -1, -1, -1
	flush := func() {
		if aStart < 0 || bStart < 0 {
			return
		}
		cy := reflect.New(c.typ).Elem()
		first, lastA := as.Index(aStart).Elem(), as.Index(aEnd).Elem()
		lastB := bs.Index(bEnd).Elem()
		t0, tA, tEnd := first.Field(1).Int(), lastA.Field(1).Int(), lastB.Field(1).Int()
		cy.Field(0).SetInt(first.Field(0).Int())
		cy.Field(1).SetInt(t0)
		cy.Field(2).SetInt(lastB.Field(0).Int())
		cy.Field(3).SetInt(tEnd)
		cy.Field(4).SetInt(tEnd - t0)
		// a_ms is the time the run of A takes at its own mean pace: n
		// intervals, not n-1, so 30 compressions at 100–120/min give
		// 15–18 s exactly as the published sheets state it.
		if n := int64(aEnd - aStart + 1); n > 1 {
			cy.Field(5).SetInt((tA - t0) * n / (n - 1))
		}
		cy.Field(6).Set(as.Slice(aStart, aEnd+1))
		cy.Field(7).Set(bs.Slice(bStart, bEnd+1))
		out = reflect.Append(out, cy)
		aStart, aEnd, bStart, bEnd = -1, -1, -1, -1
	}
	for _, o := range l.order {
		switch int(o.slot) {
		case c.a:
			if bStart >= 0 {
				flush()
			}
			if aStart < 0 {
				aStart = int(o.idx)
			}
			aEnd = int(o.idx)
		case c.b:
			if aStart < 0 {
				continue // breaths before any compression belong to no cycle
			}
			if bStart < 0 {
				bStart = int(o.idx)
			}
			bEnd = int(o.idx)
		}
	}
	flush()
	return out.Interface()
}
