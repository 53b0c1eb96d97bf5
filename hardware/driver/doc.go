// Package driver joins a profile to a serial port: New returns the
// hardware.Device for a profile's framing, reading the port through
// serialport.Link (so it reconnects by itself): a Stream for a streaming
// device (framing lines or binary), decoded by the profile's Stream; a
// Modbus for a polled one, through package modbus and the profile's
// register map. No Go code here knows any device's bytes.
package driver
