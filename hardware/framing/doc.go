// Package framing finds records in the byte stream of a serial device, as
// a profile declares them (package profiles): text records between
// delimiters with an optional checksum anywhere in the record (Lines), and
// binary frames with header bytes, a length field and a checksum over a
// declared range (Frames). It is a pure codec: bytes are pushed in with
// Write and records come out of Next; it resynchronises after garbage, a
// bad checksum or a record cut short, and counts what it drops by reason.
//
// What a record means (which event, which fields) is not its business:
// package profiles maps records to events.
package framing
