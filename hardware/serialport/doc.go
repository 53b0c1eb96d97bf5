// Package serialport is the only code in shicao that sees a serial port
// (go.bug.st/serial). Everything above it takes an io.ReadWriter.
//
// Open opens a port by path; Link keeps a device connected, reporting at
// once when it is lost and reopening it with capped backoff until it comes
// back. List enumerates ports with their USB identity and their stable
// /dev/serial/by-id names, which survive a re-plug that renumbers ttyUSB.
package serialport
