package station

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"golang.org/x/mod/sumdb/note"

	"shicao/standards"
	examsync "shicao/sync"
)

// EventLogFormat names the exported event log's version; it is the
// "format" of the log's first line. docs/event-log.md describes it.
const EventLogFormat = "shicao-events/1"

// An exported event log is one item's events as JSON Lines that carry what
// verifies them, so that the file alone, with the station's verifier key,
// shows whether it is the log the station signed:
//
//	line 1:  the header, an EventLogHeader: the result id, the station, the
//	         subject, its standard, the number of events, the chain head,
//	         and the station's signed result (the signed note, verbatim),
//	         whose item for the subject names the same count and head;
//	line 2…: each event in canonical form (standards.Event.Canonical) with
//	         one more field, "chain": the hex hash of the chain up to and
//	         including that event (standards.Chain).
//
// A reader recomputes the chain line by line: the first line whose hash
// differs is where the log was edited. The last hash must be the head the
// signed result names, and the note's signature must verify with the
// station's key.

// EventLogHeader is the first line of an exported event log.
type EventLogHeader struct {
	Format   string               `json:"format"`
	Result   string               `json:"result"`
	Station  string               `json:"station"`
	Subject  string               `json:"subject"`
	Standard examsync.StandardRef `json:"standard"`
	Events   int                  `json:"events"`
	Head     string               `json:"head"`
	Signed   string               `json:"signed"` // the station's signed result note
}

// WriteEventLog writes one subject's events from a result bundle as an
// exported event log (see EventLogFormat). It returns an error if the
// bundle does not decode or has no such subject.
func WriteEventLog(w io.Writer, bundle []byte, subject string) error {
	b, err := examsync.DecodeBundle(bundle)
	if err != nil {
		return err
	}
	lines, ok := b.Events[subject]
	if !ok {
		return fmt.Errorf("the result has no subject %s", subject)
	}
	doc, err := resultText([]byte(b.Result))
	if err != nil {
		return err
	}
	it, err := docItem(doc, subject)
	if err != nil {
		return err
	}
	h := EventLogHeader{Format: EventLogFormat, Result: doc.ID, Station: doc.Station, Subject: subject,
		Standard: it.Standard, Events: it.Events, Head: it.Head, Signed: b.Result}
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(h); err != nil {
		return err
	}
	var chain standards.Chain
	for i, l := range lines {
		v, lerr := standards.ScanEvent(l)
		if lerr != nil {
			return fmt.Errorf("subject %s: event line %d: %v", subject, i+1, lerr)
		}
		if err := chain.Add(v.Seq, v.TMs, v.Type, v.Source, v.Data); err != nil {
			return fmt.Errorf("subject %s: %w", subject, err)
		}
		canon, err := standards.AppendCanonical(nil, v.Seq, v.TMs, v.Type, v.Source, v.Data)
		if err != nil {
			return fmt.Errorf("subject %s: %w", subject, err)
		}
		bw.Write(canon[:len(canon)-1])
		fmt.Fprintf(bw, `,"chain":"%s"}`+"\n", chain.Head())
	}
	if chain.Head().String() != it.Head {
		return fmt.Errorf("subject %s: the events' chain head differs from the signed one", subject)
	}
	return bw.Flush()
}

// resultText reads the result document from a signed note without
// checking its signature.
func resultText(signed []byte) (*examsync.ResultDoc, error) {
	var doc examsync.ResultDoc
	if err := json.Unmarshal(standards.SplitNote(signed), &doc); err != nil || doc.Format != examsync.ResultFormat {
		return nil, fmt.Errorf("the signed text is not a %s document", examsync.ResultFormat)
	}
	return &doc, nil
}

// docItem is the signed result's item for subject.
func docItem(d *examsync.ResultDoc, subject string) (*examsync.ItemResult, error) {
	for i := range d.Items {
		if d.Items[i].Subject == subject {
			return &d.Items[i], nil
		}
	}
	return nil, fmt.Errorf("the signed result %s has no subject %s", d.ID, subject)
}

// LogTrust says how far an event log was verified.
type LogTrust int

