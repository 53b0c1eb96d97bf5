// Package hardwaretest is the conformance suite every device must pass,
// run against each simulator over a real pseudo-terminal and
// go.bug.st/serial, and against a real port in builds tagged hardware.
// Like litestream's replica client tests, one suite, every backend.
package hardwaretest

import (
	"context"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"shicao/hardware"
	"shicao/hardware/driver"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
)

// Subject is a device under test.
type Subject struct {
	Profile *profiles.Profile
	Path    string
	// Unplug and Plug pull and restore the device; nil for a real port,
	// whose replug test is skipped with a message.
	Unplug func()
	Plug   func() error
	// Prepare, if set, runs once the device is connected: the board's
	// examiner grants power here, as the station would.
	Prepare func(ctx context.Context, d hardware.Device) error
	// Options for the driver (short backoffs for pseudo-terminals).
	Options driver.Options
}

// Recorder collects the readings of a device for a test.
type Recorder struct {
	mu      sync.Mutex
	rs      []hardware.Reading
	changed chan struct{}
}

// NewRecorder returns an empty Recorder.
func NewRecorder() *Recorder { return &Recorder{changed: make(chan struct{}, 1)} }

// Emit records r; pass it to Device.Run.
func (r *Recorder) Emit(x hardware.Reading) {
	r.mu.Lock()
	r.rs = append(r.rs, x)
	r.mu.Unlock()
	select {
	case r.changed <- struct{}{}:
	default:
	}
}

// Readings returns a copy of what was recorded.
func (r *Recorder) Readings() []hardware.Reading {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hardware.Reading(nil), r.rs...)
}

// Len returns how many readings were recorded.
func (r *Recorder) Len() int { r.mu.Lock(); defer r.mu.Unlock(); return len(r.rs) }

// Context returns a context that ends shortly before the test binary's
// own deadline (go test -timeout), so that a wait for an event that never
// comes fails the test with its own message rather than the binary's
// panic. Tests wait for events with it, never for an amount of wall time:
// on a loaded machine everything takes longer, and only a hang should fail.
func Context(t testing.TB) context.Context {
	ctx := context.Background()
	if tc, ok := t.(interface{ Context() context.Context }); ok {
		ctx = tc.Context()
	}
	deadline, ok := t.(interface{ Deadline() (time.Time, bool) })
	if !ok {
		return ctx
	}
	d, ok := deadline.Deadline()
	if !ok {
		return ctx
	}
	// A twentieth of what is left is kept for reporting and cleaning up.
	ctx, cancel := context.WithDeadline(ctx, d.Add(-time.Until(d)/20))
	t.Cleanup(cancel)
	return ctx
}

// WaitFor waits until some reading from index from on satisfies cond and
// returns its index, or fails the test when Context(t) ends.
func (r *Recorder) WaitFor(t testing.TB, what string, from int, cond func(hardware.Reading) bool) int {
	t.Helper()
	ctx := Context(t)
	for {
		r.mu.Lock()
		for i := from; i < len(r.rs); i++ {
			if cond(r.rs[i]) {
				r.mu.Unlock()
				return i
			}
		}
		r.mu.Unlock()
		select {
		case <-r.changed:
		case <-ctx.Done():
			t.Fatalf("no %s (%d readings): %v", what, r.Len(), context.Cause(ctx))
			return -1
		}
	}
}

// WaitUntil waits until cond holds, checking it whenever a reading is
// recorded, or fails the test when Context(t) ends. cond may call the
// Recorder's methods.
func (r *Recorder) WaitUntil(t testing.TB, what string, cond func() bool) {
	t.Helper()
	ctx := Context(t)
	for !cond() {
		select {
		case <-r.changed:
		case <-ctx.Done():
			t.Fatalf("no %s (%d readings): %v", what, r.Len(), context.Cause(ctx))
		}
	}
}

// IsType returns a condition matching readings of type typ.
func IsType(typ string) func(hardware.Reading) bool {
	return func(r hardware.Reading) bool { return r.Type == typ }
}

// IsData matches a reading about the candidate rather than the link.
func IsData(r hardware.Reading) bool {
	switch r.Type {
	case hardware.TypeConnected, hardware.TypeLost, hardware.TypeBack:
		return false
	}
	return true
}

