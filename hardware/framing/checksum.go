package framing

import (
	"fmt"

	"shicao/hardware/crc16"
)

// Algo is a checksum algorithm.
type Algo string

// The checksums devices use. XOR is NMEA 0183's; SUM8 the low byte of the
// sum, common on cheap manikins; CRC16Modbus is CRC-16/MODBUS (Modbus over
// Serial Line v1.02, §6.2.2); CRC16CCITT is CRC-16/CCITT-FALSE.
const (
	None        Algo = "none"
	XOR         Algo = "xor"
	Sum8        Algo = "sum8"
	CRC16Modbus Algo = "crc16-modbus"
	CRC16CCITT  Algo = "crc16-ccitt"
)

// Algos lists the algorithms in a fixed order, for messages.
func Algos() []Algo { return []Algo{None, XOR, Sum8, CRC16Modbus, CRC16CCITT} }

// Size returns how many bytes the checksum occupies in binary form: 0, 1
// or 2. It returns an error for an unknown algorithm.
func (a Algo) Size() (int, error) {
	switch a {
	case None, "":
		return 0, nil
	case XOR, Sum8:
		return 1, nil
	case CRC16Modbus, CRC16CCITT:
		return 2, nil
	}
	return 0, fmt.Errorf("checksum %q: want one of %v", a, Algos())
}

// Sum returns the checksum of p.
func (a Algo) Sum(p []byte) uint16 {
	switch a {
	case XOR:
		var x byte
		for _, b := range p {
			x ^= b
		}
		return uint16(x)
	case Sum8:
		var s byte
		for _, b := range p {
			s += b
		}
		return uint16(s)
	case CRC16Modbus:
		return crc16.Checksum(p)
	case CRC16CCITT:
		return crc16.CCITT(p)
	}
	return 0
}
