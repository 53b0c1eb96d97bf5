// Package hardware is the contract between exam equipment and the station:
// a Device turns the bytes of one piece of equipment into typed Readings.
//
// The wire formats live in subpackages, each a pure codec apart from any
// transport (cpr, asciiline, modbus, with crc16 shared by the first and
// last); profiles describes models as data; serialport is the only code
// that sees a real serial port; driver joins a profile to a port; sim
// speaks the same bytes on pseudo-terminals; hardwaretest is the
// conformance suite every device must pass. docs/devices.md is the
// reference for all of it.
//
// hardware never imports scoring or the station: only cmd maps a Reading to
// a station event. Event types and field names are those of
// standards/vocabulary.yaml.
package hardware
