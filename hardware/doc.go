// Package hardware is the contract between exam equipment and the station:
// a Device turns the bytes of one piece of equipment into typed Readings.
//
// Framing is data: profiles describes each model (its framing, records,
// fields, transforms and test captures) and decodes its bytes with framing
// (text records and binary frames found as a profile declares them) and
// modbus (the RTU master), all pure codecs apart from any transport;
// crc16 and capture (the recorded-bytes format) are shared. cpr and
// asciiline encode the reference protocols for the simulators and are the
// independent references the profiles are checked against. serialport is
// the only code that sees a real serial port; driver joins a profile to a
// port; sim speaks the same bytes on pseudo-terminals and replays
// captures; hardwaretest is the conformance suite every profile must pass.
// docs/devices.md is the reference for all of it.
//
// hardware never imports scoring or the station: only cmd maps a Reading to
// a station event. Event types and field names are those of
// standards/vocabulary.yaml.
package hardware
