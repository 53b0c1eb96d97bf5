package standards

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
)

// Event is one entry of a session's log: a sensor reading, an examiner's
// mark, a system fact. The same shape is used in the station's store, in
// exports and by `shicao score` (JSON Lines).
type Event struct {
	Seq    int64           `json:"seq"`  // 1, 2, 3... gapless
	TMs    int64           `json:"t_ms"` // monotonic milliseconds since session.start
	Type   string          `json:"type"`
	Source string          `json:"source"` // system | device:<id> | examiner:<id> | candidate
	Data   json.RawMessage `json:"data,omitempty"`
}

// System event types the scoring engine itself interprets.
const (
	TypeSessionStart  = "session.start"
	TypeSessionEnd    = "session.end"
	TypeMark          = "mark"
	TypeMarkUndo      = "mark.undo"
	TypeVeto          = "veto"
	TypeReviewResolve = "review.resolve"
	TypeCandidateAck  = "candidate.ack"
)

// MaxEventLine bounds one JSON line; the largest real event (a continuity
// matrix) is well under a kilobyte.
const MaxEventLine = 64 << 10

// LineError is a malformed event line: which line, which field, what.
type LineError struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e *LineError) Error() string {
	if e.Field != "" {
		return fmt.Sprintf("%s:%d: %s: %s", e.File, e.Line, e.Field, e.Msg)
	}
	return fmt.Sprintf("%s:%d: %s", e.File, e.Line, e.Msg)
}

// ReadEvents reads a JSON Lines event log. Blank lines are skipped. A line
// that is not an event (bad JSON, unknown or missing field, wrong type) is
// an error naming its line and field; nothing is guessed.
func ReadEvents(r io.Reader, file string) ([]Event, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	var out []Event
	for line := 1; ; line++ {
		b, err := readLine(br)
		if err == io.EOF && len(b) == 0 {
			return out, nil
		}
		if err != nil && err != io.EOF {
			if errors.Is(err, errLineTooLong) {
				return nil, &LineError{File: file, Line: line, Msg: fmt.Sprintf("line longer than %d bytes", MaxEventLine)}
			}
			return nil, fmt.Errorf("read %s: %w", file, err)
		}
		b = bytes.TrimSpace(b)
		if len(b) == 0 {
			if err == io.EOF {
				return out, nil
			}
			continue
		}
		ev, perr := ParseEvent(b)
		if perr != nil {
			perr.File, perr.Line = file, line
			return nil, perr
		}
		out = append(out, ev)
		if err == io.EOF {
			return out, nil
		}
	}
}

var errLineTooLong = errors.New("line too long")

func readLine(br *bufio.Reader) ([]byte, error) {
	var long []byte
	for {
		b, err := br.ReadSlice('\n')
		if err == bufio.ErrBufferFull {
			long = append(long, b...)
			if len(long) > MaxEventLine {
				return nil, errLineTooLong
			}
			continue
		}
		if long != nil {
			long = append(long, b...)
			if len(long) > MaxEventLine {
				return nil, errLineTooLong
			}
			return long, err
		}
		if len(b) > MaxEventLine {
			return nil, errLineTooLong
		}
		return b, err
	}
}

// ParseEvent decodes one event from its JSON object. File and Line of the
// returned error are left for the caller.
func ParseEvent(b []byte) (Event, *LineError) {
	v, err := ScanEvent(b)
	if err != nil {
		return Event{}, err
	}
	ev := Event{Seq: v.Seq, TMs: v.TMs, Type: string(v.Type), Source: string(v.Source)}
	if v.Data != nil {
		ev.Data = append(json.RawMessage(nil), v.Data...)
	}
	return ev, nil
}

// WriteEvents writes events as JSON Lines.
func WriteEvents(w io.Writer, events []Event) error {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	for _, e := range events {
		if err := enc.Encode(e); err != nil {
			return err
		}
	}
	return bw.Flush()
}
