// Package crc16 computes CRC-16/MODBUS, the check both the CPR manikin's
// frames and Modbus RTU carry: reflected polynomial 0xA001, initial value
// 0xFFFF, no final XOR, sent low byte first (Modbus over Serial Line v1.02,
// §6.2.2).
package crc16

// table is the byte-at-a-time table for the reflected polynomial.
var table = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i)
		for range 8 {
			if c&1 != 0 {
				c = c>>1 ^ 0xA001
			} else {
				c >>= 1
			}
		}
		t[i] = c
	}
	return t
}()

// Init is the register's value before the first byte.
const Init = 0xFFFF

// Update folds p into a running CRC started at Init.
func Update(crc uint16, p []byte) uint16 {
	for _, b := range p {
		crc = crc>>8 ^ table[byte(crc)^b]
	}
	return crc
}

// Checksum returns the CRC-16/MODBUS of p.
func Checksum(p []byte) uint16 { return Update(Init, p) }

// Append appends the CRC of p to dst low byte first, as the wire carries it.
func Append(dst []byte, crc uint16) []byte { return append(dst, byte(crc), byte(crc>>8)) }

// ccittTable is the byte-at-a-time table for the unreflected polynomial
// 0x1021.
var ccittTable = func() (t [256]uint16) {
	for i := range t {
		c := uint16(i) << 8
		for range 8 {
			if c&0x8000 != 0 {
				c = c<<1 ^ 0x1021
			} else {
				c <<= 1
			}
		}
		t[i] = c
	}
	return t
}()

// CCITT returns the CRC-16/CCITT-FALSE of p: polynomial 0x1021, initial
// value 0xFFFF, no reflection, no final XOR (the catalogue's check value
// for "123456789" is 0x29B1). Devices that name their check "CRC-16/CCITT"
// mostly mean this one.
func CCITT(p []byte) uint16 {
	crc := uint16(0xFFFF)
	for _, b := range p {
		crc = crc<<8 ^ ccittTable[byte(crc>>8)^b]
	}
	return crc
}
