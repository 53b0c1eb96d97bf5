package idcard

import (
	"bytes"
	"context"
	"errors"
	"io"
	"testing"
	"testing/iotest"
)

var sample = Card{Name: "陈明", Gender: "1", Nation: "01", Birth: "19990308", Address: "山东省泰安市泰山区东岳大街1号",
	IDNumber: "370902199903081216", Authority: "泰安市公安局泰山分局", ValidFrom: "20190308", ValidTo: Permanent, Photo: bytes.Repeat([]byte{0x57}, PhotoLen)}

func TestEncode_Request(t *testing.T) {
	// The find-card request as readers send it: AA AA AA 96 69 00 03 20 01 22
	// (LEN 3 = CMD, PARA, CHK; CHK = 00^03^20^01).
	got := Request(CmdFind)
	want := []byte{0xAA, 0xAA, 0xAA, 0x96, 0x69, 0x00, 0x03, 0x20, 0x01, 0x22}
	if !bytes.Equal(got, want) {
		t.Fatalf("find = % X, want % X", got, want)
	}
}

func TestDecode(t *testing.T) {
	ok, _ := Answer(StatusFound, []byte{0, 0, 0, 0, 0, 0, 0, 0})
	bad := bytes.Clone(ok)
	bad[len(bad)-1] ^= 1
	long := append(Preamble[:], 0xFF, 0xFF, 1, 2, 3)
	tests := []struct {
		name    string
		in      []byte
		body    []byte
		n       int
		wantErr error
	}{
		{"OK", ok, ok[7 : len(ok)-1], len(ok), nil},
		{"GarbageFirst", append([]byte{1, 2, 3}, ok...), ok[7 : len(ok)-1], len(ok) + 3, nil},
		{"Partial", ok[:9], nil, 0, nil},
		{"PreambleSplit", []byte{9, 0xAA, 0xAA}, nil, 1, nil},
		{"ErrChecksum", bad, nil, 1, ErrChecksum},
		{"ErrLength", long, nil, 1, ErrLength},
		{"Empty", nil, nil, 0, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, n, err := Decode(tt.in)
			if !errors.Is(err, tt.wantErr) || n != tt.n || !bytes.Equal(body, tt.body) {
				t.Fatalf("Decode = % X, %d, %v; want % X, %d, %v", body, n, err, tt.body, tt.n, tt.wantErr)
			}
		})
	}
}

func TestParseAnswer_Status(t *testing.T) {
	for _, st := range []Status{StatusOK, StatusFound, StatusNoCard, StatusSelectFail, StatusReadFail} {
		f, _ := Answer(st, nil)
		body, _, err := Decode(f)
		if err != nil {
			t.Fatal(err)
		}
		got, data, err := ParseAnswer(body)
		if err != nil || got != st || len(data) != 0 {
			t.Errorf("%v: got %v % X %v", st, got, data, err)
		}
	}
	if s := (Status{0, 0, 0x33}).String(); s != "status 00 00 33" {
		t.Errorf("unknown status named %q", s)
	}
}

func TestText_RoundTrip(t *testing.T) {
	info, err := EncodeInfo(sample)
	if err != nil {
		t.Fatal(err)
	}
	if len(info) != 4+TextLen+PhotoLen {
		t.Fatalf("information is %d bytes", len(info))
	}
	got, err := ParseInfo(info)
	if err != nil {
		t.Fatal(err)
	}
	if got.Name != "陈明" || got.IDNumber != sample.IDNumber || got.ValidTo != Permanent || got.Address != sample.Address || !bytes.Equal(got.Photo, sample.Photo) {
		t.Fatalf("round trip: %+v", got)
	}
}

func TestParseText_ErrText(t *testing.T) {
	if _, err := ParseText(make([]byte, 255)); !errors.Is(err, ErrText) {
		t.Fatalf("255 bytes: %v", err)
	}
	if _, err := ParseInfo([]byte{1, 0, 0, 0, 1}); !errors.Is(err, ErrText) {
		t.Fatalf("short info: %v", err)
	}
	if _, err := EncodeText(Card{Name: "一二三四五六七八九十甲乙丙丁戊己"}); !errors.Is(err, ErrText) {
		t.Fatalf("16-character name: %v", err)
	}
}