// The outcomes of CheckEventLog, from least to most verified.
const (
	// LogPlain: no chain data at all (a standard's test vector, a log
	// written by hand); nothing shows whether it was edited.
	LogPlain LogTrust = iota
	// LogChainOnly: every line's chain hash holds, but no signed head
	// anchors it (the header was removed): anyone could have recomputed it.
	LogChainOnly
	// LogHeadUnsigned: the chain ends at the head the signed result names,
	// but no station key was given to check the signature.
	LogHeadUnsigned
	// LogVerified: the chain ends at the head of a result whose signature
	// verifies with a station key given.
	LogVerified
)

// ErrLogEdited is wrapped by CheckEventLog's error when the chain does not
// hold: an event was edited, removed or inserted, or the header changed.
var ErrLogEdited = errors.New("the event log was edited")

// LogCheck is what CheckEventLog found.
type LogCheck struct {
	Trust   LogTrust
	Header  *EventLogHeader // nil without one
	Signers []string        // the verified signers (LogVerified)
}

// maxHeaderLine bounds the header line, which carries a whole signed
// result (every item's sheet).
const maxHeaderLine = 4 << 20

// CheckEventLog reads an event log named name (for messages) and passes
// each event to add, in order. An exported log (see EventLogFormat) is
// checked as it is read: each line's chain hash, the count and head
// against the signed result in its header and, when stationKeys are given,
// the result's signature. A plain log is read as it is, reported as
// LogPlain. With stationKeys, anything short of LogVerified is an error.
//
// Errors name the file and line. A break in the chain wraps ErrLogEdited
// and takes precedence over an error from add, so that an edited event is
// named as such and not as a scoring fault.
func CheckEventLog(r io.Reader, name string, stationKeys []string, add func(standards.EventView) error) (*LogCheck, error) {
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), maxHeaderLine)
	lr := &logReader{name: name, res: &LogCheck{}, add: add}
	for sc.Scan() {
		lr.lineNo++
		if err := lr.line(sc.Bytes()); err != nil {
			return nil, err
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, bufio.ErrTooLong) {
			return nil, fmt.Errorf("%s:%d: line too long", name, lr.lineNo+1)
		}
		return nil, fmt.Errorf("read %s: %w", name, err)
	}
	if err := lr.end(); err != nil {
		return nil, err
	}
	if lr.addErr != nil {
		return nil, lr.addErr
	}
	res := lr.res
	switch {
	case res.Header != nil:
		res.Trust = LogHeadUnsigned
	case lr.chained > 0:
		res.Trust = LogChainOnly
	default:
		res.Trust = LogPlain
	}
	if len(stationKeys) == 0 {
		return res, nil
	}
	if res.Header == nil {
		return nil, fmt.Errorf("%s: not verifiable: it carries no signed chain head (export it with 'shicao station export --events')", name)
	}
	signers, err := verifyHeader(res.Header, stationKeys)
	if err != nil {
		return nil, fmt.Errorf("%s:1: %w", name, err)
	}
	res.Trust, res.Signers = LogVerified, signers
	return res, nil
}

// logReader is CheckEventLog's pass over a log's lines.
type logReader struct {
	name     string
	res      *LogCheck
	add      func(standards.EventView) error
	chain    standards.Chain
	chained  int // event lines that carried a chain hash
	events   int
	addErr   error // add's first error, reported after the chain's
	lineNo   int
	lastLine int // of the last event
}

func (lr *logReader) edited(line int, format string, args ...any) error {
	return fmt.Errorf("%s:%d: %w: %s", lr.name, line, ErrLogEdited, fmt.Sprintf(format, args...))
}

