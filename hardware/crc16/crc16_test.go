package crc16

import "testing"

func TestChecksum(t *testing.T) {
	tests := []struct {
		name string
		in   []byte
		want uint16
	}{
		// The catalogue check value of CRC-16/MODBUS (reveng.sourceforge.io).
		{"check", []byte("123456789"), 0x4B37},
		{"empty", nil, 0xFFFF},
		// Read ten holding registers of slave 1 from 0: the frame widely
		// quoted in Modbus tutorials, "01 03 00 00 00 0A C5 CD".
		{"modbus request", []byte{0x01, 0x03, 0x00, 0x00, 0x00, 0x0A}, 0xCDC5},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Checksum(tt.in); got != tt.want {
				t.Errorf("Checksum(% x) = %#04x, want %#04x", tt.in, got, tt.want)
			}
		})
	}
}

func TestUpdate_Incremental(t *testing.T) {
	p := []byte("the quick brown fox")
	whole := Checksum(p)
	for i := range p {
		if got := Update(Update(Init, p[:i]), p[i:]); got != whole {
			t.Fatalf("split at %d: %#04x, want %#04x", i, got, whole)
		}
	}
}

func TestAppend(t *testing.T) {
	got := Append(nil, 0xCDC5)
	if got[0] != 0xC5 || got[1] != 0xCD {
		t.Errorf("Append = % x, want c5 cd (low byte first)", got)
	}
}

func TestCCITT(t *testing.T) {
	// The check value of CRC-16/CCITT-FALSE in the CRC catalogue.
	if got := CCITT([]byte("123456789")); got != 0x29B1 {
		t.Errorf("CCITT(123456789) = %#04x, want 0x29b1", got)
	}
}
