// Package modbus is a Modbus RTU master for the trainers that talk RS-485
// (SCBA trainer, wiring board): read coils (0x01), read holding registers
// (0x03), read input registers (0x04) and write single coil (0x05), framed
// with CRC-16/MODBUS as "Modbus over Serial Line" v1.02 specifies.
//
// Framing (AppendRequest, ParseResponse) is pure; Client runs transactions
// over any io.ReadWriter. The transport must return from Read now and then:
// a serial port with a read timeout returns (0, nil) when nothing arrived,
// which is how Client notices its own response timeout and a cancelled
// context. To abandon a transaction blocked in Read, close the transport.
package modbus
