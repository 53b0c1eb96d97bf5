package modbus

import (
	"encoding/binary"
	"errors"
	"fmt"

	"shicao/hardware/crc16"
)

// Function codes this master speaks.
const (
	FuncReadCoils            byte = 0x01
	FuncReadHoldingRegisters byte = 0x03
	FuncReadInputRegisters   byte = 0x04
	FuncWriteSingleCoil      byte = 0x05
)

// Quantity limits per request (Modbus Application Protocol v1.1b3, §6).
const (
	MaxRegisters = 125
	MaxCoils     = 2000
)

// Exception codes (Modbus Application Protocol v1.1b3, §7).
const (
	IllegalFunction    byte = 0x01
	IllegalDataAddress byte = 0x02
	IllegalDataValue   byte = 0x03
	ServerDeviceFail   byte = 0x04
	Acknowledge        byte = 0x05
	ServerDeviceBusy   byte = 0x06
)

// ExceptionError is a slave's exception response: it understood the request
// and refused it.
type ExceptionError struct {
	Slave    byte
	Function byte // the request's function code, without the 0x80 bit
	Code     byte
}

var exceptionNames = map[byte]string{
	IllegalFunction: "illegal function", IllegalDataAddress: "illegal data address",
	IllegalDataValue: "illegal data value", ServerDeviceFail: "server device failure",
	Acknowledge: "acknowledge", ServerDeviceBusy: "server device busy",
}

func (e *ExceptionError) Error() string {
	name, ok := exceptionNames[e.Code]
	if !ok {
		name = fmt.Sprintf("exception %#02x", e.Code)
	}
	return fmt.Sprintf("slave %d function %#02x: %s", e.Slave, e.Function, name)
}

// ErrBadResponse is returned for a response that fails its CRC, comes from
// another slave or function, or has the wrong length: line noise or a late
// reply to an earlier request.
var ErrBadResponse = errors.New("bad response")

// Request is one read or write: Address and Quantity for reads, Address and
// Value (0xFF00 on, 0x0000 off) for a coil write.
type Request struct {
	Slave    byte
	Function byte
	Address  uint16
	Quantity uint16 // the value field for FuncWriteSingleCoil
}

// AppendRequest appends the RTU frame of r to dst. All four functions have
// the same eight-byte shape: slave, function, two big-endian words, CRC.
func AppendRequest(dst []byte, r Request) []byte {
	start := len(dst)
	dst = append(dst, r.Slave, r.Function)
	dst = binary.BigEndian.AppendUint16(dst, r.Address)
	dst = binary.BigEndian.AppendUint16(dst, r.Quantity)
	return crc16.Append(dst, crc16.Checksum(dst[start:]))
}

// responseLen returns the length of the whole response frame to r, or of an
// exception response when the function byte has its 0x80 bit set.
func responseLen(r Request, fn byte) int {
	if fn&0x80 != 0 {
		return 5
	}
	switch r.Function {
	case FuncReadCoils:
		return 5 + (int(r.Quantity)+7)/8
	case FuncReadHoldingRegisters, FuncReadInputRegisters:
		return 5 + 2*int(r.Quantity)
	default: // FuncWriteSingleCoil echoes the request
		return 8
	}
}

// ParseResponse checks a whole response frame to r and returns its data
// bytes (register bytes, coil bytes, or the echoed value for a write). It
// returns *ExceptionError for an exception response and ErrBadResponse for
// anything that is not the answer to r.
func ParseResponse(r Request, b []byte) ([]byte, error) {
	bad := func(why string) ([]byte, error) { return nil, fmt.Errorf("%s: %w", why, ErrBadResponse) }
	switch r.Function {
	case FuncReadCoils, FuncReadHoldingRegisters, FuncReadInputRegisters, FuncWriteSingleCoil:
	default:
		return nil, fmt.Errorf("function %#02x is not spoken by this master", r.Function)
	}
	if len(b) < 5 {
		return bad("short frame")
	}
	if len(b) != responseLen(r, b[1]) {
		return bad(fmt.Sprintf("%d bytes", len(b)))
	}
	if crc16.Checksum(b[:len(b)-2]) != binary.LittleEndian.Uint16(b[len(b)-2:]) {
		return bad("crc mismatch")
	}
	if b[0] != r.Slave {
		return bad(fmt.Sprintf("from slave %d", b[0]))
	}
	switch b[1] {
	case r.Function | 0x80:
		return nil, &ExceptionError{Slave: b[0], Function: r.Function, Code: b[2]}
	case r.Function:
	default:
		return bad(fmt.Sprintf("function %#02x", b[1]))
	}
	if r.Function == FuncWriteSingleCoil {
		if binary.BigEndian.Uint16(b[2:]) != r.Address || binary.BigEndian.Uint16(b[4:]) != r.Quantity {
			return bad("write echo differs")
		}
		return b[4:6], nil
	}
	if int(b[2]) != len(b)-5 {
		return bad(fmt.Sprintf("byte count %d", b[2]))
	}
	return b[3 : len(b)-2], nil
}
