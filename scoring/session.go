package scoring

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
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
	s := NewSession(std)
	for i := range events {
		if err := s.Add(&events[i]); err != nil {
			return nil, err
		}
	}
	return s.Sheet()
}

// ScoreReader scores a JSON Lines log as it streams in, keeping only what
// the standard's expressions select: a million-event log costs the records
// the rules read, not a copy of every line. Errors name the line.
func ScoreReader(std *standards.Standard, r io.Reader, name string) (*Sheet, error) {
	s := NewSession(std)
	br := bufio.NewReaderSize(r, 256<<10)
	for line := 1; ; line++ {
		b, err := br.ReadSlice('\n')
		if errors.Is(err, bufio.ErrBufferFull) {
			return nil, &standards.LineError{File: name, Line: line, Msg: "line too long"}
		}
		if err != nil && err != io.EOF {
			return nil, fmt.Errorf("read %s: %w", name, err)
		}
		if len(trimSpace(b)) > 0 {
			if aerr := s.AddLine(b); aerr != nil {
				var le *standards.LineError
				if errors.As(aerr, &le) {
					le.File, le.Line = name, line
					return nil, le
				}
				return nil, fmt.Errorf("%s:%d: %w", name, line, aerr)
			}
		}
		if err == io.EOF {
			return s.Sheet()
		}
	}
}

func trimSpace(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == '\r' || b[0] == '\n') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t' || b[len(b)-1] == '\r' || b[len(b)-1] == '\n') {
		b = b[:len(b)-1]
	}
	return b
}

// Session scores one session incrementally: Add each event as it is
// committed, ask for the Sheet at any time. Adding is O(1) per event;
// Sheet re-evaluates the standard's expressions over the records so far.
// A Session is not safe for concurrent use.
type Session struct {
	std   *standards.Standard
	run   *standards.Runner
	log   *standards.Log
	vocab *standards.Vocabulary

	n          int64 // events added
	lastT      int64
	endT       int64
	limit      int64
	stop       int64
	examiners  map[string]bool
	marks      []markEvent
	vetoes     []vetoMark
	resolved   map[string]Resolution
	ack        *bool
	unknown    []UnknownEvent
	ignored    []int64
	stoppedDev bool
	err        error // sticky: a session that refused an event refuses all after
}

type markEvent struct {
	seq, t   int64
	examiner string
	item     string
	mark     string
	undone   bool
}

type vetoMark struct {
	seq, t   int64
	examiner string
	veto     string
	undone   bool
}

// NewSession returns a session scored by std.
func NewSession(std *standards.Standard) *Session {
	limit := std.TimeLimit.Millis()
	stop := limit
	if std.Overtime != nil {
		stop += std.Overtime.StopAfter.Millis()
	}
	return &Session{
		std: std, run: standards.NewRunner(), log: std.NewLog(), vocab: std.Vocabulary(),
		endT: -1, limit: limit, stop: stop, resolved: map[string]Resolution{},
	}
}

// Len returns the number of events added.
func (s *Session) Len() int64 { return s.n }

// Add adds the next event of the log.
func (s *Session) Add(e *standards.Event) error {
	return s.add(e.Seq, e.TMs, []byte(e.Type), []byte(e.Source), e.Data)
}

// AddView adds the next event from a line already decoded in place.
func (s *Session) AddView(v standards.EventView) error {
	return s.add(v.Seq, v.TMs, v.Type, v.Source, v.Data)
}

// AddLine adds the next event from its JSON line, decoding in place.
func (s *Session) AddLine(line []byte) error {
	if s.err != nil {
		return s.err
	}
	v, lerr := standards.ScanEvent(line)
	if lerr != nil {
		return lerr
	}
	return s.add(v.Seq, v.TMs, v.Type, v.Source, v.Data)
}

func (s *Session) fail(err error) error {
	s.err = err
	return err
}

