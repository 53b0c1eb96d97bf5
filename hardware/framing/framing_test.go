package framing

import (
	"bytes"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/iotest"

	"shicao/hardware/crc16"
)

// parser is what both parsers offer.
type parser interface {
	Write([]byte) (int, error)
	Next() ([]byte, bool)
	Stats() Stats
	Flush()
}

// readAll feeds r into p as a serial port would and returns the records.
func readAll(t testing.TB, p parser, r io.Reader) []string {
	t.Helper()
	var got []string
	buf := make([]byte, 256)
	for {
		n, err := r.Read(buf)
		p.Write(buf[:n])
		for rec, ok := p.Next(); ok; rec, ok = p.Next() {
			got = append(got, string(rec))
		}
		if err == io.EOF {
			p.Flush()
			return got
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

var nmea = LineSpec{Start: "$", End: "\n", Trim: "\r\n", Max: 256, Checksum: LineChecksum{Algo: XOR, Separator: "*"}}

// pd is the public manikin's "<PD=54>" lines: no checksum, CR LF between.
var pd = LineSpec{Start: "<", End: ">", Between: "\r\n", Max: 32}

// sumFirst carries a sum8 checksum before the body: "#3F:hello\n".
var sumFirst = LineSpec{Start: "#", End: "\n", Max: 64, Checksum: LineChecksum{Algo: Sum8, Position: "start", Separator: ":"}}

// ccittTail carries CRC-16/CCITT as four hex digits after a '|'.
var ccittTail = LineSpec{End: "\r\n", Max: 64, Checksum: LineChecksum{Algo: CRC16CCITT, Separator: "|"}}

func nmeaLine(body string) string { return fmt.Sprintf("$%s*%02X\r\n", body, XOR.Sum([]byte(body))) }

func TestLines_Next(t *testing.T) {
	tests := []struct {
		name  string
		spec  LineSpec
		in    string
		want  []string
		stats Stats
	}{
		{"nmea", nmea, nmeaLine("EXPIN,p=1") + "junk" + nmeaLine("EXPIN,p=0"), []string{"EXPIN,p=1", "EXPIN,p=0"},
			Stats{Records: 2, Dropped: 4}},
		{"nmea bad checksum", nmea, "$EXPIN,p=1*00\r\n" + nmeaLine("A"), []string{"A"}, Stats{Records: 1, Checksum: 1, Dropped: 15}},
		{"nmea restart mid-line", nmea, "$EXPIN,p" + nmeaLine("A"), []string{"A"}, Stats{Records: 1, Format: 1, Dropped: 8}},
		{"nmea too long", nmea, "$" + string(bytes.Repeat([]byte("x"), 300)) + "\n" + nmeaLine("A"), []string{"A"},
			Stats{Records: 1, Format: 1, Dropped: 302}},
		{"nmea control byte", nmea, "$A\x01*40\n" + nmeaLine("A"), []string{"A"}, Stats{Records: 1, Format: 1, Dropped: 7}},
		{"nmea no checksum", nmea, "$A\n" + nmeaLine("B"), []string{"B"}, Stats{Records: 1, Format: 1, Dropped: 3}},
		{"pd", pd, "<PD=54>\r\n<Blow>\r\n<Battery=87>", []string{"<PD=54>", "<Blow>", "<Battery=87>"}, Stats{Records: 3}},
		{"pd garbage", pd, "\x00PD=5<PD=5\r\n<PD=54>", []string{"<PD=54>"}, Stats{Records: 1, Format: 1, Dropped: 12}},
		{"pd cut at end", pd, "<PD=54><PD=5", []string{"<PD=54>"}, Stats{Records: 1, Dropped: 5}},
		{"sum8 first", sumFirst, fmt.Sprintf("#%02X:hello\n#00:hello\n", Sum8.Sum([]byte("hello"))), []string{"hello"},
			Stats{Records: 1, Checksum: 1, Dropped: 10}},
		{"ccitt tail", ccittTail, fmt.Sprintf("PD 54|%04X\r\nPD 55|0000\r\n", crc16.CCITT([]byte("PD 54"))), []string{"PD 54"},
			Stats{Records: 1, Checksum: 1, Dropped: 12}},
	}
	for _, tt := range tests {
		for _, mode := range []string{"whole", "one byte"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				var r io.Reader = bytes.NewReader([]byte(tt.in))
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				p, err := NewLines(tt.spec)
				if err != nil {
					t.Fatal(err)
				}
				got := readAll(t, p, r)
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("records %q, want %q", got, tt.want)
				}
				if p.Stats() != tt.stats {
					t.Errorf("stats %+v, want %+v", p.Stats(), tt.stats)
				}
			})
		}
	}
}