// Vocabulary loads standards/vocabulary.yaml from the module root.
func Vocabulary(t testing.TB) map[string]map[string]string {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	data, err := os.ReadFile(filepath.Join(filepath.Dir(file), "..", "..", "standards", "vocabulary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	v, err := profiles.ParseVocabulary(data)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// CheckReading fails the test if r is not a vocabulary event with every
// field of the vocabulary's Go type, or a link state reading.
func CheckReading(t testing.TB, vocab map[string]map[string]string, r hardware.Reading) {
	t.Helper()
	CheckProfileReading(t, vocab, nil, r)
}

// CheckProfileReading is CheckReading for a device of profile p: the
// fields p declares unmeasured must be absent, every other present.
func CheckProfileReading(t testing.TB, vocab map[string]map[string]string, p *profiles.Profile, r hardware.Reading) {
	t.Helper()
	if r.Type == hardware.TypeConnected {
		return
	}
	want, ok := vocab[r.Type]
	if !ok {
		t.Errorf("reading %s: type not in the vocabulary", r)
		return
	}
	var unmeasured []string
	if p != nil {
		unmeasured = p.Unmeasured(r.Type)
	}
	if len(r.Fields) != len(want)-len(unmeasured) {
		t.Errorf("reading %s: %d fields, vocabulary has %d of which the profile leaves %d unmeasured", r, len(r.Fields), len(want), len(unmeasured))
	}
	for name, typ := range want {
		v, ok := r.Fields[name]
		if slices.Contains(unmeasured, name) {
			if ok {
				t.Errorf("reading %s: field %s is declared unmeasured but has a value", r, name)
			}
			continue
		}
		if !ok {
			t.Errorf("reading %s: field %s missing", r, name)
			continue
		}
		okType := false
		switch typ {
		case "int":
			_, okType = v.(int)
		case "float":
			_, okType = v.(float64)
		case "bool":
			_, okType = v.(bool)
		case "string":
			_, okType = v.(string)
		case "strings":
			_, okType = v.([]string)
		}
		if !okType {
			t.Errorf("reading %s: field %s is %T, vocabulary says %s", r, name, v, typ)
		}
	}
}

// Started is a device running in the background of a test.
type Started struct {
	Device hardware.Device
	Rec    *Recorder
	stop   context.CancelFunc
	done   chan error
}

// Stop cancels Run and waits for it; it fails the test if Run does not
// return (before the test's deadline) or returns an error.
func (s *Started) Stop(t testing.TB) {
	t.Helper()
	s.stop()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("Run = %v, want nil after cancel", err)
		}
	case <-Context(t).Done():
		t.Fatal("Run did not return after cancel")
	}
}

// Start runs the subject's device until Stop.
func Start(t testing.TB, sub Subject) *Started {
	t.Helper()
	d, err := driver.New(sub.Profile, sub.Path, sub.Options)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Started{Device: d, Rec: NewRecorder(), stop: cancel, done: make(chan error, 1)}
	go func() { s.done <- d.Run(ctx, s.Rec.Emit) }()
	return s
}

// Conformance runs the suite against a subject: readings conform to the
// vocabulary, the device reports its link state and its provenance (a model
// and a serial), and (when it can be
// unplugged) survives cycles unplug/replug cycles with lost and back
// reported each time, readings continuing, and no goroutine leaked.
func Conformance(t *testing.T, sub Subject, cycles int) {
	vocab := Vocabulary(t)
	t.Run("Readings", func(t *testing.T) {
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		s := Start(t, sub)
		s.Rec.WaitFor(t, "connected", 0, IsType(hardware.TypeConnected))
		if sub.Prepare != nil {
			if err := sub.Prepare(context.Background(), s.Device); err != nil {
				t.Fatalf("prepare: %v", err)
			}
		}
		// A few readings to check, not a period of time: on a loaded
		// machine a period holds fewer.
		i := s.Rec.WaitFor(t, "a reading", 0, IsData)
		i = s.Rec.WaitFor(t, "a second reading", i+1, IsData)
		s.Rec.WaitFor(t, "a third reading", i+1, IsData)
		s.Stop(t)
		rs := s.Rec.Readings()
		if rs[0].Type != hardware.TypeConnected {
			t.Errorf("first reading %s, want %s", rs[0], hardware.TypeConnected)
		}
		var lastDev time.Duration
		for _, r := range rs {
			CheckProfileReading(t, vocab, sub.Profile, r)
			if r.Kind != sub.Profile.Kind {
				t.Errorf("reading %s: kind %s, want %s", r, r.Kind, sub.Profile.Kind)
			}
			if r.DeviceClock {
				if r.At < lastDev {
					t.Errorf("reading %s: device clock went back from %v", r, lastDev)
				}
				lastDev = r.At
			}
		}
		// The station records the provenance with every session and refuses
		// equipment whose serial is not registered to the site (考培分离):
		// a device that never reports one cannot be used in an exam.
		// A model that cannot send its serial declares it unmeasured: the
		// station then needs it registered by hand.
		noSerial := slices.Contains(sub.Profile.Unmeasured(hardware.TypeStatus), "serial")
		if info := s.Device.Info(); info.Model == "" || info.Serial == "" && !noSerial {
			t.Errorf("Info() = %+v, want a model and a serial", info)
		}
	})
	t.Run("Replug", func(t *testing.T) {
		if sub.Unplug == nil {
			t.Skip("this subject cannot be unplugged by the test")
		}
		defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
		s := Start(t, sub)
		defer s.Stop(t)
		rec := s.Rec
		rec.WaitFor(t, "connected", 0, IsType(hardware.TypeConnected))
		if sub.Prepare != nil {
			if err := sub.Prepare(context.Background(), s.Device); err != nil {
				t.Fatalf("prepare: %v", err)
			}
		}
		rec.WaitFor(t, "a reading", 0, IsData)
		for i := range cycles {
			from := rec.Len()
			sub.Unplug()
			lost := rec.WaitFor(t, fmt.Sprintf("lost (cycle %d)", i), from, IsType(hardware.TypeLost))
			if err := sub.Plug(); err != nil {
				t.Fatalf("cycle %d: plug: %v", i, err)
			}
			back := rec.WaitFor(t, fmt.Sprintf("back (cycle %d)", i), lost, IsType(hardware.TypeBack))
			rec.WaitFor(t, fmt.Sprintf("a reading after back (cycle %d)", i), back, IsData)
			// Exactly one lost and one back per cycle: no flapping.
			rs := rec.Readings()
			n := map[string]int{}
			for _, r := range rs[from:] {
				n[r.Type]++
			}
			if n[hardware.TypeLost] != 1 || n[hardware.TypeBack] != 1 || n[hardware.TypeConnected] != 0 {
				t.Fatalf("cycle %d: %d lost, %d back, %d connected; want 1, 1, 0", i, n[hardware.TypeLost], n[hardware.TypeBack], n[hardware.TypeConnected])
			}
		}
	})
}

// ReplayCapture plays capture c of profile p through a simulator on a
// pseudo-terminal, the serial port and the driver, and checks that the
// readings are the events the capture lists, in order: a profile's test
// vectors hold on the real byte path, not only in the pure decoder. Times
// are compared only where the device's clock is on the wire.
func ReplayCapture(t *testing.T, p *profiles.Profile, c *profiles.Capture) {
	t.Helper()
	chunks, want, err := p.CaptureData(c)
	if err != nil {
		t.Fatal(err)
	}
	defer goleak.VerifyNone(t, goleak.IgnoreCurrent())
	s, err := sim.StartReplay(context.Background(), p.Kind, chunks, sim.Options{Speed: 20})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st := Start(t, Subject{Profile: p, Path: s.Path()})
	// The replay loops: bytes sent before the port was set up can be lost
	// (opening a port flushes it), so look for one whole pass.
	var data []hardware.Reading
	matches := func(k int) bool {
		for i, w := range want {
			r := data[k+i]
			fields := maps.Clone(r.Fields)
			if r.Type == hardware.TypeStatus {
				delete(fields, "kind") // the driver's, not the wire's
			}
			if !r.DeviceClock {
				w.HasAt = false
			}
			if !w.Matches(profiles.Event{Type: r.Type, Fields: fields, At: r.At}) {
				return false
			}
		}
		return true
	}
	found := -1
	for next := 0; found < 0 && len(data) < 3*len(want)+10; {
		i := st.Rec.WaitFor(t, fmt.Sprintf("the %d events of capture %q in order", len(want), c.Name), next, IsData)
		next = i + 1
		data = append(data, st.Rec.Readings()[i])
		if k := len(data) - len(want); k >= 0 && matches(k) {
			found = k
		}
	}
	st.Stop(t)
	if found < 0 {
		t.Errorf("no pass of the capture gave its events; the first %d readings:", len(want))
		for i, r := range data[:min(len(data), len(want))] {
			t.Logf("%d: %s (want %s)", i+1, r, want[i])
		}
	}
}
