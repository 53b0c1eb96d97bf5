package station

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
)

// The readiness gate. Before a candidate's first item, every device the
// drawn items need passes a check: connected, registered to this site,
// its self-test (a device whose wire has none reports none failed), able
// to measure every field the drawn standards read, and the reference
// checks the standards ask for (the examiner applies a known input, the
// device must read it within tolerance). With Config.ClockMaxAge set, the
// station's clock offset from the centre, measured at the last sync, must
// be known, recent and under MaxClockOffset. A failed check refuses the
// start with its own code; the passed checks are readiness.check events in
// the opening events of the candidate's first item, so they are signed
// into the result with it.

// MaxClockOffset is the largest offset from the centre's clock, at the
// last sync, at which a candidate's first item may start.
const MaxClockOffset = time.Second

// DefaultClockMaxAge is how old the clock offset may be at a station that
// checks it (a station syncs at least daily, before the exam day).
const DefaultClockMaxAge = 24 * time.Hour

// StaleAfter is how long after its last reading a sensor's value is shown
// as "--": the value on the screen is never older than this.
const StaleAfter = time.Second

// Stale reports whether the device's last reading is too old to show at
// now (or there is none): the screen shows "--" instead of the value.
func (d Device) Stale(now time.Time) bool {
	return d.LastReading.IsZero() || now.Sub(d.LastReading) >= StaleAfter
}

// Check is one passed check of the readiness gate, as its readiness.check
// event records it.
type Check struct {
	Device    string // device kind; "" for the clock
	Serial    string
	Check     string // connected, registered, self-test, reference, clock
	Value     float64
	Expected  float64
	Tolerance float64
	OffsetMs  int64
	Detail    string
}

func (c Check) data() map[string]any {
	return map[string]any{"device": c.Device, "serial": c.Serial, "check": c.Check, "ok": true,
		"value": c.Value, "expected": c.Expected, "tolerance": c.Tolerance, "offset_ms": c.OffsetMs, "detail": c.Detail}
}

// Meta keys of the clock offset the last sync measured.
const (
	metaClockOffset = "clock_offset_ms"
	metaClockAt     = "clock_offset_at"
)

// RecordClockOffset keeps the station's clock offset from the centre
// (centre minus station) as the sync measured it at at.
func (s *Station) RecordClockOffset(ctx context.Context, offset time.Duration, at time.Time) error {
	if err := s.st.SetMeta(ctx, metaClockOffset, strconv.FormatInt(offset.Milliseconds(), 10)); err != nil {
		return err
	}
	return s.st.SetMeta(ctx, metaClockAt, at.UTC().Format(time.RFC3339Nano))
}

// clockCheck checks the offset the last sync measured.
func (s *Station) clockCheck(ctx context.Context) (Check, *Refusal) {
	ms, err1 := s.st.Meta(ctx, metaClockOffset)
	at, err2 := s.st.Meta(ctx, metaClockAt)
	off, err3 := strconv.ParseInt(ms, 10, 64)
	when, err4 := time.Parse(time.RFC3339Nano, at)
	if err1 != nil || err2 != nil || err3 != nil || err4 != nil {
		return Check{}, refuse("clock-unknown", "本站时钟与考务中心的偏差未知（尚未同步）；请先同步（shicao station sync）", "the station's clock offset from the centre is unknown (no sync yet); sync first (shicao station sync)")
	}
	if age := s.cfg.Now().Sub(when); age > s.cfg.ClockMaxAge || age < -s.cfg.ClockMaxAge {
		return Check{}, refuse("clock-stale", "本站上次与考务中心同步时钟是在 %s，已超过 %s；请先同步", "the station last measured its clock against the centre at %s, more than %s ago; sync first",
			when.Local().Format("2006-01-02 15:04:05"), s.cfg.ClockMaxAge)
	}
	d := time.Duration(off) * time.Millisecond
	if d >= MaxClockOffset || d <= -MaxClockOffset {
		return Check{}, refuse("clock-offset", "本站时钟与考务中心相差 %d 毫秒（上限 %d 毫秒）；请校准时钟后再同步", "the station's clock is %d ms off the centre's (at most %d ms); set the clock right and sync again",
			off, MaxClockOffset.Milliseconds())
	}
	return Check{Check: "clock", OffsetMs: off, Detail: "measured " + when.UTC().Format(time.RFC3339)}, nil
}