// line takes line lineNo: blank, the header (before any event), or an
// event, chained and checked against the header, then passed to add.
func (lr *logReader) line(b []byte) error {
	name, lineNo, res := lr.name, lr.lineNo, lr.res
	if len(bytes.TrimSpace(b)) == 0 {
		return nil
	}
	if lr.events == 0 && res.Header == nil && isHeader(b) {
		h, err := parseHeader(b)
		if err != nil {
			return fmt.Errorf("%s:%d: %w", name, lineNo, err)
		}
		res.Header = h
		return nil
	}
	v, ch, lerr := standards.ScanChainedEvent(b)
	if lerr != nil {
		lerr.File, lerr.Line = name, lineNo
		return lerr
	}
	lr.events++
	lr.lastLine = lineNo
	if res.Header != nil && lr.events > res.Header.Events {
		return lr.edited(lineNo, "event %d is past the %d events the result signed", v.Seq, res.Header.Events)
	}
	if err := lr.chain.Add(v.Seq, v.TMs, v.Type, v.Source, v.Data); err != nil {
		return fmt.Errorf("%s:%d: %w", name, lineNo, err)
	}
	if ch != nil {
		lr.chained++
		if string(ch) != lr.chain.Head().String() {
			return lr.edited(lineNo, "event %d does not match its chain hash (this event changed, or one just before it was removed or inserted)", v.Seq)
		}
	} else if lr.chained > 0 {
		return lr.edited(lineNo, "event %d has no chain hash where every event before it has one", v.Seq)
	}
	if lr.addErr == nil {
		if err := lr.add(v); err != nil {
			var le *standards.LineError
			if errors.As(err, &le) {
				le.File, le.Line = name, lineNo
				lr.addErr = le
			} else {
				lr.addErr = fmt.Errorf("%s:%d: %w", name, lineNo, err)
			}
		}
	}
	return nil
}

// end checks, after the last line, that every event was chained and the
// count and head are those the header's result signed.
func (lr *logReader) end() error {
	if lr.chained > 0 && lr.chained < lr.events {
		return lr.edited(lr.lastLine, "only %d of %d events carry a chain hash", lr.chained, lr.events)
	}
	if h := lr.res.Header; h != nil {
		if lr.events != h.Events {
			return lr.edited(lr.lineNo, "%d events where the result signed %d: events were removed from the end", lr.events, h.Events)
		}
		if lr.chain.Head().String() != h.Head {
			return lr.edited(lr.lastLine, "the chain ends at %.12s…, the result signed %.12s…: an event changed and the chain hashes after it were rewritten", lr.chain.Head(), h.Head)
		}
	}
	return nil
}

// isHeader reports whether a line is an object with a "format" member:
// no event has one (the event scanner refuses unknown fields).
func isHeader(b []byte) bool {
	var probe struct {
		Format *string `json:"format"`
	}
	return json.Unmarshal(b, &probe) == nil && probe.Format != nil
}

// parseHeader decodes the header and checks it against the result it
// carries, without the signature: a header edited alone is found here.
func parseHeader(b []byte) (*EventLogHeader, error) {
	var h EventLogHeader
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&h); err != nil {
		return nil, fmt.Errorf("event log header: %v", err)
	}
	if h.Format != EventLogFormat {
		return nil, fmt.Errorf("event log header: format %q, want %q", h.Format, EventLogFormat)
	}
	doc, err := resultText([]byte(h.Signed))
	if err != nil {
		return nil, fmt.Errorf("event log header: %w: %w", err, ErrLogEdited)
	}
	it, err := docItem(doc, h.Subject)
	if err != nil {
		return nil, fmt.Errorf("event log header: %w: %w", err, ErrLogEdited)
	}
	if doc.ID != h.Result || doc.Station != h.Station || it.Events != h.Events || it.Head != h.Head || it.Standard != h.Standard {
		return nil, fmt.Errorf("event log header: it differs from the signed result it carries: %w", ErrLogEdited)
	}
	return &h, nil
}

// verifyHeader checks the signed result's signature against the station
// keys and returns its signers.
func verifyHeader(h *EventLogHeader, stationKeys []string) ([]string, error) {
	vs, err := examsync.StationVerifiers(stationKeys)
	if err != nil {
		return nil, err
	}
	n, err := note.Open([]byte(h.Signed), vs)
	if err != nil {
		var unv *note.UnverifiedNoteError
		if errors.As(err, &unv) {
			return nil, errors.New("the result in the header is not signed by the station key given: signed by another key")
		}
		return nil, fmt.Errorf("the signature of the result in the header does not verify: %v: %w", err, ErrLogEdited)
	}
	var signers []string
	for _, s := range n.Sigs {
		signers = append(signers, s.Name)
	}
	return signers, nil
}
