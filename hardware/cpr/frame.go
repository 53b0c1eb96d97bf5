package cpr

import (
	"fmt"

	"shicao/hardware/crc16"
)

// The frame layout: 0x55 0xAA, LEN (payload bytes), TYPE, PAYLOAD, then the
// CRC-16/MODBUS of every byte from the first header byte to the end of the
// payload, low byte first.
const (
	Header0    = 0x55
	Header1    = 0xAA
	MaxPayload = 64 // a LEN above this is not a frame: resynchronise at once
	overhead   = 2 + 1 + 1 + 2
	// MaxFrame is the longest frame on the wire.
	MaxFrame = MaxPayload + overhead
)

// AppendFrame appends the frame carrying rec to dst. It returns ErrInvalid
// for a record that cannot be encoded (a position out of range, text too
// long or not printable ASCII) and ErrUnknownType for a foreign Record.
func AppendFrame(dst []byte, rec Record) ([]byte, error) {
	start := len(dst)
	dst = append(dst, Header0, Header1, 0, byte(rec.Type()))
	dst, err := appendPayload(dst, rec)
	if err != nil {
		return nil, fmt.Errorf("encode cpr frame: %w", err)
	}
	dst[start+2] = byte(len(dst) - start - 4)
	return crc16.Append(dst, crc16.Checksum(dst[start:])), nil
}

// AppendRaw appends a frame of any type byte and payload, valid or not: the
// simulator uses it to send records from newer firmware, tests to build
// frames the encoder refuses. It panics if payload exceeds MaxPayload.
func AppendRaw(dst []byte, t RecordType, payload []byte) []byte {
	if len(payload) > MaxPayload {
		panic("cpr: payload exceeds MaxPayload")
	}
	start := len(dst)
	dst = append(dst, Header0, Header1, byte(len(payload)), byte(t))
	dst = append(dst, payload...)
	return crc16.Append(dst, crc16.Checksum(dst[start:]))
}
