package escpos

// Real-time status (ESC/POS Command Reference, DLE EOT n, "Transmit
// real-time status"): the printer answers at once with one status byte,
// even while its print buffer is full or it is offline. Bits 1 and 4 of
// every answer are set and bits 0 and 7 clear, so a status byte is told
// apart from anything else on the line by (b & 0x93) == 0x12.
const (
	StatusPrinter byte = 1 // n = 1: printer status (bit 3: offline)
	StatusOffline byte = 2 // n = 2: offline cause (bit 2: cover open, bit 5: stopped by paper end, bit 6: error)
	StatusError   byte = 3 // n = 3: error cause
	StatusPaper   byte = 4 // n = 4: roll paper sensor (bits 2,3: near end; bits 5,6: paper end)
)

// StatusRequest returns DLE EOT n (10 04 n).
func StatusRequest(n byte) []byte { return []byte{DLE, EOT, n} }

// The bits of the answers the station reads.
const (
	statusFixed    byte = 0x12 // bits 1 and 4, set in every answer
	statusMask     byte = 0x93 // bits 0, 1, 4, 7: fixed in every answer
	paperNearEnd   byte = 0x0C
	paperEnd       byte = 0x60
	printerOffline byte = 0x08
)

// IsStatus reports whether b has the fixed bits of a status answer.
func IsStatus(b byte) bool { return b&statusMask == statusFixed }

// PaperStatus is the answer to DLE EOT 4.
type PaperStatus struct {
	NearEnd bool // the roll is running out: print, but replace it soon
	End     bool // no paper: the printer prints nothing
}

// ParsePaperStatus reads an answer to DLE EOT 4. It reports false for a
// byte that is not a status answer.
func ParsePaperStatus(b byte) (PaperStatus, bool) {
	if !IsStatus(b) {
		return PaperStatus{}, false
	}
	return PaperStatus{NearEnd: b&paperNearEnd != 0, End: b&paperEnd != 0}, true
}

// PaperAnswer encodes a DLE EOT 4 answer (the simulator's side).
func PaperAnswer(s PaperStatus) byte {
	b := statusFixed
	if s.NearEnd {
		b |= paperNearEnd
	}
	if s.End {
		b |= paperEnd
	}
	return b
}

// PrinterAnswer encodes a DLE EOT 1 answer: online or offline.
func PrinterAnswer(offline bool) byte {
	if offline {
		return statusFixed | printerOffline
	}
	return statusFixed
}

// OfflineAnswer encodes a DLE EOT 2 answer: bit 5 when printing stopped at
// the paper's end.
func OfflineAnswer(paperOut bool) byte {
	if paperOut {
		return statusFixed | 0x20
	}
	return statusFixed
}
