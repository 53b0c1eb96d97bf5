package profiles

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
	"time"

	"shicao/hardware/cpr"
)

// decodeAll feeds r into a Stream of p as a serial port would, every read
// at the same time, and returns the events.
func decodeAll(t testing.TB, p *Profile, r io.Reader) ([]Event, StreamStats) {
	t.Helper()
	s, err := p.NewStream()
	if err != nil {
		t.Fatal(err)
	}
	var got []Event
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
		s.Write(buf[:n], time.Second)
		for e, ok := s.Next(); ok; e, ok = s.Next() {
			got = append(got, e)
		}
		if err == io.EOF {
			s.Flush()
			return got, s.Stats()
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func mustLoad(t testing.TB, name string) *Profile {
	t.Helper()
	p, err := Load(name)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func frame(t testing.TB, rec cpr.Record) []byte {
	t.Helper()
	b, err := cpr.AppendFrame(nil, rec)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// raw25 builds a frame of the 20-byte manikin.
func raw25(typ byte, depth int, battery byte, serial string, fw byte) []byte {
	f := make([]byte, 20)
	f[0], f[1], f[2], f[3] = 0xA5, 0x5A, 20, typ
	f[5], f[6], f[7] = byte(depth>>8), byte(depth), battery
	copy(f[8:18], serial)
	f[18] = fw
	var s byte
	for _, b := range f[:19] {
		s += b
	}
	f[19] = s
	return f
}

func TestStream_Records(t *testing.T) {
	comp := frame(t, &cpr.Compression{TimeMS: 1000, DepthMM: 54, Position: cpr.PositionLeft, Recoil: true})
	vent := frame(t, &cpr.Ventilation{TimeMS: 1500, VolumeML: 650, AirwayOpen: true, Gastric: true})
	status := frame(t, &cpr.Status{TimeMS: 5, BatteryPct: 87, Firmware: [3]uint8{1, 4, 2}, Serial: "CPR2024-0007", Model: "SIM-CPR-1"})
	badPos := cpr.AppendRaw(nil, cpr.TypeCompression, []byte{0, 0, 0, 0, 54, 0, 9, 1})
	badFlags := cpr.AppendRaw(nil, cpr.TypeVentilation, []byte{0, 0, 0, 0, 1, 2, 0x84})
	unknown := cpr.AppendRaw(nil, 0x7F, []byte{1, 2, 3})
	wrongLen := cpr.AppendRaw(nil, cpr.TypeSample, []byte{1, 2, 3})
	badText := cpr.AppendRaw(nil, cpr.TypeStatus, append([]byte{5, 0, 0, 0, 50, 1, 0, 0, 'A', 0, 'B'}, make([]byte, 21)...))
	compEv := Event{"cpr.compression", map[string]any{"depth_mm": 54, "position": "left", "recoil": true}, time.Second, true}
	tests := []struct {
		name    string
		profile string
		in      [][]byte
		want    []Event
		stats   StreamStats
	}{
		{"cpr every record", "cpr", [][]byte{comp, vent, status}, []Event{compEv,
			{"cpr.ventilation", map[string]any{"volume_ml": 650, "airway_open": true, "gastric": true}, 1500 * time.Millisecond, true},
			{"device.status", map[string]any{"battery_pct": 87, "firmware": "1.4.2", "serial": "CPR2024-0007", "model": "SIM-CPR-1"}, 5 * time.Millisecond, true}},
			StreamStats{Records: 3}},
		{"cpr refused whole", "cpr", [][]byte{badPos, badFlags, unknown, wrongLen, badText, comp}, []Event{compEv},
			StreamStats{Records: 1, Unknown: 1, Invalid: 4, Dropped: int64(len(badPos) + len(badFlags) + len(unknown) + len(wrongLen) + len(badText))}},
		{"cpr garbage and bad crc", "cpr", [][]byte{{0x00, 0x55, 0x13}, comp[:len(comp)-1], {comp[len(comp)-1] ^ 1}, comp}, []Event{compEv},
			StreamStats{Records: 1, Checksum: 1, Dropped: 3 + int64(len(comp))}},
		{"pd", "cpr-pd", [][]byte{[]byte("<PD=54>\r\n<Blow>\r\n<Battery=87>\r\n<Hello>\r\n<Battery=187>\r\n<PD=5")}, []Event{
			{"cpr.compression", map[string]any{"depth_mm": 54}, time.Second, false},
			{"cpr.ventilation", map[string]any{}, time.Second, false},
			{"device.status", map[string]any{"battery_pct": 87, "model": "PD-CPR"}, time.Second, false}},
			StreamStats{Records: 3, Unknown: 1, Invalid: 1, Dropped: 7 + 13 + 5}},
		{"raw25 samples give compressions", "cpr-raw25", [][]byte{
			raw25(2, 0, 91, "RAW25-0042", 3),
			raw25(1, 100, 0, "", 0), raw25(1, 150, 0, "", 0), raw25(1, 208, 0, "", 0), raw25(1, 160, 0, "", 0), raw25(1, 111, 0, "", 0),
			raw25(1, 129, 0, "", 0)}, []Event{
			{"device.status", map[string]any{"battery_pct": 91, "serial": "RAW25-0042", "model": "RAW25-CPR", "firmware": "v3"}, time.Second, false},
			{"cpr.sample", map[string]any{"depth_mm": 0}, time.Second, false},
			{"cpr.sample", map[string]any{"depth_mm": 25}, time.Second, false},
			{"cpr.sample", map[string]any{"depth_mm": 54}, time.Second, false},
			{"cpr.sample", map[string]any{"depth_mm": 30}, time.Second, false},
			{"cpr.sample", map[string]any{"depth_mm": 6}, time.Second, false},
			{"cpr.compression", map[string]any{"depth_mm": 54, "recoil": true}, time.Second, false},
			{"cpr.sample", map[string]any{"depth_mm": 15}, time.Second, false}},
			StreamStats{Records: 7}},
	}
	for _, tt := range tests {
		for _, mode := range []string{"whole", "one byte"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				in := bytes.Join(tt.in, nil)
				var r io.Reader = bytes.NewReader(in)
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				got, stats := decodeAll(t, mustLoad(t, tt.profile), r)
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("events\n got %+v\nwant %+v", got, tt.want)
				}
				tt.stats.Bytes = int64(len(in))
				if stats != tt.stats {
					t.Errorf("stats %+v\nwant  %+v", stats, tt.stats)
				}
			})
		}
	}
}

// TestCompressionDetector drives the detector sample by sample: baseline
// 100, threshold 30, recoil band 12, as the public 25 Hz manikin counts.
func TestCompressionDetector(t *testing.T) {
	base := 100.0
	tests := []struct {
		name     string
		baseline *float64
		samples  []float64
		want     []map[string]any
	}{
		{"one with recoil", &base, []float64{100, 140, 208, 150, 112, 100}, []map[string]any{{"depth": 54.0, "recoil": true, "peak": 208.0}}},
		{"below the threshold is not a compression", &base, []float64{100, 129, 101, 129, 100}, nil},
		{"recoil at the edge of the band", &base, []float64{130, 113, 112}, []map[string]any{{"depth": 15.0, "recoil": true, "peak": 130.0}}},
		{"without recoil, then another", &base, []float64{100, 200, 160, 125, 150, 156, 210, 150, 100}, []map[string]any{
			{"depth": 50.0, "recoil": false, "peak": 200.0}, {"depth": 55.0, "recoil": true, "peak": 210.0}}},
		{"a wobble at the bottom is one compression", &base, []float64{100, 200, 190, 205, 180, 100}, []map[string]any{{"depth": 52.5, "recoil": true, "peak": 205.0}}},
		{"baseline from the first sample", nil, []float64{300, 360, 301}, []map[string]any{{"depth": 30.0, "recoil": true, "peak": 360.0}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			st := newTransformState(&Transform{Compressions: &CompressionDetector{Record: "s", Value: "d", Baseline: tt.baseline, Threshold: 30, RecoilBand: 12, Scale: 0.5}})
			var got []map[string]any
			for _, v := range tt.samples {
				got = append(got, st.feed(map[string]any{"d": v}, 0)...)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %v, want %v", got, tt.want)
			}
		})
	}
}

func TestCounterAndRate(t *testing.T) {
	c := newTransformState(&Transform{Counter: &Counter{Record: "r", Value: "n", Modulo: 256}})
	var counts []any
	for _, n := range []int{250, 250, 251, 254, 1} {
		for _, o := range c.feed(map[string]any{"n": n}, 0) {
			counts = append(counts, o["count"])
		}
	}
	// The first value only sets the count; 251 is one breath, 254 three,
	// 1 wraps past 255 for three more.
	if want := []any{251, 252, 253, 254, -1, 0, 1}; !reflect.DeepEqual(counts, want) {
		t.Errorf("counter gave %v, want %v", counts, want)
	}
	r := newTransformState(&Transform{Rate: &RateWindow{Record: "r", WindowMS: 10000}})
	var rates []any
	for _, at := range []int{0, 5000, 9999, 10000, 30000} {
		o := r.feed(nil, time.Duration(at)*time.Millisecond)
		rates = append(rates, o[0]["per_min"])
	}
	if want := []any{6.0, 12.0, 18.0, 18.0, 6.0}; !reflect.DeepEqual(rates, want) {
		t.Errorf("rates %v, want %v", rates, want)
	}
}

const pdHead = `kind: cpr
model: X
framing: lines
port: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}
line: {start: "<", end: ">", between: "\r\n"}
`

// TestProfile_CheckUnmapped: a profile that leaves a vocabulary field
// neither mapped, constant, derived nor unmeasured is refused, with the
// file and line, rather than giving events a score later refuses.
func TestProfile_CheckUnmapped(t *testing.T) {
	p, err := Parse("pd.yaml", []byte(pdHead+`records:
  - pattern: '<PD=(?P<depth_mm>\d+)>'
    event: cpr.compression
    fields:
      depth_mm: {type: int}
`))
	if err != nil {
		t.Fatal(err)
	}
	err = p.Check(vocabulary(t))
	var pe *Error
	if !errors.As(err, &pe) || !strings.Contains(err.Error(), `profile pd.yaml:9: records.0.fields: cpr.compression field "position" is neither mapped, constant, derived nor unmeasured`) {
		t.Errorf("Check = %v, want the unmapped position refused at line 9", err)
	}
	pd := mustLoad(t, "cpr-pd")
	if got := pd.Unmeasured("cpr.compression"); !reflect.DeepEqual(got, []string{"position", "recoil"}) {
		t.Errorf("Unmeasured(cpr.compression) = %v, want position and recoil", got)
	}
	if got := pd.Unmeasured("device.status"); !reflect.DeepEqual(got, []string{"firmware", "serial"}) {
		t.Errorf("Unmeasured(device.status) = %v", got)
	}
	if got := mustLoad(t, "cpr").Unmeasured("cpr.compression"); got != nil {
		t.Errorf("the reference manikin measures everything; Unmeasured = %v", got)
	}
}

func TestParse_LanguageErrors(t *testing.T) {
	const bin = "kind: cpr\nmodel: X\nframing: binary\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\n"
	tests := []struct {
		name, yaml, want string
	}{
		{"old framing name", "kind: cpr\nmodel: X\nframing: cpr-binary\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\n", `x.yaml:3: framing: framing "cpr-binary" is now written as data`},
		{"checksum algo", "kind: cpr\nmodel: X\nframing: lines\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\nline: {end: \"\\n\", checksum: {algo: md5}}\nrecords: [{pattern: x, event: cpr.ventilation, fields: {gastric: {unmeasured: true}}}]\n", `x.yaml:5: line: checksum "md5"`},
		{"group missing", pdHead + "records:\n  - pattern: '<PD=(?P<d>\\d+)>'\n    event: cpr.compression\n    fields:\n      depth_mm: {type: int}\n", `x.yaml:10: records.0.fields.depth_mm: capture "depth_mm": the pattern has no group`},
		{"two sources", pdHead + "records:\n  - pattern: '<PD=(?P<depth_mm>\\d+)>'\n    event: cpr.compression\n    fields:\n      depth_mm: {type: int, const: 5, expr: '1'}\n", "x.yaml:10: records.0.fields.depth_mm: give exactly one"},
		{"const of the wrong type", pdHead + "records:\n  - pattern: '<B>'\n    event: cpr.ventilation\n    fields:\n      gastric: {type: bool, const: maybe}\n", "records.0.fields.gastric.const: const maybe is not a bool"},
		{"expr unknown name", pdHead + "records:\n  - pattern: '<PD=(?P<depth_mm>\\d+)>'\n    event: cpr.compression\n    fields:\n      depth_mm: {type: int}\n      recoil: {type: bool, expr: 'depht_mm > 3'}\n", "records.0.fields.recoil.expr: expr: unknown name depht_mm"},
		{"unmeasured with a type", pdHead + "records:\n  - pattern: '<B>'\n    event: cpr.ventilation\n    fields:\n      gastric: {type: bool, unmeasured: true}\n", "an unmeasured field has nothing else"},
		{"transform of no record", pdHead + "records:\n  - pattern: '<B>'\n    event: cpr.ventilation\n    fields:\n      gastric: {unmeasured: true}\ntransforms:\n  - counter: {record: nope, value: n}\n    event: cpr.ventilation\n    fields: {gastric: {unmeasured: true}}\n", `x.yaml:12: transforms.0.counter.record: record "nope"`},
		{"field past the frame", bin + "frame: {header: [0xA5], size: 8, checksum: {algo: sum8, from: 0, to: -1, at: -1}}\nrecords:\n  - event: cpr.sample\n    fields:\n      depth_mm: {offset: 7, format: u16, type: int}\n", "x.yaml:9: records.0.fields.depth_mm.offset: offset 7"},
		{"checksum overlapping", bin + "frame: {header: [0xA5], size: 8, checksum: {algo: crc16-modbus, from: 0, to: 8, at: 6}}\nrecords:\n  - event: cpr.sample\n    fields:\n      depth_mm: {offset: 1, format: u16, type: int}\n", "x.yaml:5: frame: checksum"},
		{"binary needs types", bin + "frame: {header: [0xA5], size: 8, checksum: {algo: none}}\nrecords:\n  - event: cpr.sample\n    fields: {depth_mm: {offset: 1, format: u16, type: int}}\n  - event: cpr.ventilation\n    fields: {gastric: {offset: 3, format: u8, type: bool}}\n", "several records need a type byte"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse("x.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v\nwant it to contain %q", err, tt.want)
			}
		})
	}
}

