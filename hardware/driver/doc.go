// Package driver joins a profile to a serial port: New returns the
// hardware.Device for a profile's framing family, reading the port through
// serialport.Link (so it reconnects by itself) and decoding with the pure
// codecs (cpr, asciiline, modbus) and the profile's map.
package driver
