// Package printer drives the station's receipt printer: an ESC/POS
// thermal printer (hardware/escpos) on a serial port. It is output only:
// a job is written with the printer's paper status asked before (DLE EOT
// 4: no paper, no job) and after (the answer comes once the printer has
// read the job, and says whether the paper ran out under it). The port
// is opened for each job and closed after it, so a printer unplugged
// between slips is found at the next one, and one plugged in later
// simply works.
package printer

import (
	"context"
	"errors"
	"fmt"
	"io"
	"time"

	"shicao/hardware/escpos"
	"shicao/hardware/serialport"
)

// Why a job did not print. Errors from Print wrap one of them.
var (
	ErrUnplugged = errors.New("the printer is not connected")
	ErrNoAnswer  = errors.New("the printer does not answer (switched off or offline)")
	ErrPaperOut  = errors.New("the printer is out of paper")
)

// Printer prints jobs on one serial port.
type Printer struct {
	path    string
	mode    serialport.Mode
	timeout time.Duration
	open    func() (readWriteCloser, error)
}

// Options tune a Printer.
type Options struct {
	// Timeout bounds the wait for each status answer; 2 s if zero.
	Timeout time.Duration
}

// New returns a printer of profile p (LoadProfile) on the port at path.
// It returns an error when no path is given.
func New(p *Profile, path string, o Options) (*Printer, error) {
	if path == "" {
		return nil, errors.New("printer: no port given")
	}
	if o.Timeout == 0 {
		o.Timeout = 2 * time.Second
	}
	pr := &Printer{path: path, timeout: o.Timeout,
		mode: serialport.Mode{Baud: p.Port.Baud, DataBits: p.Port.DataBits, Parity: p.Port.Parity, StopBits: p.Port.StopBits}}
	pr.open = func() (readWriteCloser, error) { return serialport.Open(pr.path, pr.mode, 0) }
	return pr, nil
}

// Path returns the printer's port.
func (p *Printer) Path() string { return p.path }

// Print writes job and returns once the printer has read all of it with
// paper in. The error wraps ErrUnplugged (no port, or lost mid-job),
// ErrNoAnswer or ErrPaperOut; after an error the slip may be printed in
// part or not at all, and must be printed again.
func (p *Printer) Print(ctx context.Context, job []byte) error {
	port, err := p.open()
	if err != nil {
		return fmt.Errorf("%w: %v", ErrUnplugged, err)
	}
	// A blocked read or write ends when ctx does.
	stop := context.AfterFunc(ctx, func() { port.Close() })
	defer func() {
		if stop() {
			port.Close()
		}
	}()
	if err := p.paper(ctx, port); err != nil {
		return err
	}
	for off := 0; off < len(job); off += 256 {
		if _, err := port.Write(job[off:min(off+256, len(job))]); err != nil {
			return p.lost(ctx, err)
		}
	}
	return p.paper(ctx, port)
}

// paper asks the paper status and waits for the answer.
func (p *Printer) paper(ctx context.Context, port io.ReadWriter) error {
	if _, err := port.Write(escpos.StatusRequest(escpos.StatusPaper)); err != nil {
		return p.lost(ctx, err)
	}
	deadline := time.Now().Add(p.timeout)
	buf := make([]byte, 16)
	for ctx.Err() == nil && time.Now().Before(deadline) {
		n, err := port.Read(buf) // (0, nil) after the port's read timeout
		if err != nil {
			return p.lost(ctx, err)
		}
		// Bytes that are not a status answer (noise) are skipped; the
		// first status byte is the answer.
		for _, b := range buf[:n] {
			if s, ok := escpos.ParsePaperStatus(b); ok {
				if s.End {
					return ErrPaperOut
				}
				return nil
			}
		}
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	return ErrNoAnswer
}

func (p *Printer) lost(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil {
		return cerr
	}
	return fmt.Errorf("%w: %v", ErrUnplugged, err)
}

// readWriteCloser is all Print needs of a port: only the serial adapter
// sees the serial library.
type readWriteCloser = io.ReadWriteCloser