// TestParse_CapturesRefused: a profile whose capture does not give the
// events it lists is refused, naming the capture and the event.
func TestParse_CapturesRefused(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("pd.cap", "0 3c50443d35343e0d0a\n") // <PD=54>\r\n
	write("good.events", `{"type": "cpr.compression", "data": {"depth_mm": 54}}`+"\n")
	write("bad.events", `{"type": "cpr.compression", "data": {"depth_mm": 55}}`+"\n")
	profile := pdHead + "records:\n  - pattern: '<PD=(?P<depth_mm>\\d+)>'\n    event: cpr.compression\n    fields:\n      depth_mm: {type: int}\n      position: {unmeasured: true}\n      recoil: {unmeasured: true}\ncaptures:\n  - {name: one, bytes: pd.cap, events: %s}\n"
	if _, err := Parse(filepath.Join(dir, "pd.yaml"), []byte(strings.Replace(profile, "%s", "good.events", 1))); err != nil {
		t.Fatalf("Parse with a good capture: %v", err)
	}
	_, err := Parse(filepath.Join(dir, "pd.yaml"), []byte(strings.Replace(profile, "%s", "bad.events", 1)))
	var ce *CaptureError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `capture "one": event 1: got t_ms=0 cpr.compression {"depth_mm":54}, want cpr.compression {"depth_mm":55}`) {
		t.Errorf("Parse = %v, want the capture's failure", err)
	}
	p, err := ParseUntested(filepath.Join(dir, "pd.yaml"), []byte(strings.Replace(profile, "%s", "bad.events", 1)))
	if err != nil {
		t.Fatal(err)
	}
	if rs := p.TestCaptures(); len(rs) != 1 || rs[0].Err == nil || rs[0].Events != 1 {
		t.Errorf("TestCaptures = %+v, want one failed capture of one event", rs)
	}
}

