package driver

import (
	"bytes"
	"context"
	"errors"
	"io"
	"path/filepath"
	"reflect"
	"sync"
	"testing"
	"testing/iotest"
	"time"

	"shicao/hardware"
	"shicao/hardware/asciiline"
	"shicao/hardware/cpr"
	"shicao/hardware/modbus"
	"shicao/hardware/modbus/modbustest"
	"shicao/hardware/modbus/rtuslave"
	"shicao/hardware/profiles"
	"shicao/hardware/serialport"
)

// recorder collects readings; safe for the test goroutine to read.
type recorder struct {
	mu sync.Mutex
	rs []hardware.Reading
}

func (r *recorder) emit(x hardware.Reading) { r.mu.Lock(); r.rs = append(r.rs, x); r.mu.Unlock() }

func (r *recorder) types() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	var ts []string
	for _, x := range r.rs {
		ts = append(ts, x.Type)
	}
	return ts
}

func (r *recorder) all() []hardware.Reading {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]hardware.Reading(nil), r.rs...)
}

// stream is a read-only device: what it sends, then a quiet line (a read
// timeout, (0, nil)), then io.EOF.
type stream struct {
	io.Reader
	quiet bool
}

func (s *stream) Read(p []byte) (int, error) {
	n, err := s.Reader.Read(p)
	if err == io.EOF && !s.quiet {
		s.quiet = true
		return 0, nil
	}
	return n, err
}

func (*stream) Write(p []byte) (int, error) { return len(p), nil }