func TestLineSpec_Check(t *testing.T) {
	tests := []struct {
		name string
		spec LineSpec
	}{
		{"no end", LineSpec{Start: "$", Max: 10}},
		{"max too small", LineSpec{Start: "$", End: "\n", Max: 1}},
		{"checksum without separator", LineSpec{End: "\n", Max: 10, Checksum: LineChecksum{Algo: XOR}}},
		{"checksum in the middle", LineSpec{End: "\n", Max: 10, Checksum: LineChecksum{Algo: XOR, Separator: "*", Position: "middle"}}},
		{"unknown algo", LineSpec{End: "\n", Max: 10, Checksum: LineChecksum{Algo: "md5"}}},
	}
	for _, tt := range tests {
		if _, err := NewLines(tt.spec); err == nil {
			t.Errorf("%s: NewLines accepted %+v", tt.name, tt.spec)
		}
	}
}

// cprSpec is shicao's reference manikin frame: 55 AA LEN TYPE PAYLOAD CRC,
// LEN counting the payload, CRC-16/MODBUS low byte first.
var cprSpec = FrameSpec{Header: []byte{0x55, 0xAA}, Length: &LengthField{Offset: 2, Size: 1, Adjust: 6}, Max: 70,
	Checksum: FrameChecksum{Algo: CRC16Modbus, From: 0, To: -2, At: -2}}

func cprFrame(typ byte, payload ...byte) []byte {
	f := append([]byte{0x55, 0xAA, byte(len(payload)), typ}, payload...)
	return crc16.Append(f, crc16.Checksum(f))
}

// raw20 is the 20-byte, 25 Hz manikin: A5 5A, fixed size, sum8 of bytes
// 0-18 in byte 19.
var raw20 = FrameSpec{Header: []byte{0xA5, 0x5A}, Size: 20, Checksum: FrameChecksum{Algo: Sum8, From: 0, To: 19, At: 19}}

func raw20Frame(seq byte) []byte {
	f := make([]byte, 20)
	f[0], f[1], f[2], f[3] = 0xA5, 0x5A, 0x01, seq
	f[19] = byte(Sum8.Sum(f[:19]))
	return f
}

// bigLen has a two-byte big-endian length counting the whole frame and an
// XOR after the header, before the data it covers.
var bigLen = FrameSpec{Header: []byte{0x7E}, Length: &LengthField{Offset: 1, Size: 2, BigEndian: true}, Max: 64,
	Checksum: FrameChecksum{Algo: XOR, From: 4, To: -1, At: 3}}

func bigLenFrame(data ...byte) []byte {
	n := 4 + len(data) + 1
	f := []byte{0x7E, byte(n >> 8), byte(n), byte(XOR.Sum(data))}
	f = append(f, data...)
	return append(f, 0x7F)
}

// ccittBE is a frame with a big-endian CRC-16/CCITT.
var ccittBE = FrameSpec{Header: []byte{0xAA}, Length: &LengthField{Offset: 1, Size: 1, Adjust: 4}, Max: 40,
	Checksum: FrameChecksum{Algo: CRC16CCITT, From: 1, To: -2, At: -2, BigEndian: true}}

func ccittFrame(data ...byte) []byte {
	f := append([]byte{0xAA, byte(len(data))}, data...)
	c := crc16.CCITT(f[1:])
	return append(f, byte(c>>8), byte(c))
}