// streaming returns the embedded profiles that stream.
func streaming(t testing.TB) []*Profile {
	var ps []*Profile
	for _, n := range Names() {
		p, err := Load(n)
		if err != nil {
			t.Fatal(err)
		}
		if p.Framing != FramingModbus {
			ps = append(ps, p)
		}
	}
	return ps
}

// FuzzStream feeds any bytes to every streaming profile of the repository
// one byte at a time: no panic, no byte counted twice, every event a
// vocabulary event whose fields have the vocabulary's Go types.
func FuzzStream(f *testing.F) {
	for _, p := range streaming(f) {
		for _, c := range p.Captures {
			chunks, _, err := p.CaptureData(c)
			if err != nil {
				f.Fatal(err)
			}
			var b []byte
			for _, ch := range chunks[:min(len(chunks), 20)] {
				b = append(b, ch.Data...)
			}
			f.Add(b)
		}
	}
	f.Add([]byte("<PD=999999>$EXPIN,p=1*00\r\n\xa5\x5a\x14\x01"))
	vocab := vocabulary(f)
	ps := streaming(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, p := range ps {
			evs, st := decodeAll(t, p, iotest.OneByteReader(bytes.NewReader(in)))
			if st.Dropped > st.Bytes || st.Bytes != int64(len(in)) {
				t.Fatalf("%s: stats %+v for %d bytes", p.Name, st, len(in))
			}
			for _, e := range evs {
				want := vocab[e.Type]
				for name, v := range e.Fields {
					if typ, ok := want[name]; !ok || reflect.TypeOf(v) != reflect.TypeOf(zero(typ)) {
						t.Fatalf("%s: event %s field %s = %T, vocabulary %q", p.Name, e.Type, name, v, typ)
					}
				}
			}
		}
	})
}

