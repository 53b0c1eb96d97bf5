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

// OpenError is the error Open returns: the port's path, why it cannot be
// opened (one of the errors above, or nil when none fits) and the error
// underneath. errors.Is(err, ErrNotFound) and friends see the reason;
// errors.As gives the path, for a screen that says which port is missing.
type OpenError struct {
	Path   string
	Reason error // ErrNotFound, ErrBusy, ErrPermission, ErrNotSerial or nil
	Err    error // from go.bug.st/serial or the OS
}

func (e *OpenError) Error() string {
	if e.Reason == nil {
		return fmt.Sprintf("open %s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("open %s: %v (%v)", e.Path, e.Reason, e.Err)
}

// Unwrap returns the reason and the underlying error.
func (e *OpenError) Unwrap() []error {
	if e.Reason == nil {
		return []error{e.Err}
	}
	return []error{e.Reason, e.Err}
}

// NotFound reports whether nothing is at the path: a device not plugged
// in, or a wrong path. A port that is there but is not a serial device is
// not NotFound.
func (e *OpenError) NotFound() bool { return e.Reason == ErrNotFound }

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
// Its errors are *OpenError, wrapping ErrNotFound, ErrBusy, ErrPermission
// or ErrNotSerial when they are one of those.
func Open(path string, m Mode, readTimeout time.Duration) (*Port, error) {
	p, err := open(path, m, readTimeout)
	if err != nil {
		return nil, &OpenError{Path: path, Reason: reason(err), Err: err}
	}
	return p, nil
}

func open(path string, m Mode, readTimeout time.Duration) (*Port, error) {
	if readTimeout <= 0 {
		readTimeout = DefaultReadTimeout
	}
	parity, ok := map[string]serial.Parity{"none": serial.NoParity, "odd": serial.OddParity,
		"even": serial.EvenParity, "mark": serial.MarkParity, "space": serial.SpaceParity}[m.Parity]
	if !ok {
		return nil, fmt.Errorf("parity %q", m.Parity)
	}
	stop := serial.OneStopBit
	if m.StopBits == 2 {
		stop = serial.TwoStopBits
	}
	p, err := serial.Open(path, &serial.Mode{BaudRate: m.Baud, DataBits: m.DataBits, Parity: parity, StopBits: stop})
	if err != nil {
		return nil, err
	}
	if err := p.SetReadTimeout(readTimeout); err != nil {
		p.Close()
		return nil, fmt.Errorf("set read timeout: %w", err)
	}
	// Bytes that arrived before this open answer no request of ours (a
	// late Modbus reply to the last owner of the port): start clean.
	if err := p.ResetInputBuffer(); err != nil {
		p.Close()
		return nil, fmt.Errorf("flush input: %w", err)
	}
	return &Port{port: p, path: path}, nil
}

// translate maps go.bug.st/serial's error codes to this package's errors,
// keeping the original in the chain for the log.
func translate(err error) error {
	if r := reason(err); r != nil {
		return fmt.Errorf("%w: %v", r, err)
	}
	return err
}

// reason returns which of this package's errors err is, or nil.
func reason(err error) error {
	var pe *serial.PortError
	if errors.As(err, &pe) {
		switch pe.Code() {
		case serial.PortNotFound:
			return ErrNotFound
		case serial.PortBusy:
			return ErrBusy
		case serial.PermissionDenied:
			return ErrPermission
		case serial.InvalidSerialPort:
			return ErrNotSerial
		}
	}
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return ErrNotFound
	case errors.Is(err, fs.ErrPermission):
		return ErrPermission
	}
	return nil
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
