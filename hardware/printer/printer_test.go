package printer

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"shicao/hardware/escpos"
	"shicao/hardware/sim"
)

func job(t *testing.T, text string) []byte {
	t.Helper()
	var b escpos.Builder
	b.Init().Chinese(true).Line(text).QR("SC1:code", 6, escpos.QRLevelM).Cut(3)
	out, err := b.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func start(t *testing.T, scenario string) (*sim.Printer, *Printer) {
	t.Helper()
	s, err := sim.StartPrinter(t.Context(), scenario, sim.PrinterOptions{Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	prof, err := LoadProfile("printer")
	if err != nil {
		t.Fatal(err)
	}
	p, err := New(prof, s.Path(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	return s, p
}

// TestPrinter_Print runs each scenario of the simulated printer through
// the real serial path.
func TestPrinter_Print(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		s, p := start(t, "good")
		if err := p.Print(t.Context(), job(t, "成绩单 合格")); err != nil {
			t.Fatalf("Print: %v", err)
		}
		want := []escpos.Slip{{Lines: []string{"成绩单 合格", "[QR SC1:code]"}, QR: []string{"SC1:code"}}}
		if got := s.Slips(); !reflect.DeepEqual(got, want) {
			t.Errorf("printed %#v, want %#v", got, want)
		}
	})
	t.Run("ErrPaperOut", func(t *testing.T) {
		s, p := start(t, "paper-out")
		if err := p.Print(t.Context(), job(t, "A")); !errors.Is(err, ErrPaperOut) {
			t.Fatalf("Print err = %v, want ErrPaperOut", err)
		}
		if got := s.Slips(); len(got) != 0 {
			t.Errorf("printed without paper: %v", got)
		}
		s.SetPaper(true)
		if err := p.Print(t.Context(), job(t, "B")); err != nil {
			t.Fatalf("Print with paper loaded: %v", err)
		}
		if got := s.Slips(); len(got) != 1 || got[0].Lines[0] != "B" {
			t.Errorf("printed %v", got)
		}
	})
	t.Run("ErrUnpluggedMidPrint", func(t *testing.T) {
		s, p := start(t, "unplug-mid")
		if err := p.Print(t.Context(), job(t, "A")); !errors.Is(err, ErrUnplugged) {
			t.Fatalf("Print err = %v, want ErrUnplugged", err)
		}
		if got := s.Slips(); len(got) != 0 {
			t.Errorf("a whole slip printed: %v", got)
		}
		if err := p.Print(t.Context(), job(t, "B")); !errors.Is(err, ErrUnplugged) {
			t.Fatalf("Print while unplugged err = %v, want ErrUnplugged", err)
		}
		if err := s.Plug(); err != nil {
			t.Fatal(err)
		}
		if err := p.Print(t.Context(), job(t, "C")); err != nil {
			t.Fatalf("Print after plugging back: %v", err)
		}
		if got := s.Slips(); len(got) != 1 || got[0].Lines[0] != "C" {
			t.Errorf("printed %v", got)
		}
	})
	t.Run("ErrNoAnswer", func(t *testing.T) {
		s, _ := start(t, "good")
		prof, _ := LoadProfile("printer")
		p, _ := New(prof, s.Path(), Options{Timeout: 100 * time.Millisecond})
		// A port that opens and never answers: a printer switched off
		// behind a USB adapter that is still there.
		p.open = func() (readWriteCloser, error) { return silent{}, nil }
		if err := p.Print(t.Context(), job(t, "A")); !errors.Is(err, ErrNoAnswer) {
			t.Fatalf("Print err = %v, want ErrNoAnswer", err)
		}
	})
	t.Run("Cancelled", func(t *testing.T) {
		_, p := start(t, "good")
		p.open = func() (readWriteCloser, error) { return silent{}, nil }
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		if err := p.Print(ctx, job(t, "A")); !errors.Is(err, context.Canceled) {
			t.Fatalf("Print err = %v, want context.Canceled", err)
		}
	})
}

// silent is a port that takes everything and never answers.
type silent struct{}

func (silent) Read(b []byte) (int, error) {
	time.Sleep(time.Millisecond) // a serial port's read timeout, shortened
	return 0, nil
}
func (silent) Write(b []byte) (int, error) { return len(b), nil }
func (silent) Close() error                { return nil }

func TestLoadProfile(t *testing.T) {
	p, err := LoadProfile("")
	if err != nil || p.Model != "SHICAO-SLIP-58" || p.Port.Baud != 9600 {
		t.Fatalf("reference profile: %+v, %v", p, err)
	}
	tests := []struct{ name, yaml, want string }{
		{"ErrNotAPrinter", "kind: cpr\nmodel: X\nframing: escpos\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\n", `kind "cpr", framing "escpos": want kind printer, framing escpos`},
		{"ErrFraming", "kind: printer\nmodel: X\nframing: lines\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\n", `framing "lines"`},
		{"ErrUnknownKey", "kind: printer\nmodel: X\nframing: escpos\nlines: {}\nport: {baud: 9600, data_bits: 8, parity: none, stop_bits: 1}\n", "field lines not found"},
		{"ErrParity", "kind: printer\nmodel: X\nframing: escpos\nport: {baud: 9600, data_bits: 8, parity: ood, stop_bits: 1}\n", `port.parity "ood"`},
		{"ErrEmpty", "", "empty"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseProfile("x.yaml", []byte(tt.yaml))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want it to contain %q", err, tt.want)
			}
		})
	}
	if _, err := LoadProfile("toaster"); err == nil || !strings.Contains(err.Error(), "have printer") {
		t.Errorf("LoadProfile(toaster) = %v", err)
	}
}
