package cpr

import (
	"bytes"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// crcBitwise is CRC-16/MODBUS computed bit by bit straight from the
// definition, independent of the table in package crc16.
func crcBitwise(p []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range p {
		crc ^= uint16(b)
		for range 8 {
			lsb := crc & 1
			crc >>= 1
			if lsb == 1 {
				crc ^= 0xA001
			}
		}
	}
	return crc
}

func mustFrame(t testing.TB, rec Record) []byte {
	t.Helper()
	b, err := AppendFrame(nil, rec)
	if err != nil {
		t.Fatalf("AppendFrame(%+v): %v", rec, err)
	}
	return b
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestAppendFrame_Layout(t *testing.T) {
	// The bytes docs/devices.md shows for its worked example, written out
	// field by field: a compression at t=1000 ms, 54 mm, position ok, recoil.
	got := mustFrame(t, &Compression{TimeMS: 1000, DepthMM: 54, Position: PositionOK, Recoil: true})
	body := unhex(t, "55 AA 08 01 E8030000 3600 00 01")
	crc := crcBitwise(body)
	want := append(body, byte(crc), byte(crc>>8))
	if !bytes.Equal(got, want) {
		t.Fatalf("frame\n got % X\nwant % X", got, want)
	}
	if hexCRC := strings.ToUpper(hex.EncodeToString(got[len(got)-2:])); hexCRC != "F5C8" {
		t.Errorf("CRC bytes %s, want F5C8 as documented in docs/devices.md", hexCRC)
	}
}

func TestAppendFrame_Errors(t *testing.T) {
	tests := []struct {
		name string
		rec  Record
	}{
		{"position out of range", &Compression{Position: 5}},
		{"battery over 100", &Status{BatteryPct: 101}},
		{"serial too long", &Status{Serial: "0123456789ABC"}},
		{"model not ascii", &Status{Model: "模拟人"}},
		{"serial with NUL", &Status{Serial: "A\x00B"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := AppendFrame(nil, tt.rec)
			if !errors.Is(err, ErrInvalid) {
				t.Errorf("AppendFrame err = %v, want ErrInvalid", err)
			}
		})
	}
}

var sampleRecords = []Record{
	&Compression{TimeMS: 1, DepthMM: 54, Position: PositionOK, Recoil: true},
	&Compression{TimeMS: 2, DepthMM: 41, Position: PositionLow, Recoil: false},
	&Ventilation{TimeMS: 3, VolumeML: 650, AirwayOpen: true},
	&Ventilation{TimeMS: 4, VolumeML: 1200, Gastric: true},
	&Sample{TimeMS: 0xFFFFFFFF, DepthMM: 0},
	&Status{TimeMS: 5, BatteryPct: 87, Firmware: [3]uint8{1, 4, 2}, Serial: "CPR2024-0007", Model: "SIM-CPR-1"},
	&Status{},
}

func TestDecoder_Decode(t *testing.T) {
	comp := mustFrame(t, sampleRecords[0])
	badCRC := bytes.Clone(comp)
	badCRC[len(badCRC)-1] ^= 0x01
	unknown := AppendRaw(nil, 0x7F, []byte{1, 2, 3})
	wrongLen := AppendRaw(nil, TypeSample, []byte{1, 2, 3})
	badPos := AppendRaw(nil, TypeCompression, []byte{0, 0, 0, 0, 54, 0, 9, 1})
	badFlags := AppendRaw(nil, TypeVentilation, []byte{0, 0, 0, 0, 1, 2, 0x84})
	tests := []struct {
		name  string
		in    [][]byte
		want  []Record
		stats Stats
	}{
		{"one frame", [][]byte{comp}, sampleRecords[:1], Stats{Frames: 1}},
		{"garbage before", [][]byte{{0x00, 0x55, 0x13, 0xAA}, comp}, sampleRecords[:1], Stats{Frames: 1, Dropped: 4}},
		{"false header swallowing a frame", [][]byte{{0x55, 0xAA, 20}, comp, bytes.Repeat([]byte{0}, 20)},
			sampleRecords[:1], Stats{Frames: 1, Bad: 1, Dropped: 3 + 20}},
		{"length over max", [][]byte{{0x55, 0xAA, MaxPayload + 1}, comp}, sampleRecords[:1], Stats{Frames: 1, Dropped: 3}},
		{"bad crc then good", [][]byte{badCRC, comp}, sampleRecords[:1], Stats{Frames: 1, Bad: 1, Dropped: int64(len(badCRC))}},
		{"unknown type skipped whole", [][]byte{unknown, comp}, sampleRecords[:1],
			Stats{Frames: 1, Unknown: 1, Dropped: int64(len(unknown))}},
		{"known type wrong length", [][]byte{wrongLen, comp}, sampleRecords[:1],
			Stats{Frames: 1, Bad: 1, Dropped: int64(len(wrongLen))}},
		{"position out of range", [][]byte{badPos}, nil, Stats{Bad: 1, Dropped: int64(len(badPos))}},
		{"undefined flag bits", [][]byte{badFlags}, nil, Stats{Bad: 1, Dropped: int64(len(badFlags))}},
		{"truncated at end", [][]byte{comp, comp[:7]}, sampleRecords[:1], Stats{Frames: 1, Dropped: 7}},
		{"header at the very end", [][]byte{comp, {0x55}}, sampleRecords[:1], Stats{Frames: 1, Dropped: 1}},
	}
	all := Stats{}
	var allIn [][]byte
	for _, rec := range sampleRecords {
		allIn = append(allIn, mustFrame(t, rec))
		all.Frames++
	}
	tests = append(tests, struct {
		name  string
		in    [][]byte
		want  []Record
		stats Stats
	}{"every record type", allIn, sampleRecords, all})

	for _, tt := range tests {
		for _, mode := range []string{"whole", "one byte"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				var r io.Reader = bytes.NewReader(bytes.Join(tt.in, nil))
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				d := NewDecoder(r)
				var got []Record
				for {
					rec, err := d.Decode()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatalf("Decode: %v", err)
					}
					got = append(got, rec)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("records\n got %+v\nwant %+v", got, tt.want)
				}
				if d.Stats() != tt.stats {
					t.Errorf("stats %+v, want %+v", d.Stats(), tt.stats)
				}
			})
		}
	}
}