func TestFrames_Next(t *testing.T) {
	comp := cprFrame(0x01, 0xE8, 0x03, 0, 0, 0x36, 0, 0, 1)
	badCRC := bytes.Clone(comp)
	badCRC[len(badCRC)-1] ^= 1
	tests := []struct {
		name  string
		spec  FrameSpec
		in    [][]byte
		want  [][]byte
		stats Stats
	}{
		{"cpr one", cprSpec, [][]byte{comp}, [][]byte{comp}, Stats{Records: 1}},
		{"cpr garbage before", cprSpec, [][]byte{{0x00, 0x55, 0x13, 0xAA}, comp}, [][]byte{comp}, Stats{Records: 1, Dropped: 4}},
		{"cpr false header swallowing a frame", cprSpec, [][]byte{{0x55, 0xAA, 20}, comp, make([]byte, 20)}, [][]byte{comp},
			Stats{Records: 1, Checksum: 1, Dropped: 23}},
		{"cpr length over max", cprSpec, [][]byte{{0x55, 0xAA, 65}, comp}, [][]byte{comp}, Stats{Records: 1, Dropped: 3}},
		{"cpr bad crc then good", cprSpec, [][]byte{badCRC, comp}, [][]byte{comp}, Stats{Records: 1, Checksum: 1, Dropped: 14}},
		{"cpr truncated", cprSpec, [][]byte{comp, comp[:7]}, [][]byte{comp}, Stats{Records: 1, Dropped: 7}},
		{"raw20", raw20, [][]byte{raw20Frame(1), {0xA5}, raw20Frame(2)}, [][]byte{raw20Frame(1), raw20Frame(2)}, Stats{Records: 2, Dropped: 1}},
		{"raw20 bad sum", raw20, [][]byte{append(raw20Frame(1)[:19], 0), raw20Frame(2)}, [][]byte{raw20Frame(2)},
			Stats{Records: 1, Checksum: 1, Dropped: 20}},
		{"big-endian length, checksum first", bigLen, [][]byte{bigLenFrame(1, 2, 3), {0x7E, 0, 0}, bigLenFrame()},
			[][]byte{bigLenFrame(1, 2, 3), bigLenFrame()}, Stats{Records: 2, Dropped: 3}},
		{"ccitt big-endian", ccittBE, [][]byte{ccittFrame(9, 8), ccittFrame(7)}, [][]byte{ccittFrame(9, 8), ccittFrame(7)}, Stats{Records: 2}},
	}
	for _, tt := range tests {
		for _, mode := range []string{"whole", "one byte"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				var r io.Reader = bytes.NewReader(bytes.Join(tt.in, nil))
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				p, err := NewFrames(tt.spec)
				if err != nil {
					t.Fatal(err)
				}
				got := readAll(t, p, r)
				var want []string
				for _, w := range tt.want {
					want = append(want, string(w))
				}
				if !reflect.DeepEqual(got, want) {
					t.Errorf("frames % X\nwant % X", got, want)
				}
				if p.Stats() != tt.stats {
					t.Errorf("stats %+v, want %+v", p.Stats(), tt.stats)
				}
			})
		}
	}
}

func TestFrameSpec_Check(t *testing.T) {
	tests := []struct {
		name string
		spec FrameSpec
	}{
		{"no header", FrameSpec{Size: 10}},
		{"size and length", FrameSpec{Header: []byte{1}, Size: 10, Length: &LengthField{Offset: 1, Size: 1}, Max: 20}},
		{"length in the header", FrameSpec{Header: []byte{1, 2}, Length: &LengthField{Offset: 1, Size: 1}, Max: 20}},
		{"length of 3 bytes", FrameSpec{Header: []byte{1}, Length: &LengthField{Offset: 1, Size: 3}, Max: 20}},
		{"checksum outside", FrameSpec{Header: []byte{1}, Size: 4, Checksum: FrameChecksum{Algo: CRC16Modbus, From: 0, To: 3, At: 3}}},
		{"checksum inside its range", FrameSpec{Header: []byte{1}, Size: 8, Checksum: FrameChecksum{Algo: XOR, From: 0, To: 8, At: 3}}},
		{"to zero", FrameSpec{Header: []byte{1}, Size: 8, Checksum: FrameChecksum{Algo: XOR, From: 0, To: 0, At: -1}}},
	}
	for _, tt := range tests {
		if _, err := NewFrames(tt.spec); err == nil {
			t.Errorf("%s: NewFrames accepted %+v", tt.name, tt.spec)
		}
	}
}

func TestFrames_Idle(t *testing.T) {
	comp := cprFrame(0x01, 0xE8, 0x03, 0, 0, 0x36, 0, 0, 1)
	p, _ := NewFrames(cprSpec)
	p.Write([]byte{0x55, 0xAA, 0x30, 0x13})
	p.Write(comp)
	if _, ok := p.Next(); ok {
		t.Fatal("frame returned before the false header's length was reached")
	}
	p.Idle()
	if f, ok := p.Next(); !ok || !bytes.Equal(f, comp) {
		t.Fatalf("after Idle: % X, %v; want the frame", f, ok)
	}
}

