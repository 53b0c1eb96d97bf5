package asciiline

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

func TestAppendLine(t *testing.T) {
	// The NMEA checksum of "EXPOS,d=350,up=1" worked by hand:
	// XOR of the 16 bytes is 0x4C.
	got, err := AppendLine(nil, Line{Tag: "EXPOS", Fields: []Field{{"d", "350"}, {"up", "1"}}})
	if err != nil {
		t.Fatal(err)
	}
	var cs byte
	for _, c := range []byte("EXPOS,d=350,up=1") {
		cs ^= c
	}
	want := fmt.Sprintf("$EXPOS,d=350,up=1*%02X\r\n", cs)
	if string(got) != want {
		t.Errorf("AppendLine = %q, want %q", got, want)
	}
}

func TestAppendLine_Errors(t *testing.T) {
	tests := []struct {
		name string
		l    Line
	}{
		{"lower-case tag", Line{Tag: "expos"}},
		{"empty tag", Line{}},
		{"comma in value", Line{Tag: "A", Fields: []Field{{"k", "a,b"}}}},
		{"star in value", Line{Tag: "A", Fields: []Field{{"k", "a*"}}}},
		{"upper-case key", Line{Tag: "A", Fields: []Field{{"K", "1"}}}},
		{"too long", Line{Tag: "A", Fields: []Field{{"k", strings.Repeat("x", MaxLine)}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, err := AppendLine(nil, tt.l); !errors.Is(err, ErrInvalid) {
				t.Errorf("err = %v, want ErrInvalid", err)
			}
		})
	}
}

func line(t testing.TB, tag string, kv ...string) []byte {
	t.Helper()
	l := Line{Tag: tag}
	for i := 0; i < len(kv); i += 2 {
		l.Fields = append(l.Fields, Field{kv[i], kv[i+1]})
	}
	b, err := AppendLine(nil, l)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecoder_Decode(t *testing.T) {
	good := line(t, "PPE", "items", "helmet|gloves")
	goodLine := Line{Tag: "PPE", Fields: []Field{{"items", "helmet|gloves"}}}
	badCS := bytes.Replace(bytes.Clone(good), []byte("gloves"), []byte("glovez"), 1)
	lower := bytes.ToLower(good[len(good)-4 : len(good)-2]) // lower-case hex is fine
	lowerCS := append(bytes.Clone(good[:len(good)-4]), append(lower, '\r', '\n')...)
	long := append([]byte("$HOOK,x="), bytes.Repeat([]byte("9"), MaxLine)...)
	long = append(long, "*00\r\n"...)
	tests := []struct {
		name  string
		in    string
		want  []Line
		stats Stats
	}{
		{"one line", string(good), []Line{goodLine}, Stats{Lines: 1}},
		{"bare LF", strings.TrimSuffix(string(good), "\r\n") + "\n", []Line{goodLine}, Stats{Lines: 1}},
		{"lower-case checksum", string(lowerCS), []Line{goodLine}, Stats{Lines: 1}},
		{"noise before", "\x00\xff garbage" + string(good), []Line{goodLine}, Stats{Lines: 1, Dropped: 10}},
		{"bad checksum dropped", string(badCS) + string(good), []Line{goodLine}, Stats{Lines: 1, Bad: 1, Dropped: int64(len(badCS))}},
		{"no checksum", "$PPE,items=x\r\n" + string(good), []Line{goodLine}, Stats{Lines: 1, Bad: 1, Dropped: 14}},
		{"restart mid-line", "$PPE,ite" + string(good), []Line{goodLine}, Stats{Lines: 1, Bad: 1, Dropped: 8}},
		{"too long then good", string(long) + string(good), []Line{goodLine}, Stats{Lines: 1, Bad: 1, Dropped: int64(len(long))}},
		{"truncated at end", string(good) + "$PPE,it", []Line{goodLine}, Stats{Lines: 1, Bad: 1, Dropped: 7}},
		{"field without =", "$A,k*" + fmt.Sprintf("%02X", checksum([]byte("A,k"))) + "\r\n", nil, Stats{Bad: 1, Dropped: 9}},
		{"repeated key", "$A,k=1,k=2*" + fmt.Sprintf("%02X", checksum([]byte("A,k=1,k=2"))) + "\r\n", nil, Stats{Bad: 1, Dropped: 15}},
	}
	for _, tt := range tests {
		for _, mode := range []string{"whole", "one byte"} {
			t.Run(tt.name+"/"+mode, func(t *testing.T) {
				var r io.Reader = strings.NewReader(tt.in)
				if mode == "one byte" {
					r = iotest.OneByteReader(r)
				}
				d := NewDecoder(r)
				var got []Line
				for {
					l, err := d.Decode()
					if err == io.EOF {
						break
					}
					if err != nil {
						t.Fatal(err)
					}
					got = append(got, l)
				}
				if !reflect.DeepEqual(got, tt.want) {
					t.Errorf("lines %+v, want %+v", got, tt.want)
				}
				if d.Stats() != tt.stats {
					t.Errorf("stats %+v, want %+v", d.Stats(), tt.stats)
				}
			})
		}
	}
}

// TestParser_Noise sends lines separated by random noise that never holds a
// '$' and, for some lines, flips one byte: every intact line comes out, no
// garbled one does.
func TestParser_Noise(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	var stream []byte
	var want []Line
	for i := range 5000 {
		noise := make([]byte, rng.IntN(40))
		for j := range noise {
			noise[j] = byte(rng.UintN(256))
			if noise[j] == '$' {
				noise[j] = '#'
			}
		}
		stream = append(stream, noise...)
		l := Line{Tag: "HOOK", Fields: []Field{{"seq", fmt.Sprint(i)}, {"h", fmt.Sprint(rng.IntN(500))}}}
		b, _ := AppendLine(nil, l)
		if rng.IntN(8) == 0 {
			// Flip one bit in the body: the XOR checksum catches every
			// single-bit error. (A flip that makes a '$' restarts the line,
			// one that makes a '\n' cuts it: both still drop it.)
			b[1+rng.IntN(len(b)-6)] ^= 1 << rng.IntN(7)
		} else {
			want = append(want, l)
		}
		stream = append(stream, b...)
	}
	d := NewDecoder(iotest.OneByteReader(bytes.NewReader(stream)))
	var got []Line
	for {
		l, err := d.Decode()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, l)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got %d lines, want %d", len(got), len(want))
	}
	if s := d.Stats(); s.Bad == 0 {
		t.Errorf("stats %+v: no bad line counted", s)
	}
}

func FuzzDecoder(f *testing.F) {
	f.Add(line(f, "EXPOS", "d", "350", "up", "1"))
	f.Add([]byte("$A*41\r\n$B,k=v*00\n$$$\r\n"))
	f.Add(bytes.Repeat([]byte("$"), MaxLine+3))
	f.Fuzz(func(t *testing.T, in []byte) {
		d := NewDecoder(iotest.OneByteReader(bytes.NewReader(in)))
		for {
			l, err := d.Decode()
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
			// A line accepted re-encodes and parses back to itself.
			b, err := AppendLine(nil, l)
			if err != nil {
				t.Fatalf("accepted %+v but cannot encode it: %v", l, err)
			}
			again, err := ParseLine(bytes.TrimSuffix(b, []byte("\r\n")))
			if err != nil || !reflect.DeepEqual(again, l) {
				t.Fatalf("round trip %+v -> %+v, %v", l, again, err)
			}
		}
		if s := d.Stats(); s.Dropped > int64(len(in)) {
			t.Fatalf("dropped %d of %d bytes", s.Dropped, len(in))
		}
	})
}

func BenchmarkParser(b *testing.B) {
	var s []byte
	for i := range 10000 {
		s, _ = AppendLine(s, Line{Tag: "EXSPR", Fields: []Field{{"aim", "base"}, {"sweep", "near-far"}, {"rem", fmt.Sprint(i % 100)}, {"t", fmt.Sprint(i * 40)}}})
	}
	b.SetBytes(int64(len(s)))
	for b.Loop() {
		var p Parser
		for rest := s; len(rest) > 0; {
			n := min(len(rest), 256)
			p.Write(rest[:n])
			rest = rest[n:]
			for _, ok := p.Next(); ok; _, ok = p.Next() {
			}
		}
	}
}