// BenchmarkStream decodes each streaming profile's captures, repeated to
// about a megabyte, in reads of 256 bytes. Target (issue #17): at least
// 1,000 times a 115,200-baud line, 11.52 MB/s, for every framing.
func BenchmarkStream(b *testing.B) {
	for _, p := range streaming(b) {
		var one, in []byte
		for _, c := range p.Captures {
			chunks, _, err := p.CaptureData(c)
			if err != nil {
				b.Fatal(err)
			}
			for _, ch := range chunks {
				one = append(one, ch.Data...)
			}
		}
		for len(in) < 1<<20 {
			in = append(in, one...)
		}
		b.Run(p.Name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				s, _ := p.NewStream()
				for rest := in; len(rest) > 0; {
					n := min(len(rest), 256)
					s.Write(rest[:n], 0)
					rest = rest[n:]
					for _, ok := s.Next(); ok; _, ok = s.Next() {
					}
				}
			}
		})
	}
}

// TestStream_DerivedFromPrevious: a manikin that reports the cumulative
// volume blown gives each breath's volume as the difference from the
// previous record; the other fields are constants.
func TestStream_DerivedFromPrevious(t *testing.T) {
	p, err := Parse("v.yaml", []byte(pdHead+`records:
  - pattern: '<V=(?P<total>\d+)>'
    event: cpr.ventilation
    raw:
      total: {type: int}
    fields:
      volume_ml: {expr: "total - (prev.total ?? 0)", type: int, unit: ml}
      airway_open: {const: true, type: bool}
      gastric: {const: false, type: bool}
`))
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Check(vocabulary(t)); err != nil {
		t.Fatal(err)
	}
	got, _ := decodeAll(t, p, iotest.OneByteReader(strings.NewReader("<V=500>\r\n<V=1150>\r\n<V=1800>")))
	var volumes []any
	for _, e := range got {
		if e.Fields["airway_open"] != true || e.Fields["gastric"] != false || len(e.Fields) != 3 {
			t.Errorf("event %+v: want the constants and no raw value", e)
		}
		volumes = append(volumes, e.Fields["volume_ml"])
	}
	if want := []any{500, 650, 650}; !reflect.DeepEqual(volumes, want) {
		t.Errorf("volumes %v, want %v", volumes, want)
	}
}

