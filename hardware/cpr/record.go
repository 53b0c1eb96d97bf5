package cpr

import (
	"encoding/binary"
	"errors"
	"fmt"
	"strings"
)

// RecordType is the byte after the length that says what the payload holds.
type RecordType byte

// The record types. Every payload starts with the device's uptime in
// milliseconds (uint32), so intervals survive buffering on the link.
const (
	TypeCompression RecordType = 0x01
	TypeVentilation RecordType = 0x02
	TypeSample      RecordType = 0x03
	TypeStatus      RecordType = 0x04
)

// Payload sizes of the record types; a frame of a known type with another
// length is invalid.
const (
	sizeCompression = 4 + 2 + 1 + 1
	sizeVentilation = 4 + 2 + 1
	sizeSample      = 4 + 2
	sizeStatus      = 4 + 1 + 3 + serialLen + modelLen
	serialLen       = 12
	modelLen        = 12
)

// Flag bits. Undefined bits must be zero so that a corrupted byte that
// still passes the CRC (a firmware bug) is refused rather than guessed at.
const (
	flagRecoil     = 1 << 0
	flagAirwayOpen = 1 << 0
	flagGastric    = 1 << 1
)

// ErrUnknownType is returned for a record type this package does not know;
// a Parser skips such frames whole and counts them, so newer firmware with
// extra records still works.
var ErrUnknownType = errors.New("unknown record type")

// ErrInvalid is returned for a payload that is not a valid record of its
// type: wrong length, a position out of range, undefined flag bits, text
// that is not printable ASCII.
var ErrInvalid = errors.New("invalid record")

// Position is where the hands were on the chest for a compression.
type Position uint8

// The positions a manikin reports (ok / left / right / high / low).
const (
	PositionOK Position = iota
	PositionLeft
	PositionRight
	PositionHigh
	PositionLow
)

var positionNames = [...]string{"ok", "left", "right", "high", "low"}

// String returns the vocabulary's name for p: ok, left, right, high or low.
func (p Position) String() string {
	if int(p) < len(positionNames) {
		return positionNames[p]
	}
	return fmt.Sprintf("position(%d)", uint8(p))
}

// Record is one decoded frame: *Compression, *Ventilation, *Sample or *Status.
type Record interface {
	// Type returns the record type byte the frame carries.
	Type() RecordType
	// Uptime returns the device's clock in milliseconds when it was made.
	Uptime() uint32
}

// Compression is one chest compression.
type Compression struct {
	TimeMS   uint32
	DepthMM  uint16
	Position Position
	Recoil   bool // the chest came fully back up before the next compression
}

// Ventilation is one breath.
type Ventilation struct {
	TimeMS     uint32
	VolumeML   uint16
	AirwayOpen bool
	Gastric    bool // air went into the stomach
}

// Sample is the raw chest depth, sent at 25 Hz by models that stream it.
type Sample struct {
	TimeMS  uint32
	DepthMM uint16
}

// Status is the manikin's provenance and battery, sent on connect and then
// every few seconds.
type Status struct {
	TimeMS     uint32
	BatteryPct uint8
	Firmware   [3]uint8 // major, minor, patch
	Serial     string   // up to 12 printable ASCII characters
	Model      string   // up to 12 printable ASCII characters
}

func (*Compression) Type() RecordType { return TypeCompression }
func (*Ventilation) Type() RecordType { return TypeVentilation }
func (*Sample) Type() RecordType      { return TypeSample }
func (*Status) Type() RecordType      { return TypeStatus }

func (r *Compression) Uptime() uint32 { return r.TimeMS }
func (r *Ventilation) Uptime() uint32 { return r.TimeMS }
func (r *Sample) Uptime() uint32      { return r.TimeMS }
func (r *Status) Uptime() uint32      { return r.TimeMS }

// FirmwareString returns the firmware version as "major.minor.patch".
func (r *Status) FirmwareString() string {
	return fmt.Sprintf("%d.%d.%d", r.Firmware[0], r.Firmware[1], r.Firmware[2])
}

