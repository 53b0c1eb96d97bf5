// Package escpos is the wire format of the station's receipt printer: the
// ESC/POS command set of thermal printers (Epson, "ESC/POS Command
// Reference for TM Printers", and the Chinese printers that copy it), as
// far as a score slip needs it.
//
// The package is a pure codec: Builder encodes a slip (text in GB18030 in
// Chinese character mode, emphasis, size, alignment, a QR code, the cut),
// Parser finds the commands in a byte stream, and Render folds them into
// the slips a printer would have printed (text decoded from GB18030, the
// QR codes' payloads as stored, no image). A real-time status request
// (DLE EOT) and its answer are here too. What a slip says is the
// station's business.
package escpos