func newDevice(t *testing.T, file, text string) hardware.Device {
	t.Helper()
	p, err := profiles.Parse(file, []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	d, err := New(p, "/dev/null-unused", Options{ID: "x-01", Now: func() time.Time { return time.Unix(0, 0) }})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// A new hook sensor from another vendor, added by profile text alone: its
// tag, keys and units differ from the reference device's.
const acmeHook = `kind: harness
model: ACME-GH2
vendor: ACME
framing: lines
port: {baud: 4800, data_bits: 8, parity: none, stop_bits: 1}
line:
  start: "$"
  end: "\n"
  trim: "\r\n"
  checksum: {algo: xor, separator: "*"}
lines:
  GH2:
    event: harness.hook
    fields:
      attached: {key: lock, type: bool}
      height_m: {key: mm, type: float, scale: 0.001, unit: m}
      below_waist: {key: low, type: bool}
`

func kv(pairs ...string) []asciiline.Field {
	var fs []asciiline.Field
	for i := 0; i < len(pairs); i += 2 {
		fs = append(fs, asciiline.Field{Key: pairs[i], Value: pairs[i+1]})
	}
	return fs
}

func TestLines_NewModelByProfile(t *testing.T) {
	d := newDevice(t, "acme-gh2.yaml", acmeHook).(*Stream)
	var in []byte
	in, _ = asciiline.AppendLine(in, asciiline.Line{Tag: "GH2", Fields: kv("lock", "1", "mm", "3250", "low", "0")})
	in = append(in, "\x00\xffnoise$GH2,lock=1*00\r\n"...) // noise and a bad checksum
	in, _ = asciiline.AppendLine(in, asciiline.Line{Tag: "GH9", Fields: kv("x", "1")})
	in, _ = asciiline.AppendLine(in, asciiline.Line{Tag: "GH2", Fields: kv("lock", "0", "mm", "1800", "low", "1")})
	var rec recorder
	e := &emitter{b: d.base, emit: rec.emit, start: d.now()}
	err := d.serve(context.Background(), &stream{Reader: iotest.OneByteReader(bytes.NewReader(in))}, func() {}, e)
	if err != io.EOF {
		t.Fatalf("serve = %v, want io.EOF at the end of the bytes", err)
	}
	want := []map[string]any{
		{"attached": true, "height_m": 3.25, "below_waist": false},
		{"attached": false, "height_m": 1.8, "below_waist": true},
	}
	got := rec.all()
	if len(got) != 2 {
		t.Fatalf("got %d readings %v, want 2", len(got), got)
	}
	for i, r := range got {
		if r.Type != "harness.hook" || r.Kind != hardware.KindHarness || r.Device != "x-01" || !reflect.DeepEqual(r.Fields, want[i]) {
			t.Errorf("reading %d = %+v, want harness.hook %v", i, r, want[i])
		}
	}
	if s := d.Stats(); s.Readings != 2 || s.Bad != 2 || s.Frames != 2 || s.Corrupt != 1 || s.Unmapped != 1 {
		t.Errorf("stats %+v, want 2 readings, 2 frames, 2 bad: 1 corrupt (checksum), 1 unmapped (unknown tag)", s)
	}
}

// TestRun_PortMissing: a port that is not there is the device's
// PortError (not found) while Run waits for it; with FailIfMissing, Run
// returns it at once. Counts include the bytes read off the port.
func TestRun_PortMissing(t *testing.T) {
	p, err := profiles.Load("cpr")
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ttyUSB9")
	d, err := New(p, path, Options{MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- d.Run(ctx, func(hardware.Reading) { t.Error("a reading from a missing port") }) }()
	pe := d.(interface{ PortError() error })
	deadline := time.Now().Add(5 * time.Second)
	for pe.PortError() == nil && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	var oe *serialport.OpenError
	if err := pe.PortError(); !errors.As(err, &oe) || !oe.NotFound() || oe.Path != path {
		t.Errorf("PortError = %v, want a not-found *serialport.OpenError for %s", err, path)
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("Run = %v, want nil when cancelled", err)
	}

	d, _ = New(p, path, Options{FailIfMissing: true})
	err = d.Run(context.Background(), func(hardware.Reading) {})
	if !errors.As(err, &oe) || !oe.NotFound() {
		t.Errorf("Run with FailIfMissing = %v, want a not-found *serialport.OpenError", err)
	}
}

// A new SCBA trainer with its own register map, added by profile text
// alone: slave 5, pressure in kPa over two holding registers, a signed
// flow, an alarm latched by a counter.
const otherSCBA = `kind: scba
model: OTHER-AIR-3
framing: modbus-rtu
port: {baud: 19200, data_bits: 8, parity: even, stop_bits: 1}
modbus:
  slave: 5
  poll_ms: 10
  timeout_ms: 50
  events:
    - event: scba.pressure
      fields:
        mpa: {table: holding, address: 40, format: u32, type: float, scale: 0.001, unit: MPa}
    - event: scba.breath
      trigger: {table: holding, address: 50}
      fields:
        lpm: {table: holding, address: 51, format: i16, type: float, scale: 0.1}
    - event: scba.valve
      fields:
        open: {table: coil, address: 7, type: bool}
`

func runModbus(t *testing.T, d *Modbus, s *rtuslave.Slave) (*recorder, func()) {
	t.Helper()
	master, slaveEnd := modbustest.Pipe(2 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); s.Serve(ctx, slaveEnd) }()
	var rec recorder
	e := &emitter{b: d.base, emit: rec.emit, start: d.now()}
	go func() { defer wg.Done(); d.serve(ctx, master, func() {}, e) }()
	return &rec, func() { cancel(); master.Close(); wg.Wait() }
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := testDeadline(t)
	for !cond() {
		select {
		case <-deadline:
			t.Fatalf("no %s", what)
		case <-time.After(2 * time.Millisecond):
		}
	}
}

func TestModbus_NewRegisterMapByProfile(t *testing.T) {
	d := newDevice(t, "other-air-3.yaml", otherSCBA).(*Modbus)
	s := rtuslave.New(5, 8, 60, 0)
	s.Update(func(coils []bool, h, _ []uint16) {
		h[40], h[41] = 0, 29500 // 29.5 MPa = 29500 kPa
		h[50] = 7               // seven breaths before we connected: not replayed
	})
	rec, stop := runModbus(t, d, s)
	defer stop()
	waitFor(t, "the first poll", func() bool { return len(rec.types()) >= 2 })
	s.Update(func(coils []bool, h, _ []uint16) {
		h[51] = uint16(0xFFFF - 41) // -4.2 L/min: exhaling through the valve
		h[50] = 8
		coils[7] = true
	})
	waitFor(t, "breath and valve", func() bool { return len(rec.types()) >= 4 })
	s.Update(func(_ []bool, h, _ []uint16) { h[40], h[41] = 1, 0 }) // 65.536 MPa: u32 high word first
	waitFor(t, "pressure change", func() bool { return len(rec.types()) >= 5 })
	got := rec.all()
	want := []struct {
		typ    string
		fields map[string]any
	}{
		{"scba.pressure", map[string]any{"mpa": 29.5}},
		{"scba.valve", map[string]any{"open": false}},
		{"scba.breath", map[string]any{"lpm": -4.2}},
		{"scba.valve", map[string]any{"open": true}},
		{"scba.pressure", map[string]any{"mpa": 65.536}},
	}
	for i, w := range want {
		if got[i].Type != w.typ || !reflect.DeepEqual(got[i].Fields, w.fields) || got[i].DeviceClock {
			t.Errorf("reading %d = %s %v, want %s %v", i, got[i].Type, got[i].Fields, w.typ, w.fields)
		}
	}
	if len(got) != len(want) {
		t.Errorf("%d readings, want %d (an unchanged poll emits nothing)", len(got), len(want))
	}
}

func TestModbus_Set(t *testing.T) {
	p, err := profiles.Load("board")
	if err != nil {
		t.Fatal(err)
	}
	p.Modbus.PollMS, p.Modbus.TimeoutMS = 10, 50
	dev, _ := New(p, "/dev/null-unused", Options{})
	d := dev.(*Modbus)
	ctx := context.Background()
	if err := d.Set(ctx, "power_enable", true); !errors.Is(err, ErrNotConnected) {
		t.Fatalf("Set before connecting = %v, want ErrNotConnected", err)
	}
	s := rtuslave.New(1, 100+51*50/2, 0, 10) // the matrix of 51 terminals; no provenance registers
	rec, stop := runModbus(t, d, s)
	defer stop()
	waitFor(t, "connected", func() bool { return d.up.Load() != nil })
	if err := d.Set(ctx, "power_enable", true); err != nil || !s.Coil(0) {
		t.Fatalf("Set = %v, coil 0 = %v", err, s.Coil(0))
	}
	waitFor(t, "board.power enabled", func() bool {
		for _, r := range rec.all() {
			if r.Type == "board.power" && r.Fields["enabled"] == true {
				return true
			}
		}
		return false
	})
	s.OnWriteCoil(func(uint16, bool) byte { return modbus.ServerDeviceBusy })
	var exc *modbus.ExceptionError
	if err := d.Set(ctx, "power_enable", false); !errors.As(err, &exc) {
		t.Errorf("Set refused by the board = %v, want the exception", err)
	}
	if err := d.Set(ctx, "self_destruct", true); err == nil {
		t.Error("Set of an unknown control succeeded")
	}
}

// putASCII packs text as the reference trainers do: two characters per
// register, high byte first, NUL-padded.
func putASCII(regs []uint16, text string) {
	b := make([]byte, 2*len(regs))
	copy(b, text)
	for i := range regs {
		regs[i] = uint16(b[2*i])<<8 | uint16(b[2*i+1])
	}
}

func TestModbus_Provenance(t *testing.T) {
	p, err := profiles.Load("scba")
	if err != nil {
		t.Fatal(err)
	}
	p.Modbus.PollMS, p.Modbus.TimeoutMS = 10, 50
	identify := func(s *rtuslave.Slave, serial string) {
		s.Update(func(_ []bool, _, in []uint16) {
			putASCII(in[100:108], "SHICAO-SCBA-1")
			putASCII(in[108:114], serial)
			putASCII(in[114:118], "2.1.0")
			in[118] = 64
		})
	}
	statuses := func(rec *recorder) []hardware.Reading {
		var out []hardware.Reading
		for _, r := range rec.all() {
			if r.Type == hardware.TypeStatus {
				out = append(out, r)
			}
		}
		return out
	}
	t.Run("OncePerConnection", func(t *testing.T) {
		dev, _ := New(p, "/dev/null-unused", Options{})
		d := dev.(*Modbus)
		s := rtuslave.New(1, 2, 0, 119)
		identify(s, "SN-0001")
		rec, stop := runModbus(t, d, s)
		waitFor(t, "device.status", func() bool { return len(statuses(rec)) == 1 })
		want := map[string]any{"kind": "scba", "model": "SHICAO-SCBA-1", "serial": "SN-0001", "firmware": "2.1.0", "battery_pct": 64}
		if got := statuses(rec)[0].Fields; !reflect.DeepEqual(got, want) {
			t.Errorf("device.status %v, want %v", got, want)
		}
		if got := d.Info(); got != (hardware.Info{Model: "SHICAO-SCBA-1", Serial: "SN-0001", Firmware: "2.1.0"}) {
			t.Errorf("Info() = %+v", got)
		}
		// Not polled: a change is seen at the next connection only.
		identify(s, "SN-0002")
		n := s.Requests()
		waitFor(t, "more polls", func() bool { return s.Requests() > n+10 })
		stop()
		if got := statuses(rec); len(got) != 1 || d.Info().Serial != "SN-0001" {
			t.Errorf("statuses %v, serial %q: want the provenance read once per connection", got, d.Info().Serial)
		}
		rec, stop = runModbus(t, d, s)
		defer stop()
		waitFor(t, "device.status after reconnecting", func() bool { return len(statuses(rec)) == 1 })
		if d.Info().Serial != "SN-0002" {
			t.Errorf("serial %q after reconnecting, want SN-0002", d.Info().Serial)
		}
	})
	t.Run("RegistersRefused", func(t *testing.T) {
		// Older firmware without the provenance registers: the device still
		// comes up, with the profile's model and no serial.
		dev, _ := New(p, "/dev/null-unused", Options{})
		d := dev.(*Modbus)
		s := rtuslave.New(1, 2, 0, 9)
		rec, stop := runModbus(t, d, s)
		defer stop()
		waitFor(t, "readings", func() bool { return len(rec.all()) >= 3 })
		if got := statuses(rec); len(got) != 0 || d.Info() != (hardware.Info{Model: "SHICAO-SCBA-1"}) {
			t.Errorf("statuses %v, Info() = %+v; want none and the profile's model only", got, d.Info())
		}
	})
}

func TestModbus_SilentSlaveIsLost(t *testing.T) {
	p, _ := profiles.Parse("s.yaml", []byte(otherSCBA))
	dev, _ := New(p, "/dev/null-unused", Options{})
	d := dev.(*Modbus)
	s := rtuslave.New(5, 8, 60, 0)
	master, slaveEnd := modbustest.Pipe(2 * time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	go s.Serve(ctx, slaveEnd)
	up := make(chan struct{})
	var once sync.Once
	done := make(chan error)
	var rec recorder
	go func() {
		done <- d.serve(ctx, master, func() { once.Do(func() { close(up) }) }, &emitter{b: d.base, emit: rec.emit, start: time.Now()})
	}()
	// Muted once it has answered, not after a time: on a loaded machine
	// the first poll may come later than any guess.
	select {
	case <-up:
	case <-testDeadline(t):
		t.Fatal("never reported up")
	}
	s.SetMute(true)
	select {
	case err := <-done:
		if !errors.Is(err, modbus.ErrTimeout) {
			t.Errorf("serve = %v, want it to give up with ErrTimeout", err)
		}
	case <-testDeadline(t):
		t.Fatal("serve still running with a silent slave")
	}
}

// testDeadline is closed shortly before the test binary's deadline: a wait
// for an event fails the test with its own message, never because a
// loaded machine was slow.
func testDeadline(t *testing.T) <-chan time.Time {
	d, ok := t.Deadline()
	if !ok {
		return nil
	}
	return time.After(time.Until(d) * 19 / 20)
}

func TestCPR_Serve(t *testing.T) {
	p, _ := profiles.Load("cpr")
	dev, _ := New(p, "/dev/null-unused", Options{ID: "cpr-07"})
	d := dev.(*Stream)
	var in []byte
	in, _ = cpr.AppendFrame(in, &cpr.Status{TimeMS: 10, BatteryPct: 90, Firmware: [3]uint8{2, 0, 1}, Serial: "SN-9", Model: "M-1"})
	in = append(in, 0x55, 0xAA, 0x30, 0x13) // a false header
	in, _ = cpr.AppendFrame(in, &cpr.Compression{TimeMS: 2500, DepthMM: 55, Recoil: true})
	var rec recorder
	err := d.serve(context.Background(), &stream{Reader: iotest.OneByteReader(bytes.NewReader(in))}, func() {}, &emitter{b: d.base, emit: rec.emit, start: time.Now()})
	if err != io.EOF {
		t.Fatalf("serve = %v", err)
	}
	got := rec.all()
	if len(got) != 2 || got[1].Type != "cpr.compression" || got[1].At != 2500*time.Millisecond || !got[1].DeviceClock {
		t.Fatalf("readings %+v", got)
	}
	if got[0].Fields["kind"] != "cpr" || d.Info() != (hardware.Info{Model: "M-1", Serial: "SN-9", Firmware: "2.0.1"}) {
		t.Errorf("status %v, info %+v", got[0].Fields, d.Info())
	}
}