func (s *Session) add(seq, t int64, typ, src, data []byte) error {
	if s.err != nil {
		return s.err
	}
	if err := s.inOrder(seq, t); err != nil {
		return s.fail(err)
	}
	if s.n == 0 {
		return s.addFirst(seq, t, typ, data)
	}
	s.n, s.lastT = seq, t

	// The hot path: a device event the standard's expressions select.
	et, known := s.vocab.Types[string(typ)]
	if !known {
		s.unknown = append(s.unknown, UnknownEvent{Seq: seq, Type: string(typ)})
		return nil
	}
	if et.Device != "" {
		return s.addDevice(seq, t, typ, data)
	}
	if err := s.addSystem(seq, t, typ, src, data); err != nil {
		return s.fail(err)
	}
	return nil
}

// inOrder checks that an event follows the previous one: the next seq, no
// earlier in time.
func (s *Session) inOrder(seq, t int64) error {
	if seq != s.n+1 {
		if s.n == 0 {
			return eventErr(seq, "the log must start at seq 1")
		}
		return eventErr(seq, "seq %d follows %d: the log must be gapless and in order", seq, s.n)
	}
	if t < s.lastT {
		return eventErr(seq, "t_ms %d is before the previous event's %d", t, s.lastT)
	}
	return nil
}

// addFirst takes the log's first event, which must be session.start.
func (s *Session) addFirst(seq, t int64, typ, data []byte) error {
	if string(typ) != standards.TypeSessionStart {
		return s.fail(eventErr(seq, "the log must start with session.start, not %s", typ))
	}
	if err := s.start(seq, data); err != nil {
		return s.fail(err)
	}
	s.n, s.lastT = 1, t
	return nil
}

// addDevice takes a device event into the log the expressions read.
func (s *Session) addDevice(seq, t int64, typ, data []byte) error {
	// The candidate's performance ends at the hard stop and at
	// session.end; device events after either are not scored.
	if t > s.stop || s.endT >= 0 {
		s.ignored = append(s.ignored, seq)
		if t > s.stop {
			s.stoppedDev = true
		}
		return nil
	}
	if _, err := s.log.AddBytes(seq, t, typ, data); err != nil {
		return s.fail(eventErr(seq, "%s %v", typ, err))
	}
	return nil
}

// addSystem takes an event of the station or an examiner: the session's
// end, marks, vetoes, reviews, the candidate's answer, and other system
// events (timer, phase...) as data for expressions.
func (s *Session) addSystem(seq, t int64, typ, src, data []byte) error {
	var err error
	source := string(src)
	switch string(typ) {
	case standards.TypeSessionStart:
		err = eventErr(seq, "a second session.start")
	case standards.TypeSessionEnd:
		if s.endT < 0 {
			s.endT = t
		}
	case standards.TypeMark:
		err = s.addMark(seq, t, source, data)
	case standards.TypeMarkUndo:
		err = s.undo(seq, source, data)
	case standards.TypeVeto:
		err = s.addVeto(seq, t, source, data)
	case standards.TypeReviewResolve:
		err = s.resolve(seq, source, data)
	case standards.TypeCandidateAck:
		var d struct {
			Accepted *bool `json:"accepted"`
		}
		if json.Unmarshal(data, &d) != nil || d.Accepted == nil {
			err = eventErr(seq, "candidate.ack needs data.accepted true or false")
		} else {
			s.ack = d.Accepted
		}
	default:
		// Other system events (timer, phase...) are data for expressions.
		if _, aerr := s.log.AddBytes(seq, t, typ, data); aerr != nil {
			err = eventErr(seq, "%s %v", typ, aerr)
		}
	}
	return err
}

