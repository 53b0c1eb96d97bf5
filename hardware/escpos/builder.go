package escpos

import (
	"fmt"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// The control bytes (ESC/POS Command Reference, "Command list").
const (
	LF  = 0x0A
	DLE = 0x10
	EOT = 0x04
	ESC = 0x1B
	FS  = 0x1C
	GS  = 0x1D
)

// Alignment is ESC a n: left, centred or right.
type Alignment byte

// The alignments of ESC a.
const (
	Left   Alignment = 0
	Centre Alignment = 1
	Right  Alignment = 2
)

// QR error correction levels of GS ( k <Function 169>: n = 48..51 is
// L, M, Q, H (7, 15, 25, 30 % of the symbol recoverable).
const (
	QRLevelL byte = 48
	QRLevelM byte = 49
	QRLevelQ byte = 50
	QRLevelH byte = 51
)

// MaxQR is the most data <Function 180> stores in one command: pL pH count
// the data plus cn fn m, and a QR symbol (model 2, version 40, level L)
// holds at most 7089 numeric characters, 2953 bytes in byte mode.
const MaxQR = 2953

// Builder encodes a print job. Its methods append to the job; the first
// error (text that GB18030 cannot encode, a QR payload too long) is kept
// and returned by Bytes. The zero Builder is ready to use.
type Builder struct {
	buf []byte
	err error
}

// Init is ESC @ (1B 40), "Initialize printer": clears the buffer and
// resets every mode, so a slip never inherits a half-printed one's.
func (b *Builder) Init() *Builder { b.buf = append(b.buf, ESC, '@'); return b }

// Chinese is FS & (1C 26), "Select Kanji character mode": on Chinese
// printers, multi-byte text is read as GB18030 (GB2312 on older models,
// a subset) until FS . (1C 2E) cancels it.
func (b *Builder) Chinese(on bool) *Builder {
	if on {
		b.buf = append(b.buf, FS, '&')
	} else {
		b.buf = append(b.buf, FS, '.')
	}
	return b
}

// Bold is ESC E n (1B 45 n), "Turn emphasized mode on/off" (bit 0 of n).
func (b *Builder) Bold(on bool) *Builder {
	b.buf = append(b.buf, ESC, 'E', boolByte(on))
	return b
}

// Size is GS ! n (1D 21 n), "Select character size": width and height
// multipliers 1 to 8, in the high and low nibbles of n less one.
func (b *Builder) Size(w, h int) *Builder {
	w, h = min(max(w, 1), 8), min(max(h, 1), 8)
	b.buf = append(b.buf, GS, '!', byte(w-1)<<4|byte(h-1))
	return b
}

// Align is ESC a n (1B 61 n), "Select justification".
func (b *Builder) Align(a Alignment) *Builder {
	b.buf = append(b.buf, ESC, 'a', byte(a))
	return b
}

// Text appends s in GB18030 (the printer must be in Chinese mode for
// anything beyond ASCII). Control characters are dropped: text must never
// smuggle a command onto the wire.
func (b *Builder) Text(s string) *Builder {
	clean := make([]rune, 0, len(s))
	for _, r := range s {
		if r >= 0x20 && r != 0x7F {
			clean = append(clean, r)
		}
	}
	enc, err := simplifiedchinese.GB18030.NewEncoder().String(string(clean))
	if err != nil {
		b.fail(fmt.Errorf("text %q: not encodable in GB18030: %w", s, err))
		return b
	}
	b.buf = append(b.buf, enc...)
	return b
}

// Line is Text then LF (0A), "Print and line feed".
func (b *Builder) Line(s string) *Builder { b.Text(s); b.buf = append(b.buf, LF); return b }

// Feed is ESC d n (1B 64 n), "Print and feed n lines".
func (b *Builder) Feed(n byte) *Builder { b.buf = append(b.buf, ESC, 'd', n); return b }

// QR prints payload as a QR code, model 2, with modules of size dots
// (1..16) and error correction level (QRLevelL..QRLevelH), by GS ( k
// (1D 28 6B pL pH cn fn ...) with cn = 49 (QR Code):
// <Function 165> select the model (fn 65: n1 = 50 model 2, n2 = 0),
// <Function 167> set the module size (fn 67), <Function 169> set the error
// correction level (fn 69), <Function 180> store the data in the symbol
// storage area (fn 80, m = 48; pL pH count the data plus 3), and
// <Function 181> print the stored symbol (fn 81, m = 48).
func (b *Builder) QR(payload string, size, level byte) *Builder {
	if len(payload) == 0 || len(payload) > MaxQR {
		b.fail(fmt.Errorf("qr payload of %d bytes: want 1 to %d", len(payload), MaxQR))
		return b
	}
	size = min(max(size, 1), 16)
	level = min(max(level, QRLevelL), QRLevelH)
	b.buf = append(b.buf, GS, '(', 'k', 4, 0, 49, 65, 50, 0)
	b.buf = append(b.buf, GS, '(', 'k', 3, 0, 49, 67, size)
	b.buf = append(b.buf, GS, '(', 'k', 3, 0, 49, 69, level)
	n := len(payload) + 3
	b.buf = append(b.buf, GS, '(', 'k', byte(n), byte(n>>8), 49, 80, 48)
	b.buf = append(b.buf, payload...)
	b.buf = append(b.buf, GS, '(', 'k', 3, 0, 49, 81, 48)
	return b
}

// Cut is GS V 66 n (1D 56 42 n), "Select cut mode and cut paper",
// function B: feed n lines (to move the last line past the cutter) and
// partially cut.
func (b *Builder) Cut(feed byte) *Builder { b.buf = append(b.buf, GS, 'V', 66, feed); return b }

// Bytes returns the job, or the first error met while building it.
func (b *Builder) Bytes() ([]byte, error) {
	if b.err != nil {
		return nil, b.err
	}
	return b.buf, nil
}

func (b *Builder) fail(err error) {
	if b.err == nil {
		b.err = err
	}
}

func boolByte(v bool) byte {
	if v {
		return 1
	}
	return 0
}