// appendPayload appends rec's payload to dst.
func appendPayload(dst []byte, rec Record) ([]byte, error) {
	le := binary.LittleEndian
	switch r := rec.(type) {
	case *Compression:
		if int(r.Position) >= len(positionNames) {
			return nil, fmt.Errorf("compression: position %d: %w", r.Position, ErrInvalid)
		}
		dst = le.AppendUint32(dst, r.TimeMS)
		dst = le.AppendUint16(dst, r.DepthMM)
		dst = append(dst, byte(r.Position), flag(r.Recoil, flagRecoil))
	case *Ventilation:
		dst = le.AppendUint32(dst, r.TimeMS)
		dst = le.AppendUint16(dst, r.VolumeML)
		dst = append(dst, flag(r.AirwayOpen, flagAirwayOpen)|flag(r.Gastric, flagGastric))
	case *Sample:
		dst = le.AppendUint32(dst, r.TimeMS)
		dst = le.AppendUint16(dst, r.DepthMM)
	case *Status:
		if r.BatteryPct > 100 {
			return nil, fmt.Errorf("status: battery %d%%: %w", r.BatteryPct, ErrInvalid)
		}
		dst = le.AppendUint32(dst, r.TimeMS)
		dst = append(dst, r.BatteryPct)
		dst = append(dst, r.Firmware[:]...)
		var err error
		if dst, err = appendText(dst, r.Serial, serialLen); err != nil {
			return nil, fmt.Errorf("status: serial: %w", err)
		}
		if dst, err = appendText(dst, r.Model, modelLen); err != nil {
			return nil, fmt.Errorf("status: model: %w", err)
		}
	default:
		return nil, fmt.Errorf("record %T: %w", rec, ErrUnknownType)
	}
	return dst, nil
}

func flag(on bool, bit byte) byte {
	if on {
		return bit
	}
	return 0
}

// appendText appends s NUL-padded to n bytes.
func appendText(dst []byte, s string, n int) ([]byte, error) {
	if len(s) > n || !printable(s) {
		return nil, fmt.Errorf("%q: want at most %d printable ASCII characters: %w", s, n, ErrInvalid)
	}
	dst = append(dst, s...)
	for range n - len(s) {
		dst = append(dst, 0)
	}
	return dst, nil
}

func printable(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < 0x20 || s[i] > 0x7E {
			return false
		}
	}
	return true
}

// readText reads a NUL-padded field: printable ASCII, then only NULs.
func readText(p []byte) (string, bool) {
	s, pad, _ := strings.Cut(string(p), "\x00")
	if !printable(s) || strings.Trim(pad, "\x00") != "" {
		return "", false
	}
	return s, true
}

// payloadSize returns the payload length of a known type, 0 for others.
func payloadSize(t RecordType) int {
	switch t {
	case TypeCompression:
		return sizeCompression
	case TypeVentilation:
		return sizeVentilation
	case TypeSample:
		return sizeSample
	case TypeStatus:
		return sizeStatus
	}
	return 0
}

// ParsePayload decodes the payload of a frame of type t. It returns
// ErrUnknownType for a type it does not know and ErrInvalid for a payload
// that is not a valid record of its type.
func ParsePayload(t RecordType, p []byte) (Record, error) {
	le := binary.LittleEndian
	bad := func(why string) error { return fmt.Errorf("record type %#02x: %s: %w", byte(t), why, ErrInvalid) }
	want := payloadSize(t)
	if want == 0 {
		return nil, fmt.Errorf("record type %#02x: %w", byte(t), ErrUnknownType)
	}
	if len(p) != want {
		return nil, bad(fmt.Sprintf("payload %d bytes, want %d", len(p), want))
	}
	switch t {
	case TypeCompression:
		r := &Compression{TimeMS: le.Uint32(p), DepthMM: le.Uint16(p[4:]), Position: Position(p[6])}
		if int(r.Position) >= len(positionNames) {
			return nil, bad(fmt.Sprintf("position %d", p[6]))
		}
		if p[7]&^flagRecoil != 0 {
			return nil, bad(fmt.Sprintf("flags %#02x", p[7]))
		}
		r.Recoil = p[7]&flagRecoil != 0
		return r, nil
	case TypeVentilation:
		if p[6]&^(flagAirwayOpen|flagGastric) != 0 {
			return nil, bad(fmt.Sprintf("flags %#02x", p[6]))
		}
		return &Ventilation{TimeMS: le.Uint32(p), VolumeML: le.Uint16(p[4:]),
			AirwayOpen: p[6]&flagAirwayOpen != 0, Gastric: p[6]&flagGastric != 0}, nil
	case TypeSample:
		return &Sample{TimeMS: le.Uint32(p), DepthMM: le.Uint16(p[4:])}, nil
	default: // TypeStatus
		r := &Status{TimeMS: le.Uint32(p), BatteryPct: p[4], Firmware: [3]uint8{p[5], p[6], p[7]}}
		if r.BatteryPct > 100 {
			return nil, bad(fmt.Sprintf("battery %d%%", r.BatteryPct))
		}
		var ok1, ok2 bool
		r.Serial, ok1 = readText(p[8 : 8+serialLen])
		r.Model, ok2 = readText(p[8+serialLen:])
		if !ok1 || !ok2 {
			return nil, bad("text not NUL-padded printable ASCII")
		}
		return r, nil
	}
}
