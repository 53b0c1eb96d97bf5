package profiles

import (
	"errors"
	"fmt"
	"time"

	"github.com/expr-lang/expr/vm"

	"shicao/hardware/framing"
)

// Event is an event decoded from the wire by a profile.
type Event struct {
	Type   string
	Fields map[string]any // vocabulary fields; unmeasured ones absent
	// At is the device's clock when DeviceClock (the record carried it),
	// otherwise the time of the bytes that completed the record as given
	// to Write.
	At          time.Duration
	DeviceClock bool
}

// StreamStats counts what a Stream saw: bytes in, records accepted, and
// records refused by reason. Every byte written is in an accepted
// record, counted in Dropped, or still pending.
type StreamStats struct {
	Bytes    int64 // written
	Records  int64 // accepted: mapped to an event or fed to a transform
	Checksum int64 // refused: the checksum did not match
	Format   int64 // refused: not a record of the framing (too long, cut short, not text, no checksum where one belongs)
	Unknown  int64 // refused: a well-formed record the profile does not map
	Invalid  int64 // refused: a value that does not convert (a bad enum code, a length wrong for the type, undefined bits set)
	Dropped  int64 // bytes outside accepted records
}

// Refused returns the records refused, whatever the reason.
func (s StreamStats) Refused() int64 { return s.Checksum + s.Format + s.Unknown + s.Invalid }

// parser is what package framing's parsers offer.
type parser interface {
	Write([]byte) (int, error)
	Next() ([]byte, bool)
	Stats() framing.Stats
	Flush()
	Last() int
}

// Stream decodes a streaming device (framing lines or binary) with its
// profile: bytes in, events out, transforms applied. It is a pure codec;
// the driver gives it what the port reads. Not safe for concurrent use.
type Stream struct {
	p      *Profile
	parser parser
	frames *framing.Frames // parser, for binary models
	prev   map[string]map[string]any
	ts     []*transformState
	out    []Event // events decoded, not yet returned from next on
	next   int
	at     time.Duration

	keepPrev bool  // some expression reads prev
	vm       vm.VM // reused by every expression: no allocation per run

	bytes, unknown, invalid, refusedBytes int64
}

// ErrNotStreaming is returned by NewStream for a Modbus profile: its
// device answers polls rather than streaming.
var ErrNotStreaming = errors.New("not a streaming device")

// NewStream returns a decoder for p. It returns ErrNotStreaming for a
// modbus-rtu profile.
func (p *Profile) NewStream() (*Stream, error) {
	s := &Stream{p: p, prev: map[string]map[string]any{}}
	switch p.Framing {
	case FramingLines:
		spec, _ := p.lineSpec() // checked when parsed
		l, err := framing.NewLines(spec)
		if err != nil {
			return nil, err
		}
		s.parser = l
	case FramingBinary:
		spec, _ := p.frameSpec()
		f, err := framing.NewFrames(spec)
		if err != nil {
			return nil, err
		}
		s.parser, s.frames = f, f
	default:
		return nil, fmt.Errorf("decode %s: %w", p.Name, ErrNotStreaming)
	}
	for _, t := range p.Transforms {
		s.ts = append(s.ts, newTransformState(t))
	}
	s.keepPrev = p.readsPrev
	return s, nil
}

// Write gives the stream bytes read at at (time since the start of
// reading). It never fails.
func (s *Stream) Write(b []byte, at time.Duration) {
	s.bytes += int64(len(b))
	s.at = at
	s.parser.Write(b)
}

// Idle tells the stream that the line has gone quiet (a read timed out):
// a false header holding back a real frame is given up (framing.Frames.Idle).
func (s *Stream) Idle() {
	if s.frames != nil {
		s.frames.Idle()
	}
}

// Flush drops the bytes of a record never completed, as at the end of
// a capture.
func (s *Stream) Flush() { s.parser.Flush() }

// Next returns the next event, or false when it needs more bytes.
func (s *Stream) Next() (Event, bool) {
	if s.next == len(s.out) {
		s.out, s.next = s.out[:0], 0
	}
	for len(s.out) == 0 {
		rec, ok := s.parser.Next()
		if !ok {
			return Event{}, false
		}
		if err := s.decode(rec); err != nil {
			s.refusedBytes += int64(s.parser.Last())
			if errors.Is(err, ErrUnknownRecord) {
				s.unknown++
			} else {
				s.invalid++
			}
		}
	}
	e := s.out[s.next]
	s.out[s.next] = Event{}
	s.next++
	return e, true
}

// decode maps one record to its events.
func (s *Stream) decode(rec []byte) error {
	p := s.p
	var d decoded
	var err error
	var pl *plan
	switch {
	case p.Framing == FramingBinary:
		var r *Record
		r, d, err = p.decodeFrame(rec)
		if r != nil {
			pl = r.plan
		}
	case len(p.Lines) > 0:
		d, err = p.decodeKV(rec)
		if err == nil {
			pl = p.Lines[d.name].plan
		}
	default:
		var r *Record
		r, d, err = p.decodePattern(rec)
		if r != nil {
			pl = r.plan
		}
	}
	if err != nil {
		return err
	}
	var prev map[string]any
	if s.keepPrev {
		prev = s.prev[d.name]
	}
	if err := finish(&d, pl, prev, &s.vm); err != nil {
		return err
	}
	at, clock := s.at, d.clock
	if clock {
		at = time.Duration(d.uptimeMS) * time.Millisecond
	}
	if d.event != "" {
		s.out = append(s.out, Event{Type: d.event, Fields: d.fields, At: at, DeviceClock: clock})
	}
	for _, st := range s.ts {
		if st.record != d.name {
			continue
		}
		for _, o := range st.feed(d.vals, at) {
			f, err := st.t.fields(o)
			if err != nil {
				return err
			}
			s.out = append(s.out, Event{Type: st.t.Event, Fields: f, At: at, DeviceClock: clock})
		}
	}
	if s.keepPrev {
		s.prev[d.name] = d.vals
	}
	return nil
}

// Stats returns the counts so far.
func (s *Stream) Stats() StreamStats {
	f := s.parser.Stats()
	return StreamStats{
		Bytes:    s.bytes,
		Records:  f.Records - s.unknown - s.invalid,
		Checksum: f.Checksum,
		Format:   f.Format,
		Unknown:  s.unknown,
		Invalid:  s.invalid,
		Dropped:  f.Dropped + s.refusedBytes,
	}
}