// zeroReader returns (0, nil) a few times before each byte, as a serial
// port does when its read timeout expires with nothing received.
type zeroReader struct {
	r     io.Reader
	zeros int
}

func (z *zeroReader) Read(p []byte) (int, error) {
	if z.zeros < 3 {
		z.zeros++
		return 0, nil
	}
	z.zeros = 0
	return z.r.Read(p[:1])
}

func TestDecoder_ReadTimeouts(t *testing.T) {
	in := mustFrame(t, sampleRecords[2])
	d := NewDecoder(&zeroReader{r: bytes.NewReader(in)})
	rec, err := d.Decode()
	if err != nil || !reflect.DeepEqual(rec, sampleRecords[2]) {
		t.Fatalf("Decode = %+v, %v; want %+v", rec, err, sampleRecords[2])
	}
	if _, err := d.Decode(); err != io.EOF {
		t.Errorf("second Decode err = %v, want io.EOF", err)
	}
}

// TestParser_Idle: a false header announcing a long frame holds back the
// real frame behind it until the line goes quiet, and no longer.
func TestParser_Idle(t *testing.T) {
	frame := mustFrame(t, sampleRecords[0])
	var p Parser
	p.Write([]byte{0x55, 0xAA, 0x30, 0x13})
	p.Write(frame)
	if _, ok := p.Next(); ok {
		t.Fatal("frame returned before the false header's length was reached")
	}
	p.Idle()
	rec, ok := p.Next()
	if !ok || !reflect.DeepEqual(rec, sampleRecords[0]) {
		t.Fatalf("after Idle: %+v, %v; want the frame", rec, ok)
	}
	if s := p.Stats(); s.Bad != 1 || s.Dropped != 4 {
		t.Errorf("stats %+v, want 1 bad and 4 dropped", s)
	}

	// A real frame half-way is left alone.
	var q Parser
	q.Write(frame[:5])
	q.Idle()
	q.Write(frame[5:])
	if rec, ok := q.Next(); !ok || !reflect.DeepEqual(rec, sampleRecords[0]) {
		t.Errorf("frame split across Idle: %+v, %v", rec, ok)
	}
}

func TestDecoder_ReadError(t *testing.T) {
	boom := errors.New("unplugged")
	in := mustFrame(t, sampleRecords[0])
	d := NewDecoder(io.MultiReader(bytes.NewReader(in), iotest.ErrReader(boom)))
	if _, err := d.Decode(); err != nil {
		t.Fatalf("first Decode: %v", err)
	}
	if _, err := d.Decode(); !errors.Is(err, boom) {
		t.Errorf("Decode err = %v, want the read error", err)
	}
}

func TestEvent(t *testing.T) {
	typ, f := Event(sampleRecords[0])
	if typ != "cpr.compression" || !reflect.DeepEqual(f, map[string]any{"depth_mm": 54, "position": "ok", "recoil": true}) {
		t.Errorf("Event(compression) = %s %v", typ, f)
	}
	typ, f = Event(sampleRecords[5])
	want := map[string]any{"kind": "cpr", "model": "SIM-CPR-1", "serial": "CPR2024-0007", "firmware": "1.4.2", "battery_pct": 87}
	if typ != "device.status" || !reflect.DeepEqual(f, want) {
		t.Errorf("Event(status) = %s %v, want device.status %v", typ, f, want)
	}
}