// references returns the reference checks the drawn standards ask for.
func (e *Exam) references() []standards.Reference {
	var out []standards.Reference
	for _, d := range e.drawn {
		out = append(out, d.Standard.Reference...)
	}
	return out
}

// References lists the reference checks the drawn items ask for, for the
// screen: what the examiner does for each, and whether it passed.
func (e *Exam) References() []ReferenceState {
	var out []ReferenceState
	for _, r := range e.references() {
		_, ok := e.refPassed[refKey(r)]
		out = append(out, ReferenceState{Reference: r, Passed: ok, Armed: e.armed != nil && refKey(*e.armed) == refKey(r)})
	}
	return out
}

// ReferenceState is one reference check and where it stands.
type ReferenceState struct {
	standards.Reference
	Passed bool
	Armed  bool // waiting for the device's reading
}

func refKey(r standards.Reference) string { return r.Device + " " + r.Type + " " + r.Field }

// StartReference arms the reference check of a device kind: the examiner
// applies the known input and the device's next reading of the check's
// event type is compared (Offer). It returns the check, whose
// Instructions the screen shows.
func (e *Exam) StartReference(kind string) (*standards.Reference, error) {
	if len(e.drawn) == 0 {
		return nil, refuse("not-drawn", "尚未抽题", "nothing has been drawn yet")
	}
	for _, r := range e.references() {
		if r.Device == kind {
			e.s.refMu.Lock()
			e.armed = &r
			e.s.refExam = e
			e.refDone = make(chan error, 1)
			e.s.refMu.Unlock()
			return &r, nil
		}
	}
	return nil, refuse("reference-none", "抽到的考题对设备 %s 没有参照检查", "the drawn items ask for no reference check of device %s", kind)
}

// Offer gives the station a device reading that is not an item's (no
// item runs). When a reference check is armed for the device and the
// reading is of its event type, the check completes: nil and done for a
// pass, a "reference-failed" Refusal naming the reading for a fail (the
// examiner starts it again).
func (s *Station) Offer(kind, typ string, data map[string]any) (done bool, err error) {
	s.refMu.Lock()
	defer s.refMu.Unlock()
	e := s.refExam
	if e == nil || e.armed == nil || e.armed.Device != kind || e.armed.Type != typ {
		return false, nil
	}
	r := *e.armed
	e.armed, s.refExam = nil, nil
	if why := e.judge(r, data); why != nil {
		err = why
	}
	if e.refDone != nil {
		e.refDone <- err // buffered: one outcome per arming
		e.refDone = nil
	}
	return true, err
}

// judge compares a reading with a reference check and records a pass
// (the caller holds s.refMu).
func (e *Exam) judge(r standards.Reference, data map[string]any) *Refusal {
	v, ok := number(data[r.Field])
	if !ok {
		return refuse("reference-failed", "设备 %s 的参照检查：读数没有 %s", "reference check of device %s: the reading has no %s", r.Device, r.Field)
	}
	if math.Abs(v-r.Expected) > r.Tolerance {
		return refuse("reference-failed", "设备 %s 参照检查未通过：%s 读数 %g，应为 %g ± %g；请检查设备后重做",
			"device %s failed its reference check: %s read %g, want %g ± %g; check the device and do it again", r.Device, r.Field, v, r.Expected, r.Tolerance)
	}
	if e.refPassed == nil {
		e.refPassed = map[string]float64{}
	}
	e.refPassed[refKey(r)] = v
	return nil
}

// referenceRead is the reading a passed reference check recorded.
func (e *Exam) referenceRead(r standards.Reference) float64 {
	e.s.refMu.Lock()
	defer e.s.refMu.Unlock()
	return e.refPassed[refKey(r)]
}

