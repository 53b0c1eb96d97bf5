package profiles

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"reflect"
	"time"

	"shicao/hardware/capture"
)

// Capture is a profile's test vector: bytes recorded from the device (a
// file in the capture format, package capture) and the events they must
// give (a file of JSON lines, as `shicao device read` prints them:
// {"t_ms": 1541, "type": "cpr.compression", "data": {"depth_mm": 54}};
// t_ms is compared when present). File names are relative to the
// profile's directory.
type Capture struct {
	Name   string `yaml:"name"`
	Bytes  string `yaml:"bytes"`
	Events string `yaml:"events"`
}

// CaptureResult is the outcome of one capture.
type CaptureResult struct {
	Name   string
	Events int         // events the capture gave
	Stats  StreamStats // what the decoder saw
	Err    error       // nil when the events are those listed
}

// CaptureError is returned by Verify for a capture that fails.
type CaptureError struct {
	Profile, Capture string
	Err              error
}

func (e *CaptureError) Error() string {
	return fmt.Sprintf("profile %s: capture %q: %v", e.Profile, e.Capture, e.Err)
}

func (e *CaptureError) Unwrap() error { return e.Err }

// Verify runs every capture and returns a *CaptureError for the first
// that fails: a station refuses a profile whose captures fail.
func (p *Profile) Verify() error {
	for _, r := range p.TestCaptures() {
		if r.Err != nil {
			return &CaptureError{Profile: p.File, Capture: r.Name, Err: r.Err}
		}
	}
	return nil
}

// TestCaptures runs every capture through the profile's decoder and
// compares the events with those listed.
func (p *Profile) TestCaptures() []CaptureResult {
	var out []CaptureResult
	for _, c := range p.Captures {
		r := CaptureResult{Name: c.Name}
		r.Events, r.Stats, r.Err = p.runCapture(c)
		out = append(out, r)
	}
	return out
}

// wantEvent is one line of a capture's events file.
type wantEvent struct {
	TMS  *int64         `json:"t_ms"`
	Type string         `json:"type"`
	Data map[string]any `json:"data"`
}

// CaptureData returns a capture's chunks of bytes and the events it must
// give, their fields as JSON decodes them (numbers float64) and At set
// only where the events file gives t_ms (HasAt).
func (p *Profile) CaptureData(c *Capture) ([]capture.Chunk, []WantEvent, error) {
	raw, err := fs.ReadFile(p.fsys, path.Clean(c.Bytes))
	if err != nil {
		return nil, nil, fmt.Errorf("bytes: %w", err)
	}
	chunks, err := capture.Parse(bytes.NewReader(raw))
	if err != nil {
		return nil, nil, fmt.Errorf("bytes %s: %w", c.Bytes, err)
	}
	evs, err := fs.ReadFile(p.fsys, path.Clean(c.Events))
	if err != nil {
		return nil, nil, fmt.Errorf("events: %w", err)
	}
	var want []WantEvent
	sc := bufio.NewScanner(bytes.NewReader(evs))
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	for n := 1; sc.Scan(); n++ {
		line := bytes.TrimSpace(sc.Bytes())
		if len(line) == 0 || line[0] == '#' {
			continue
		}
		var w wantEvent
		if err := json.Unmarshal(line, &w); err != nil || w.Type == "" {
			return nil, nil, fmt.Errorf("events %s:%d: want a JSON object with type and data", c.Events, n)
		}
		if w.Data == nil {
			w.Data = map[string]any{}
		}
		e := WantEvent{Type: w.Type, Fields: w.Data}
		if w.TMS != nil {
			e.At, e.HasAt = time.Duration(*w.TMS)*time.Millisecond, true
		}
		want = append(want, e)
	}
	if len(want) == 0 {
		return nil, nil, errors.New("no events listed: a capture must show what the device gives")
	}
	return chunks, want, nil
}

// WantEvent is an event a capture must give.
type WantEvent struct {
	Type   string
	Fields map[string]any // as JSON decodes them
	At     time.Duration
	HasAt  bool
}

// Matches reports whether e is w: same type, same fields once through
// JSON, and the same time if w has one.
func (w WantEvent) Matches(e Event) bool {
	return e.Type == w.Type && reflect.DeepEqual(JSONFields(e.Fields), w.Fields) && (!w.HasAt || e.At.Milliseconds() == w.At.Milliseconds())
}

// String renders w as a line of an events file.
func (w WantEvent) String() string {
	b, _ := json.Marshal(w.Fields)
	if w.HasAt {
		return fmt.Sprintf("t_ms=%d %s %s", w.At.Milliseconds(), w.Type, b)
	}
	return fmt.Sprintf("%s %s", w.Type, b)
}

// JSONFields returns fields as JSON would decode them.
func JSONFields(fields map[string]any) map[string]any {
	b, _ := json.Marshal(fields)
	var out map[string]any
	json.Unmarshal(b, &out)
	if out == nil {
		out = map[string]any{}
	}
	return out
}

func (p *Profile) runCapture(c *Capture) (int, StreamStats, error) {
	chunks, want, err := p.CaptureData(c)
	if err != nil {
		return 0, StreamStats{}, err
	}
	s, err := p.NewStream()
	if err != nil {
		return 0, StreamStats{}, err
	}
	var got []Event
	for _, ch := range chunks {
		s.Write(ch.Data, ch.At)
		for e, ok := s.Next(); ok; e, ok = s.Next() {
			got = append(got, e)
		}
	}
	s.Flush()
	for i := range min(len(got), len(want)) {
		if g := got[i]; !want[i].Matches(g) {
			b, _ := json.Marshal(g.Fields)
			return len(got), s.Stats(), fmt.Errorf("event %d: got t_ms=%d %s %s, want %s", i+1, g.At.Milliseconds(), g.Type, b, want[i])
		}
	}
	if len(got) != len(want) {
		return len(got), s.Stats(), fmt.Errorf("%d events, want %d", len(got), len(want))
	}
	return len(got), s.Stats(), nil
}