// randomRecord returns a valid record whose uptime is seq, so that every
// frame in a stream is distinct.
func randomRecord(rng *rand.Rand, seq uint32) Record {
	switch rng.IntN(4) {
	case 0:
		return &Compression{TimeMS: seq, DepthMM: uint16(rng.IntN(90)), Position: Position(rng.IntN(5)), Recoil: rng.IntN(2) == 0}
	case 1:
		return &Ventilation{TimeMS: seq, VolumeML: uint16(rng.IntN(1500)), AirwayOpen: rng.IntN(2) == 0, Gastric: rng.IntN(2) == 0}
	case 2:
		return &Sample{TimeMS: seq, DepthMM: uint16(rng.IntN(70))}
	default:
		return &Status{TimeMS: seq, BatteryPct: uint8(rng.IntN(101)), Firmware: [3]uint8{1, 2, uint8(rng.IntN(9))},
			Serial: "SN" + strings.Repeat("7", rng.IntN(10)), Model: "M"}
	}
}

// referenceFrames scans stream the slow, obvious way: at each offset, is
// there a header, a plausible length and a matching CRC? If so that is a
// frame and the scan continues after it; otherwise move one byte on. It
// returns the offsets of the frames found.
func referenceFrames(stream []byte) []int {
	var at []int
	for i := 0; i+6 <= len(stream); {
		if stream[i] == 0x55 && stream[i+1] == 0xAA && stream[i+2] <= MaxPayload {
			n := int(stream[i+2]) + 6
			if i+n <= len(stream) {
				crc := crcBitwise(stream[i : i+n-2])
				if stream[i+n-2] == byte(crc) && stream[i+n-1] == byte(crc>>8) {
					at = append(at, i)
					i += n
					continue
				}
			}
		}
		i++
	}
	return at
}

// TestParser_Resync interleaves over a million bytes of random garbage
// (with false headers, truncated frames and frames with a flipped bit) with
// valid frames, and checks that the parser returns exactly the frames that
// arrived intact, in order, and nothing else.
func TestParser_Resync(t *testing.T) {
	rng := rand.New(rand.NewPCG(2024, 4))
	var (
		stream   []byte
		intactAt []int    // offsets of the frames inserted intact
		intact   []Record // and their records
		garbage  int      // bytes of no intact frame
		random   int      // of which random bytes
		seq      uint32
	)
	for random < 1_000_000 {
		// Garbage: random bytes, sometimes with a false header in them.
		g := make([]byte, rng.IntN(200))
		for i := range g {
			g[i] = byte(rng.Uint32())
		}
		if len(g) > 3 && rng.IntN(4) == 0 {
			j := rng.IntN(len(g) - 2)
			g[j], g[j+1] = 0x55, 0xAA
		}
		stream = append(stream, g...)
		garbage += len(g)
		random += len(g)

		seq++
		frame := mustFrame(t, randomRecord(rng, seq))
		switch rng.IntN(10) {
		case 0: // truncated: the link lost the tail
			cut := 1 + rng.IntN(len(frame)-1)
			stream = append(stream, frame[:cut]...)
			garbage += cut
		case 1: // one bit flipped in transit
			frame[rng.IntN(len(frame))] ^= 1 << rng.IntN(8)
			stream = append(stream, frame...)
			garbage += len(frame)
		default:
			intactAt = append(intactAt, len(stream))
			rec, _ := ParsePayload(RecordType(frame[3]), frame[4:len(frame)-2])
			intact = append(intact, rec)
			stream = append(stream, frame...)
		}
	}
	if random < 1_000_000 || len(intact) < 5000 {
		t.Fatalf("stream too small: %d random bytes, %d frames", random, len(intact))
	}
	t.Logf("%d bytes: %d random, %d in truncated or corrupted frames; %d intact frames",
		len(stream), random, garbage-random, len(intact))

	// The expected set: the reference scan must find exactly the intact
	// frames. Were a false header in the garbage to pass its CRC by chance
	// and swallow a real frame, this is where it would show.
	if ref := referenceFrames(stream); !reflect.DeepEqual(ref, intactAt) {
		t.Fatalf("reference scan found %d frames, %d inserted intact: the stream itself is ambiguous", len(ref), len(intactAt))
	}

	check := func(t *testing.T, got []Record, stats Stats) {
		t.Helper()
		if len(got) != len(intact) {
			t.Fatalf("got %d records, want %d", len(got), len(intact))
		}
		for i := range got {
			if !reflect.DeepEqual(got[i], intact[i]) {
				t.Fatalf("record %d = %+v, want %+v", i, got[i], intact[i])
			}
		}
		var frameBytes int64
		for _, rec := range intact {
			frameBytes += int64(len(mustFrame(t, rec)))
		}
		if stats.Frames != int64(len(intact)) || stats.Dropped != int64(len(stream))-frameBytes {
			t.Errorf("stats %+v: want %d frames and %d dropped bytes", stats, len(intact), int64(len(stream))-frameBytes)
		}
		if stats.Bad == 0 {
			t.Errorf("stats %+v: no bad frames counted despite flipped bits", stats)
		}
	}

	t.Run("random chunks", func(t *testing.T) {
		var p Parser
		var got []Record
		for rest := stream; len(rest) > 0; {
			n := min(len(rest), 1+rng.IntN(300))
			p.Write(rest[:n])
			rest = rest[n:]
			for rec, ok := p.Next(); ok; rec, ok = p.Next() {
				got = append(got, rec)
			}
		}
		p.drop(p.Pending()) // end of stream, as Decoder does at io.EOF
		check(t, got, p.Stats())
	})
	t.Run("one byte reader", func(t *testing.T) {
		d := NewDecoder(iotest.OneByteReader(bytes.NewReader(stream)))
		var got []Record
		for {
			rec, err := d.Decode()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, rec)
		}
		check(t, got, d.Stats())
	})
}

