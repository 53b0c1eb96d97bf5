// Package cpr is the wire format of the CPR manikin: binary frames with a
// 0x55 0xAA header, a length, a record type, a little-endian payload and a
// CRC-16/MODBUS, as a public Chinese manikin frames its data. The exact
// layout is in docs/devices.md; shicao defines it for its simulator and for
// manikins that speak it.
//
// The package is a pure codec: AppendFrame encodes a record, Parser and
// Decoder find frames in a byte stream and resynchronise after garbage or a
// bad CRC. It does no I/O of its own beyond the io.Reader a Decoder is given.
package cpr