// AwaitReference waits for the outcome of the reference check armed by
// StartReference: nil when the device's reading passed, the
// "reference-failed" Refusal naming the reading, or ctx's error. It
// returns an error at once when no check is armed.
func (e *Exam) AwaitReference(ctx context.Context) error {
	e.s.refMu.Lock()
	done := e.refDone
	e.s.refMu.Unlock()
	if done == nil {
		return refuse("reference-none", "没有等待读数的参照检查", "no reference check is waiting for a reading")
	}
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

func number(v any) (float64, bool) {
	switch n := v.(type) {
	case int:
		return float64(n), true
	case int64:
		return float64(n), true
	case float64:
		return n, true
	case float32:
		return float64(n), true
	}
	return 0, false
}

// String is the check as one line: "cpr connected SN-1 /dev/ttyUSB0".
func (c Check) String() string {
	switch c.Check {
	case "clock":
		return fmt.Sprintf("clock offset %d ms (%s)", c.OffsetMs, c.Detail)
	case "reference":
		return fmt.Sprintf("%s reference %s read %g (%g ± %g)", c.Device, c.Detail, c.Value, c.Expected, c.Tolerance)
	}
	return strings.TrimSpace(fmt.Sprintf("%s %s %s %s", c.Device, c.Check, c.Serial, c.Detail))
}

// Ready runs the readiness gate without starting an item: the checks the
// candidate's first item would record, or the refusal of the first that
// fails. The screen shows it before the first item.
func (e *Exam) Ready(ctx context.Context, devices []Device) ([]Check, error) {
	if len(e.drawn) == 0 {
		return nil, refuse("not-drawn", "尚未抽题", "nothing has been drawn yet")
	}
	e.s.refMu.Lock()
	defer e.s.refMu.Unlock()
	checks, why := e.readiness(ctx, e.drawn[0].Standard, devices)
	if why != nil {
		return nil, why
	}
	return checks, nil
}

// readiness runs the gate before the candidate's first item and returns
// the checks passed, or the refusal of the first that failed.
func (e *Exam) readiness(ctx context.Context, std *standards.Standard, devices []Device) ([]Check, *Refusal) {
	// The starting item's own devices first: its refusal is the one the
	// examiner expects to see.
	kinds := slices.Clone(std.Devices)
	for _, d := range e.drawn {
		for _, k := range d.Standard.Devices {
			if !slices.Contains(kinds, k) {
				kinds = append(kinds, k)
			}
		}
	}
	var checks []Check
	for _, kind := range kinds {
		dev, why := e.pickDevice(ctx, kind, devices)
		if why != nil {
			return nil, why
		}
		for _, d := range e.drawn {
			if slices.Contains(d.Standard.Devices, kind) {
				if why := unmeasured(d.Standard, dev); why != nil {
					return nil, why
				}
			}
		}
		checks = append(checks,
			Check{Device: kind, Serial: dev.Serial, Check: "connected", Detail: dev.Port},
			Check{Device: kind, Serial: dev.Serial, Check: "registered", Detail: e.s.cfg.Site},
			Check{Device: kind, Serial: dev.Serial, Check: "self-test"})
	}
	for _, r := range e.references() {
		v, ok := e.refPassed[refKey(r)]
		if !ok {
			return nil, refuse("reference-needed", "开考前设备 %s 须通过参照检查：%s（读数 %s 应为 %g ± %g）", "device %s must pass its reference check before the first item: %s (%s must read %g ± %g)",
				r.Device, r.Instructions, r.Field, r.Expected, r.Tolerance)
		}
		serial := ""
		for _, c := range checks {
			if c.Device == r.Device {
				serial = c.Serial
			}
		}
		checks = append(checks, Check{Device: r.Device, Serial: serial, Check: "reference", Value: v, Expected: r.Expected, Tolerance: r.Tolerance, Detail: r.Type + "." + r.Field})
	}
	if e.s.cfg.ClockMaxAge > 0 {
		c, why := e.s.clockCheck(ctx)
		if why != nil {
			return nil, why
		}
		checks = append(checks, c)
	}
	return checks, nil
}

// readinessEvents are the opening events that record the checks.
func readinessEvents(checks []Check) ([]store.NewEvent, error) {
	var out []store.NewEvent
	for _, c := range checks {
		raw, err := json.Marshal(c.data())
		if err != nil {
			return nil, fmt.Errorf("readiness check: %w", err)
		}
		out = append(out, store.NewEvent{TMs: 0, Type: "readiness.check", Source: "system", Data: raw})
	}
	return out, nil
}