// module answers a script of frames to whatever the reader sends.
type module struct {
	in      bytes.Buffer
	out     io.Reader
	answers [][]byte
	closed  bool
}

func (m *module) Write(p []byte) (int, error) {
	m.in.Write(p)
	if len(m.answers) == 0 {
		return 0, io.ErrClosedPipe
	}
	m.out = iotest.OneByteReader(bytes.NewReader(append([]byte{0xAA, 0x00}, m.answers[0]...))) // noise first, one byte at a time
	m.answers = m.answers[1:]
	return len(p), nil
}

func (m *module) Read(p []byte) (int, error) {
	if m.out == nil {
		return 0, io.EOF
	}
	return m.out.Read(p)
}

func (m *module) Close() error { m.closed = true; return nil }

func answer(t *testing.T, st Status, data []byte) []byte {
	t.Helper()
	f, err := Answer(st, data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestReader_Read(t *testing.T) {
	info, _ := EncodeInfo(sample)
	tests := []struct {
		name    string
		answers [][]byte
		wantErr error
	}{
		{"OK", [][]byte{answer(t, StatusFound, make([]byte, 4)), answer(t, StatusOK, make([]byte, 8)), answer(t, StatusOK, info)}, nil},
		{"ErrNoCard", [][]byte{answer(t, StatusNoCard, nil)}, ErrNoCard},
		{"ErrUnreadableSelect", [][]byte{answer(t, StatusFound, nil), answer(t, StatusSelectFail, nil)}, ErrUnreadable},
		{"ErrUnreadableRead", [][]byte{answer(t, StatusFound, nil), answer(t, StatusOK, nil), answer(t, StatusReadFail, nil)}, ErrUnreadable},
		{"ErrText", [][]byte{answer(t, StatusFound, nil), answer(t, StatusOK, nil), answer(t, StatusOK, []byte{1, 0, 4, 0})}, ErrText},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := &module{answers: tt.answers}
			r := NewReader(m)
			c, err := r.Read(context.Background())
			if !errors.Is(err, tt.wantErr) {
				t.Fatalf("Read: %v, want %v", err, tt.wantErr)
			}
			if err == nil && (c.Name != sample.Name || c.IDNumber != sample.IDNumber) {
				t.Fatalf("card %+v", c)
			}
			if !bytes.HasPrefix(m.in.Bytes(), Request(CmdFind)) {
				t.Fatalf("first request % X", m.in.Bytes())
			}
		})
	}
}

func FuzzDecode(f *testing.F) {
	info, _ := EncodeInfo(sample)
	for _, st := range []Status{StatusOK, StatusNoCard} {
		a, _ := Answer(st, info)
		f.Add(a)
	}
	f.Add(Request(CmdFind))
	f.Add(append(Preamble[:], 0x00))
	f.Fuzz(func(t *testing.T, in []byte) {
		// Whole-buffer and one-byte-at-a-time decoding agree, never panic,
		// and always make progress.
		var whole [][]byte
		for buf := in; ; {
			body, n, err := Decode(buf)
			if n < 0 || n > len(buf) {
				t.Fatalf("n = %d of %d", n, len(buf))
			}
			if body != nil {
				whole = append(whole, bytes.Clone(body))
				if st, data, err := ParseAnswer(body); err == nil && st == StatusOK {
					ParseInfo(data)
				}
			}
			if n == 0 && err == nil && body == nil {
				break
			}
			buf = buf[n:]
		}
		d := NewDecoder(iotest.OneByteReader(bytes.NewReader(in)))
		var frag [][]byte
		for {
			b, err := d.Next()
			if err != nil {
				break
			}
			frag = append(frag, b)
		}
		if len(frag) != len(whole) {
			t.Fatalf("one byte at a time: %d frames, whole: %d", len(frag), len(whole))
		}
		for i := range frag {
			if !bytes.Equal(frag[i], whole[i]) {
				t.Fatalf("frame %d differs", i)
			}
		}
	})
}