// TestStream_MatchesReferenceCPR decodes a long stream of random frames —
// valid, truncated, with a flipped bit, with an unknown type, amid random
// garbage — with the cpr profile and with package cpr's independent parser,
// and checks that both give the same events: the reference protocol as
// data means what the Go codec meant.
func TestStream_MatchesReferenceCPR(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 4))
	var stream []byte
	for seq := uint32(0); len(stream) < 300_000; seq++ {
		g := make([]byte, rng.IntN(40))
		for i := range g {
			g[i] = byte(rng.Uint32())
		}
		if len(g) > 3 && rng.IntN(3) == 0 {
			g[1], g[2] = 0x55, 0xAA
		}
		stream = append(stream, g...)
		var f []byte
		switch rng.IntN(6) {
		case 0:
			f = frame(t, &cpr.Compression{TimeMS: seq, DepthMM: uint16(rng.IntN(90)), Position: cpr.Position(rng.IntN(5)), Recoil: rng.IntN(2) == 0})
		case 1:
			f = frame(t, &cpr.Ventilation{TimeMS: seq, VolumeML: uint16(rng.IntN(1500)), AirwayOpen: rng.IntN(2) == 0, Gastric: rng.IntN(2) == 0})
		case 2:
			f = frame(t, &cpr.Sample{TimeMS: seq, DepthMM: uint16(rng.IntN(70))})
		case 3:
			f = frame(t, &cpr.Status{TimeMS: seq, BatteryPct: uint8(rng.IntN(101)), Firmware: [3]uint8{1, 2, uint8(rng.IntN(9))}, Serial: "SN" + strings.Repeat("7", rng.IntN(10)), Model: "M"})
		default: // any type byte and payload: unknown types, wrong lengths, bad flags
			p := make([]byte, rng.IntN(40))
			for i := range p {
				p[i] = byte(rng.Uint32())
			}
			f = cpr.AppendRaw(nil, cpr.RecordType(rng.IntN(8)), p)
		}
		switch rng.IntN(10) {
		case 0:
			f = f[:1+rng.IntN(len(f)-1)]
		case 1:
			f[rng.IntN(len(f))] ^= 1 << rng.IntN(8)
		}
		stream = append(stream, f...)
	}
	d := cpr.NewDecoder(iotest.OneByteReader(bytes.NewReader(stream)))
	var want []Event
	for {
		rec, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		typ, fields := cpr.Event(rec)
		delete(fields, "kind") // the driver's, not the wire's
		want = append(want, Event{typ, fields, time.Duration(rec.Uptime()) * time.Millisecond, true})
	}
	got, stats := decodeAll(t, mustLoad(t, "cpr"), iotest.OneByteReader(bytes.NewReader(stream)))
	if len(got) != len(want) {
		t.Fatalf("%d events, the reference parser gives %d", len(got), len(want))
	}
	for i := range got {
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Fatalf("event %d: %+v, the reference parser gives %+v", i, got[i], want[i])
		}
	}
	ref := d.Stats()
	if stats.Dropped != ref.Dropped || stats.Unknown != ref.Unknown || stats.Checksum+stats.Invalid != ref.Bad {
		t.Errorf("stats %+v; the reference counts %+v", stats, ref)
	}
	t.Logf("%d bytes, %d events, %+v", len(stream), len(got), stats)
}