func FuzzDecoder(f *testing.F) {
	for _, rec := range sampleRecords {
		f.Add(mustFrame(f, rec))
	}
	f.Add([]byte{0x55, 0xAA, 0x40})
	f.Add(append([]byte{0x55, 0xAA, 0x08, 0x55, 0xAA}, mustFrame(f, sampleRecords[1])...))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoder(iotest.OneByteReader(bytes.NewReader(in)))
		var out []byte
		for {
			rec, err := d.Decode()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			// Every record accepted re-encodes to bytes that were in the
			// input: the parser invents nothing.
			frame := mustFrame(t, rec)
			if !bytes.Contains(in, frame) {
				t.Fatalf("record %+v re-encodes to % X, not in the input", rec, frame)
			}
			out = append(out, frame...)
		}
		s := d.Stats()
		if int64(len(out))+s.Dropped != int64(len(in)) {
			t.Fatalf("%d bytes in frames + %d dropped != %d in", len(out), s.Dropped, len(in))
		}
	})
}

func FuzzRoundTrip(f *testing.F) {
	f.Add(uint8(0), uint32(1000), uint16(54), uint8(0), uint8(1), "CPR-1", "SIM")
	f.Add(uint8(3), uint32(7), uint16(0), uint8(4), uint8(3), "", "")
	f.Fuzz(func(t *testing.T, kind uint8, ms uint32, v uint16, pos, flags uint8, serial, model string) {
		var rec Record
		switch kind % 4 {
		case 0:
			rec = &Compression{TimeMS: ms, DepthMM: v, Position: Position(pos), Recoil: flags&1 != 0}
		case 1:
			rec = &Ventilation{TimeMS: ms, VolumeML: v, AirwayOpen: flags&1 != 0, Gastric: flags&2 != 0}
		case 2:
			rec = &Sample{TimeMS: ms, DepthMM: v}
		case 3:
			rec = &Status{TimeMS: ms, BatteryPct: pos, Firmware: [3]uint8{flags, pos, byte(v)}, Serial: serial, Model: model}
		}
		frame, err := AppendFrame(nil, rec)
		if err != nil {
			if !errors.Is(err, ErrInvalid) {
				t.Fatalf("AppendFrame err = %v, want ErrInvalid", err)
			}
			return
		}
		got, err := NewDecoder(bytes.NewReader(frame)).Decode()
		if err != nil {
			t.Fatalf("decode own frame % X: %v", frame, err)
		}
		if !reflect.DeepEqual(got, rec) {
			t.Fatalf("round trip %+v -> %+v", rec, got)
		}
	})
}

// benchStream is a realistic stream: mostly 25 Hz samples with a
// compression every few frames and a little line noise.
func benchStream(b *testing.B) []byte {
	rng := rand.New(rand.NewPCG(1, 2))
	var s []byte
	for i := range uint32(20000) {
		s, _ = AppendFrame(s, randomRecord(rng, i))
		if i%50 == 0 {
			s = append(s, 0x00, 0x55, 0x13)
		}
	}
	return s
}

func BenchmarkParser(b *testing.B) {
	s := benchStream(b)
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		var p Parser
		for rest := s; len(rest) > 0; {
			n := min(len(rest), 256) // a serial read returns a few hundred bytes at most
			p.Write(rest[:n])
			rest = rest[n:]
			for _, ok := p.Next(); ok; _, ok = p.Next() {
			}
		}
	}
}
