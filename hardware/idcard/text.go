package idcard

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
	"unicode/utf16"
)

// The text block of 30 01's answer: 256 bytes of UCS-2 little-endian, in
// fixed fields padded with spaces (field sizes in bytes, as the open
// readers lay them out, e.g. chenhaifeng2016/FaceRecognitionTest
// IDReader/src/IDReader.h: name 30, gender 2, nation 4, birth 16, address
// 70, id number 36, issuer 30, validity start 16 and end 16, reserved 36;
// then the 1,024-byte photo).
const (
	TextLen  = 256
	PhotoLen = 1024
)

var textFields = [...]int{30, 2, 4, 16, 70, 36, 30, 16, 16, 36}

// Card is the basic information read from a card. Dates are YYYYMMDD;
// ValidTo is "长期" for a card without an end date. Gender is the code of
// GB/T 2261.1 (1 male, 2 female); Nation the code of GB/T 3304 (01 汉).
type Card struct {
	Name      string
	Gender    string
	Nation    string
	Birth     string
	Address   string
	IDNumber  string
	Authority string
	ValidFrom string
	ValidTo   string
	Photo     []byte // the encoded photo (wlt), as the card holds it
}

// Permanent is ValidTo on a card valid for life.
const Permanent = "长期"

// ErrText reports a text block that is not 256 bytes of UCS-2.
var ErrText = errors.New("idcard: malformed text block")

// ParseText decodes a 256-byte text block. It returns ErrText for a block
// of another length.
func ParseText(b []byte) (Card, error) {
	if len(b) != TextLen {
		return Card{}, fmt.Errorf("%w: %d bytes, want %d", ErrText, len(b), TextLen)
	}
	var f [len(textFields)]string
	off := 0
	for i, n := range textFields {
		f[i] = ucs2(b[off : off+n])
		off += n
	}
	return Card{Name: f[0], Gender: f[1], Nation: f[2], Birth: f[3], Address: f[4], IDNumber: f[5], Authority: f[6], ValidFrom: f[7], ValidTo: f[8]}, nil
}

// ucs2 decodes UCS-2LE, dropping the space and NUL padding.
func ucs2(b []byte) string {
	u := make([]uint16, len(b)/2)
	for i := range u {
		u[i] = binary.LittleEndian.Uint16(b[2*i:])
	}
	return strings.TrimRight(string(utf16.Decode(u)), " \x00")
}

// EncodeText lays a card's fields into a text block, padding with
// spaces. It returns ErrText if a field does not fit.
func EncodeText(c Card) ([]byte, error) {
	vals := [...]string{c.Name, c.Gender, c.Nation, c.Birth, c.Address, c.IDNumber, c.Authority, c.ValidFrom, c.ValidTo, ""}
	out := make([]byte, 0, TextLen)
	for i, n := range textFields {
		u := utf16.Encode([]rune(vals[i]))
		if 2*len(u) > n {
			return nil, fmt.Errorf("%w: field %d %q longer than %d bytes", ErrText, i, vals[i], n)
		}
		for len(u) < n/2 {
			u = append(u, ' ')
		}
		for _, x := range u {
			out = binary.LittleEndian.AppendUint16(out, x)
		}
	}
	return out, nil
}

// ParseInfo decodes the data of 30 01's answer: the text length and the
// photo length (2 bytes each, big-endian), the text block, the photo. It
// returns ErrText if the lengths do not match the data.
func ParseInfo(data []byte) (Card, error) {
	if len(data) < 4 {
		return Card{}, fmt.Errorf("%w: %d bytes of information", ErrText, len(data))
	}
	tl, pl := int(binary.BigEndian.Uint16(data)), int(binary.BigEndian.Uint16(data[2:]))
	if tl != TextLen || len(data) < 4+tl+pl {
		return Card{}, fmt.Errorf("%w: text %d and photo %d bytes in %d", ErrText, tl, pl, len(data)-4)
	}
	c, err := ParseText(data[4 : 4+tl])
	if err != nil {
		return Card{}, err
	}
	c.Photo = append([]byte(nil), data[4+tl:4+tl+pl]...)
	return c, nil
}

// EncodeInfo is ParseInfo's inverse: what a security module sends.
func EncodeInfo(c Card) ([]byte, error) {
	text, err := EncodeText(c)
	if err != nil {
		return nil, err
	}
	if len(c.Photo) > 0xFFFF {
		return nil, fmt.Errorf("%w: photo of %d bytes", ErrText, len(c.Photo))
	}
	out := binary.BigEndian.AppendUint16(nil, TextLen)
	out = binary.BigEndian.AppendUint16(out, uint16(len(c.Photo)))
	out = append(out, text...)
	return append(out, c.Photo...), nil
}