func (s *Session) start(seq int64, data []byte) error {
	var d struct {
		Item      string   `json:"item"`
		Version   int      `json:"version"`
		Examiners []string `json:"examiners"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return eventErr(seq, "session.start data: %v", err)
	}
	if d.Item != "" && d.Item != s.std.ID {
		return eventErr(seq, "the log is for item %s, the standard is %s", d.Item, s.std.ID)
	}
	if d.Version != 0 && d.Version != s.std.Version {
		return eventErr(seq, "the log was recorded under %s version %d, the standard is version %d", s.std.ID, d.Version, s.std.Version)
	}
	s.examiners = map[string]bool{}
	for _, e := range d.Examiners {
		s.examiners[e] = true
	}
	return nil
}

func (s *Session) examinerOf(seq int64, typ, source string) (string, error) {
	id, ok := strings.CutPrefix(source, "examiner:")
	if !ok || id == "" {
		return "", eventErr(seq, "%s must come from an examiner (source examiner:<id>), not %q", typ, source)
	}
	if len(s.examiners) > 0 && !s.examiners[id] {
		return "", eventErr(seq, "examiner %s is not one of this session's examiners", id)
	}
	return id, nil
}

func (s *Session) addMark(seq, t int64, source string, data []byte) error {
	id, err := s.examinerOf(seq, standards.TypeMark, source)
	if err != nil {
		return err
	}
	var d struct {
		Item string `json:"item"`
		Mark string `json:"mark"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return eventErr(seq, "mark data: %v", err)
	}
	it := s.std.Item(d.Item)
	if it == nil {
		return eventErr(seq, "mark for item %q, not in %s", d.Item, s.std.ID)
	}
	mk := it.Mark(d.Mark)
	if mk == nil {
		return eventErr(seq, "mark %q is not one of item %s's marks", d.Mark, d.Item)
	}
	n := 1
	for _, m := range s.marks {
		if m.examiner == id && m.item == d.Item && m.mark == d.Mark && !m.undone {
			n++
		}
	}
	if n > mk.MaxTimes() {
		return eventErr(seq, "examiner %s recorded mark %s %d times; the standard allows %d", id, d.Mark, n, mk.MaxTimes())
	}
	s.marks = append(s.marks, markEvent{seq: seq, t: t, examiner: id, item: d.Item, mark: d.Mark})
	return nil
}

func (s *Session) addVeto(seq, t int64, source string, data []byte) error {
	id, err := s.examinerOf(seq, standards.TypeVeto, source)
	if err != nil {
		return err
	}
	var d struct {
		Veto string `json:"veto"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return eventErr(seq, "veto data: %v", err)
	}
	v := s.std.VetoByID(d.Veto)
	if v == nil || !v.Mark {
		return eventErr(seq, "veto %q is not a veto examiners may record in %s", d.Veto, s.std.ID)
	}
	s.vetoes = append(s.vetoes, vetoMark{seq: seq, t: t, examiner: id, veto: d.Veto})
	return nil
}

func (s *Session) undo(seq int64, source string, data []byte) error {
	var d struct {
		Ref int64 `json:"ref"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return eventErr(seq, "mark.undo data: %v", err)
	}
	for i := range s.marks {
		m := &s.marks[i]
		if m.seq != d.Ref {
			continue
		}
		if "examiner:"+m.examiner != source {
			return eventErr(seq, "only the examiner who recorded mark %d may undo it", d.Ref)
		}
		if m.undone {
			return eventErr(seq, "mark %d is already undone", d.Ref)
		}
		m.undone = true
		return nil
	}
	for i := range s.vetoes {
		v := &s.vetoes[i]
		if v.seq != d.Ref {
			continue
		}
		if "examiner:"+v.examiner != source {
			return eventErr(seq, "only the examiner who recorded veto %d may undo it", d.Ref)
		}
		if v.undone {
			return eventErr(seq, "veto %d is already undone", d.Ref)
		}
		v.undone = true
		return nil
	}
	return eventErr(seq, "mark.undo refers to %d, which is not a mark or veto before it", d.Ref)
}

func (s *Session) resolve(seq int64, source string, data []byte) error {
	var d struct {
		Item   string          `json:"item"`
		Deduct json.RawMessage `json:"deduct"`
		Reason string          `json:"reason"`
	}
	if err := json.Unmarshal(data, &d); err != nil {
		return eventErr(seq, "review.resolve data: %v", err)
	}
	it := s.std.Item(d.Item)
	if it == nil {
		return eventErr(seq, "review.resolve names item %q, not in %s", d.Item, s.std.ID)
	}
	if strings.TrimSpace(d.Reason) == "" {
		return eventErr(seq, "review.resolve needs a written reason")
	}
	p, err := standards.ParsePoints(string(d.Deduct))
	if err != nil {
		return eventErr(seq, "review.resolve deduct: %v", err)
	}
	if p > it.Points {
		return eventErr(seq, "review.resolve deducts %s from item %s worth %s", p, d.Item, it.Points)
	}
	s.resolved[d.Item] = Resolution{Deduct: p, Reason: d.Reason, By: source, Seq: seq}
	return nil
}
