package escpos

import (
	"bytes"
	"io"
	"reflect"
	"strings"
	"testing"
	"testing/iotest"
)

// TestBuilder_Bytes checks each command's bytes against the ESC/POS
// Command Reference.
func TestBuilder_Bytes(t *testing.T) {
	tests := []struct {
		name  string
		build func(*Builder)
		want  []byte
	}{
		{"init", func(b *Builder) { b.Init() }, []byte{0x1B, 0x40}},
		{"chinese on", func(b *Builder) { b.Chinese(true) }, []byte{0x1C, 0x26}},
		{"chinese off", func(b *Builder) { b.Chinese(false) }, []byte{0x1C, 0x2E}},
		{"bold", func(b *Builder) { b.Bold(true).Bold(false) }, []byte{0x1B, 0x45, 1, 0x1B, 0x45, 0}},
		{"size 2x2", func(b *Builder) { b.Size(2, 2) }, []byte{0x1D, 0x21, 0x11}},
		{"size clamped", func(b *Builder) { b.Size(0, 9) }, []byte{0x1D, 0x21, 0x07}},
		{"centre", func(b *Builder) { b.Align(Centre) }, []byte{0x1B, 0x61, 1}},
		{"line gb18030", func(b *Builder) { b.Line("合格 A") }, []byte{0xBA, 0xCF, 0xB8, 0xF1, ' ', 'A', 0x0A}},
		{"control chars dropped", func(b *Builder) { b.Text("a\x1b@\nb") }, []byte{'a', '@', 'b'}},
		{"feed", func(b *Builder) { b.Feed(3) }, []byte{0x1B, 0x64, 3}},
		{"cut", func(b *Builder) { b.Cut(4) }, []byte{0x1D, 0x56, 66, 4}},
		{"qr", func(b *Builder) { b.QR("AB", 6, QRLevelM) }, []byte{
			0x1D, 0x28, 0x6B, 4, 0, 49, 65, 50, 0, // <Function 165> model 2
			0x1D, 0x28, 0x6B, 3, 0, 49, 67, 6, // <Function 167> module size 6
			0x1D, 0x28, 0x6B, 3, 0, 49, 69, 49, // <Function 169> level M
			0x1D, 0x28, 0x6B, 5, 0, 49, 80, 48, 'A', 'B', // <Function 180> store
			0x1D, 0x28, 0x6B, 3, 0, 49, 81, 48, // <Function 181> print
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b Builder
			tt.build(&b)
			got, err := b.Bytes()
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(got, tt.want) {
				t.Errorf("got % x\nwant % x", got, tt.want)
			}
		})
	}
}

func TestBuilder_Errors(t *testing.T) {
	var b Builder
	if _, err := b.QR("", 4, QRLevelM).Bytes(); err == nil {
		t.Error("empty QR payload accepted")
	}
	var c Builder
	if _, err := c.QR(strings.Repeat("x", MaxQR+1), 4, QRLevelM).Bytes(); err == nil || !strings.Contains(err.Error(), "2953") {
		t.Errorf("long QR payload: err = %v", err)
	}
}

// slip is a job as the station builds one.
func slip(t testing.TB) []byte {
	var b Builder
	b.Init().Chinese(true).Align(Centre).Bold(true).Size(2, 2).Line("成绩单").Size(1, 1).Bold(false).Align(Left).
		Line("考生 370902********16").Line("总分 92.5 合格 PASS").QR("SC1:abc:123", 6, QRLevelM).Line("").Feed(2).Cut(3)
	b.Init().Chinese(true).Line("第二张")
	job, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return job
}

func TestParse_Slip(t *testing.T) {
	slips, rest := Parse(slip(t))
	want := []Slip{{Lines: []string{"成绩单", "考生 370902********16", "总分 92.5 合格 PASS", "[QR SC1:abc:123]", ""}, QR: []string{"SC1:abc:123"}}}
	if !reflect.DeepEqual(slips, want) {
		t.Errorf("slips = %#v\nwant %#v", slips, want)
	}
	if !reflect.DeepEqual(rest.Lines, []string{"第二张"}) {
		t.Errorf("rest = %#v", rest)
	}
}