// TestStream_CounterAndRateByData: a manikin that reports a compression
// counter and depth, configured by data alone: one cpr.compression per
// step of the counter (two at once when it jumps by two), the counter
// wrapping at 256; a rate window over the same records would feed an
// event whose vocabulary had a rate.
func TestStream_CounterAndRateByData(t *testing.T) {
	p, err := Parse("c.yaml", []byte(pdHead+`records:
  - pattern: '<C=(?P<n>\d+),D=(?P<d>\d+)>'
    name: count
    raw:
      n: {type: int}
      d: {type: int}
transforms:
  - counter: {record: count, value: n, modulo: 256}
    event: cpr.compression
    fields:
      depth_mm: {expr: "count * 0 + 50", type: int}
      position: {unmeasured: true}
      recoil: {const: true, type: bool}
  - rate: {record: count, window_ms: 60000}
    event: cpr.sample
    fields:
      depth_mm: {output: per_min, type: int}
`))
	if err != nil {
		t.Fatal(err)
	}
	got, _ := decodeAll(t, p, strings.NewReader("<C=254,D=50><C=255,D=52><C=1,D=51>"))
	var types []string
	for _, e := range got {
		types = append(types, e.Type)
	}
	want := []string{"cpr.sample", "cpr.compression", "cpr.sample", "cpr.compression", "cpr.compression", "cpr.sample"}
	if !reflect.DeepEqual(types, want) {
		t.Fatalf("events %v, want %v", types, want)
	}
	if got[1].Fields["depth_mm"] != 50 || got[1].Fields["recoil"] != true || len(got[1].Fields) != 2 {
		t.Errorf("compression %v", got[1].Fields)
	}
	if got[5].Fields["depth_mm"] != 3 { // three records within the minute
		t.Errorf("rate %v, want 3 per minute", got[5].Fields)
	}
}
