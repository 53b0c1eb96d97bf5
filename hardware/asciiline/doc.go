// Package asciiline is the wire format of the line-oriented trainers
// (extinguisher, PPE tray, harness hook): one record per line,
//
//	$TAG,key=value,key=value*CS\r\n
//
// where CS is two hexadecimal digits, the XOR of every byte between '$' and
// '*' as NMEA 0183 does. A garbled line is dropped and counted, never
// guessed at; a line longer than MaxLine is dropped too, so a device that
// never sends a newline cannot grow the buffer.
//
// The package is a pure codec: AppendLine encodes, Parser and Decoder find
// lines in a byte stream. What a tag and its keys mean is the business of
// the device's profile (package profiles).
package asciiline
