package serialport

import (
	"errors"
	"fmt"
	"io/fs"
	"time"

	"go.bug.st/serial"
)

// Errors Open returns, translated from go.bug.st/serial and the OS, for
// callers that branch: ErrNotFound is what an unplugged device looks like;
// ErrNotSerial will not get better by retrying.
var (
	ErrNotFound   = errors.New("no such port")
	ErrBusy       = errors.New("port busy")
	ErrPermission = errors.New("permission denied (is the user in the dialout group?)")
	ErrNotSerial  = errors.New("not a serial port")
)

// Mode is the line's settings.
type Mode struct {
	Baud     int
	DataBits int
	Parity   string // none, odd, even, mark, space
	StopBits int    // 1 or 2
}

// DefaultReadTimeout bounds every Read: a Read with nothing to return gives
// (0, nil) after it, so protocol code can check its own deadlines.
const DefaultReadTimeout = 50 * time.Millisecond

// Port is an open serial port. Read returns (0, nil) when nothing arrived
// within the read timeout; Close unblocks a pending Read, which then
// returns an error.
type Port struct {
	port serial.Port
	path string
}

// Open opens the port at path (a symlink such as a /dev/serial/by-id name
// is followed) with mode and a read timeout (DefaultReadTimeout if zero).
// Errors wrap ErrNotFound, ErrBusy, ErrPermission or ErrNotSerial when
// they are one of those.
func Open(path string, m Mode, readTimeout time.Duration) (*Port, error) {
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	parity, ok := map[string]serial.Parity{"none": serial.NoParity, "odd": serial.OddParity,
		"even": serial.EvenParity, "mark": serial.MarkParity, "space": serial.SpaceParity}[m.Parity]
	if !ok {
		return nil, fmt.Errorf("open %s: parity %q", path, m.Parity)
	}
	stop := serial.OneStopBit
	if m.StopBits == 2 {
		stop = serial.TwoStopBits
	}
	p, err := serial.Open(path, &serial.Mode{BaudRate: m.Baud, DataBits: m.DataBits, Parity: parity, StopBits: stop})
	if err != nil {
		return nil, fmt.Errorf("open %s: %w", path, translate(err))
	}
	if err := p.SetReadTimeout(readTimeout); err != nil {
		p.Close()
		return nil, fmt.Errorf("open %s: set read timeout: %w", path, translate(err))
	}
	// Bytes that arrived before this open answer no request of ours (a
	// late Modbus reply to the last owner of the port): start clean.
	if err := p.ResetInputBuffer(); err != nil {
		p.Close()
		return nil, fmt.Errorf("open %s: flush input: %w", path, translate(err))
	}
	return &Port{port: p, path: path}, nil
}

// translate maps go.bug.st/serial's error codes to this package's errors,
// keeping the original in the chain for the log.
func translate(err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			return fmt.Errorf("%w: %v", ErrNotFound, err)
		case serial.PortBusy:
			return fmt.Errorf("%w: %v", ErrBusy, err)
		case serial.PermissionDenied:
			return fmt.Errorf("%w: %v", ErrPermission, err)
		case serial.InvalidSerialPort:
			return fmt.Errorf("%w: %v", ErrNotSerial, err)
		}
	}
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %v", ErrNotFound, err)
	}
	if errors.Is(err, fs.ErrPermission) {
		return fmt.Errorf("%w: %v", ErrPermission, err)
	}
	return err
}

// Read reads what arrived, or returns (0, nil) after the read timeout.
func (p *Port) Read(b []byte) (int, error) {
	n, err := p.port.Read(b)
	if err != nil {
		return n, fmt.Errorf("read %s: %w", p.path, translate(err))
	}
	return n, nil
}

// Write writes b.
func (p *Port) Write(b []byte) (int, error) {
	n, err := p.port.Write(b)
	if err != nil {
		return n, fmt.Errorf("write %s: %w", p.path, translate(err))
	}
	return n, nil
}

// Close closes the port; a Read blocked in another goroutine returns.
func (p *Port) Close() error { return p.port.Close() }

// Path returns the path the port was opened by.
func (p *Port) Path() string { return p.path }
