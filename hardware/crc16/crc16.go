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