// TestFrames_Resync interleaves random garbage with valid, truncated and
// corrupted frames and checks that exactly the intact frames come out.
func TestFrames_Resync(t *testing.T) {
	rng := rand.New(rand.NewPCG(17, 1))
	var stream []byte
	var intact []string
	for len(stream) < 200_000 {
		g := make([]byte, rng.IntN(60))
		for i := range g {
			g[i] = byte(rng.Uint32())
		}
		stream = append(stream, g...)
		payload := make([]byte, rng.IntN(20))
		for i := range payload {
			payload[i] = byte(rng.Uint32())
		}
		f := cprFrame(byte(rng.IntN(4)), payload...)
		switch rng.IntN(8) {
		case 0:
			stream = append(stream, f[:1+rng.IntN(len(f)-1)]...)
		case 1:
			f[rng.IntN(len(f))] ^= 1 << rng.IntN(8)
			stream = append(stream, f...)
		default:
			intact = append(intact, string(f))
			stream = append(stream, f...)
		}
	}
	p, _ := NewFrames(cprSpec)
	got := readAll(t, p, iotest.OneByteReader(bytes.NewReader(stream)))
	if !reflect.DeepEqual(got, intact) {
		t.Fatalf("got %d frames, want the %d intact", len(got), len(intact))
	}
}

func fuzzSeeds(f *testing.F) {
	f.Add([]byte(nmeaLine("EXPIN,p=1") + "<PD=54>\r\n<Blow>"))
	f.Add(append(cprFrame(1, 1, 2, 3), raw20Frame(3)...))
	f.Add(append(bigLenFrame(4, 5), ccittFrame(1)...))
	f.Add([]byte{0x55, 0xAA, 0x40, 0xA5, 0x5A, 0x7E, 0xFF, 0xFF})
}

// FuzzFrames: no input panics a parser, every frame returned was in the
// input with a matching checksum, and no byte is counted twice.
func FuzzFrames(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, spec := range []FrameSpec{cprSpec, raw20, bigLen, ccittBE} {
			p, err := NewFrames(spec)
			if err != nil {
				t.Fatal(err)
			}
			got := readAll(t, p, iotest.OneByteReader(bytes.NewReader(in)))
			n := 0
			for _, fr := range got {
				if !bytes.Contains(in, []byte(fr)) || !p.valid([]byte(fr)) {
					t.Fatalf("frame % X not in the input or not valid", fr)
				}
				n += len(fr)
			}
			if int64(n)+p.Stats().Dropped != int64(len(in)) {
				t.Fatalf("%d in frames + %d dropped != %d", n, p.Stats().Dropped, len(in))
			}
		}
	})
}

// FuzzLines: no input panics a parser and every record returned was in
// the input.
func FuzzLines(f *testing.F) {
	fuzzSeeds(f)
	f.Fuzz(func(t *testing.T, in []byte) {
		for _, spec := range []LineSpec{nmea, pd, sumFirst, ccittTail} {
			p, err := NewLines(spec)
			if err != nil {
				t.Fatal(err)
			}
			for _, rec := range readAll(t, p, iotest.OneByteReader(bytes.NewReader(in))) {
				if !bytes.Contains(in, []byte(rec)) {
					t.Fatalf("record %q not in the input", rec)
				}
			}
			if p.Stats().Dropped > int64(len(in)) {
				t.Fatalf("dropped %d of %d", p.Stats().Dropped, len(in))
			}
		}
	})
}

// BenchmarkFraming finds records of each framing in about a megabyte, in
// reads of 256 bytes. Target (issue #17): 11.52 MB/s, 1,000 times a
// 115,200-baud line.
func BenchmarkFraming(b *testing.B) {
	type bench struct {
		name  string
		new   func() parser
		frame []byte
	}
	lines := func(s LineSpec) func() parser { return func() parser { p, _ := NewLines(s); return p } }
	frames := func(s FrameSpec) func() parser { return func() parser { p, _ := NewFrames(s); return p } }
	benches := []bench{
		{"lines-xor", lines(nmea), []byte(nmeaLine("EXSPR,aim=B,sw=NF,rem=80,t=123456"))},
		{"lines-none", lines(pd), []byte("<PD=54>\r\n")},
		{"lines-ccitt", lines(ccittTail), []byte(fmt.Sprintf("PD 54|%04X\r\n", crc16.CCITT([]byte("PD 54"))))},
		{"frames-crc16", frames(cprSpec), cprFrame(0x01, 0xE8, 0x03, 0, 0, 0x36, 0, 0, 1)},
		{"frames-sum8", frames(raw20), raw20Frame(7)},
	}
	for _, bb := range benches {
		in := bytes.Repeat(bb.frame, 1<<20/len(bb.frame))
		b.Run(bb.name, func(b *testing.B) {
			b.SetBytes(int64(len(in)))
			for b.Loop() {
				p := bb.new()
				for rest := in; len(rest) > 0; {
					n := min(len(rest), 256)
					p.Write(rest[:n])
					rest = rest[n:]
					for _, ok := p.Next(); ok; _, ok = p.Next() {
					}
				}
			}
		})
	}
}
