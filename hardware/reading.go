package hardware

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Kind names a family of equipment as standards/vocabulary.yaml does
// ("cpr", "extinguisher", "scba", "board", "ppe", "harness").
type Kind string

// The kinds of the sample standards.
const (
	KindCPR          Kind = "cpr"
	KindExtinguisher Kind = "extinguisher"
	KindSCBA         Kind = "scba"
	KindBoard        Kind = "board"
	KindPPE          Kind = "ppe"
	KindHarness      Kind = "harness"
	// KindIDCard is the second-generation ID-card reader at the identity
	// check (hardware/idcard). It identifies the candidate and produces no
	// readings for a standard, so Kinds does not list it.
	KindIDCard Kind = "idcard"
)

// KindPrinter is the station's receipt printer (ESC/POS, hardware/escpos,
// hardware/printer): output only. It reports no readings and no standard
// names it, so it is not among Kinds and has no equipment profile.
const KindPrinter Kind = "printer"

// Kinds lists every kind of equipment that reports readings, in a fixed
// order.
func Kinds() []Kind {
	return []Kind{KindCPR, KindExtinguisher, KindSCBA, KindBoard, KindPPE, KindHarness}
}

// Event types a device reports about itself rather than about the candidate.
// device.lost, device.back and device.status are vocabulary events; a
// device.connected reading is emitted once when the first connection is made
// and has no vocabulary event (the station shows it, it does not log it).
const (
	TypeConnected = "device.connected"
	TypeLost      = "device.lost"
	TypeBack      = "device.back"
	TypeStatus    = "device.status"
)

// Reading is one typed observation from a device.
//
// Fields hold the vocabulary's field names with Go values of the vocabulary's
// types: int for int, float64 for float, bool for bool, string for string and
// []string for strings. Units are in the field names (depth_mm, volume_ml).
type Reading struct {
	Device string         // the station's id for the device, e.g. "cpr-01"
	Kind   Kind           // the family of equipment
	Type   string         // the event type, e.g. "cpr.compression"
	Fields map[string]any // typed values keyed by vocabulary field name

	// At is monotonic time since the device started. When DeviceClock is
	// true it comes from the device's own clock carried on the wire (so an
	// accelerated simulator or a congested link does not distort intervals);
	// otherwise the driver measured it on the host from the start of Run.
	At          time.Duration
	DeviceClock bool
}

// String renders a reading on one line with its fields in sorted order, for
// logs and for `shicao device read`.
func (r Reading) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s %s", r.At.Truncate(time.Millisecond), r.Device, r.Type)
	keys := make([]string, 0, len(r.Fields))
	for k := range r.Fields {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(&b, " %s=%v", k, r.Fields[k])
	}
	return b.String()
}

// Info is the provenance of a device: the station records it with every
// session and refuses equipment whose serial number is not registered to the
// site (考培分离).
type Info struct {
	Model    string
	Serial   string
	Firmware string
}