// TestParser_OneByte feeds the job one byte at a time: a GB18030
// character or a GS ( k command split anywhere renders the same.
func TestParser_OneByte(t *testing.T) {
	job := slip(t)
	var p Parser
	var r Renderer
	rd := iotest.OneByteReader(bytes.NewReader(job))
	buf := make([]byte, 16)
	for {
		n, err := rd.Read(buf)
		p.Write(buf[:n])
		for {
			c, ok := p.Next()
			if !ok {
				break
			}
			r.Add(c)
		}
		if err == io.EOF {
			break
		}
	}
	whole, rest := Parse(job)
	if got := r.Slips(); !reflect.DeepEqual(got, whole) {
		t.Errorf("one byte at a time: %#v\nwhole: %#v", got, whole)
	}
	if got := r.Pending(); !reflect.DeepEqual(got, rest) {
		t.Errorf("pending %#v, want %#v", got, rest)
	}
	if s := p.Stats(); s.Unknown != 0 {
		t.Errorf("unknown commands in a slip: %+v", s)
	}
}

func TestParser_Commands(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want []Command
	}{
		{"status", []byte{0x10, 0x04, 4}, []Command{{Op: OpStatus, N: 4}}},
		{"cut A", []byte{0x1D, 0x56, 0}, []Command{{Op: OpCut, N: 0}}},
		{"cut B", []byte{0x1D, 0x56, 66, 3}, []Command{{Op: OpCut, N: 66}}},
		{"unknown ESC", []byte{0x1B, 'z', 'A'}, []Command{{Op: OpUnknown, Data: []byte{0x1B, 'z'}}, {Op: OpText, Data: []byte("A")}}},
		{"pdf417 skipped whole", []byte{0x1D, '(', 'k', 3, 0, 48, 65, 1, 'A'}, []Command{{Op: OpUnknown, Data: []byte{0x1D, '(', 'k', 3, 0, 48, 65, 1}}, {Op: OpText, Data: []byte("A")}}},
		{"incomplete qr waits", []byte{0x1D, '(', 'k', 10, 0, 49, 80}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var p Parser
			p.Write(tt.in)
			var got []Command
			for {
				c, ok := p.Next()
				if !ok {
					break
				}
				got = append(got, c)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("got %#v\nwant %#v", got, tt.want)
			}
		})
	}
}

func TestStatus(t *testing.T) {
	for _, s := range []PaperStatus{{}, {NearEnd: true}, {End: true}, {NearEnd: true, End: true}} {
		got, ok := ParsePaperStatus(PaperAnswer(s))
		if !ok || got != s {
			t.Errorf("%+v -> %#x -> %+v %v", s, PaperAnswer(s), got, ok)
		}
	}
	if _, ok := ParsePaperStatus('A'); ok {
		t.Error("'A' read as a status answer")
	}
	if !bytes.Equal(StatusRequest(StatusPaper), []byte{0x10, 0x04, 0x04}) {
		t.Error("DLE EOT 4")
	}
}

// FuzzParser: any bytes, in any fragments, never panic the parser or the
// renderer, and a job split anywhere renders as the whole one.
func FuzzParser(f *testing.F) {
	f.Add(slip(f), 3)
	f.Add([]byte{0x1D, '(', 'k', 0xFF, 0xFF, 49, 80}, 1)
	f.Add([]byte{0x1C, '&', 0x81, 0x30, 0x81, 0x0A, 0x1D, 0x56}, 2)
	f.Fuzz(func(t *testing.T, in []byte, split int) {
		whole, rest := Parse(in)
		var p Parser
		var r Renderer
		if split <= 0 {
			split = 1
		}
		for i := 0; i < len(in); i += split {
			p.Write(in[i:min(i+split, len(in))])
			for {
				c, ok := p.Next()
				if !ok {
					break
				}
				r.Add(c)
			}
		}
		if got := r.Slips(); !reflect.DeepEqual(got, whole) {
			t.Fatalf("split by %d: %#v\nwhole: %#v", split, got, whole)
		}
		if got := r.Pending(); len(got.QR) != len(rest.QR) {
			t.Fatalf("split by %d: pending %#v, whole %#v", split, got, rest)
		}
	})
}
