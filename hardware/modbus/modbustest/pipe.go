// Package modbustest is an in-memory serial line (Pipe) for testing a
// Modbus master against a slave (package rtuslave) without a port.
package modbustest

import (
	"errors"
	"sync"
	"time"
)

// ErrClosed is returned by a Pipe end's Read and Write after Close.
var ErrClosed = errors.New("pipe closed")

// Pipe returns the two ends of an in-memory serial line. Like a serial port
// opened by go.bug.st/serial with a read timeout, Read returns (0, nil) when
// nothing arrives within timeout; after either end is closed both ends'
// Reads return ErrClosed once the buffered bytes are read.
func Pipe(timeout time.Duration) (*End, *End) {
	ab, ba := newQueue(), newQueue()
	return &End{in: ba, out: ab, timeout: timeout}, &End{in: ab, out: ba, timeout: timeout}
}

// End is one end of a Pipe.
type End struct {
	in, out *queue
	timeout time.Duration
}

// Read reads what the other end wrote.
func (e *End) Read(p []byte) (int, error) { return e.in.read(p, e.timeout) }

// Write sends p to the other end.
func (e *End) Write(p []byte) (int, error) { return e.out.write(p) }

// Close closes both directions.
func (e *End) Close() error {
	e.in.close()
	e.out.close()
	return nil
}

type queue struct {
	mu     sync.Mutex
	buf    []byte
	closed bool
	ready  chan struct{} // signalled on write and close
}

func newQueue() *queue { return &queue{ready: make(chan struct{}, 1)} }

func (q *queue) read(p []byte, timeout time.Duration) (int, error) {
	t := time.NewTimer(timeout)
	defer t.Stop()
	for {
		q.mu.Lock()
		if len(q.buf) > 0 {
			n := copy(p, q.buf)
			q.buf = q.buf[n:]
			q.mu.Unlock()
			return n, nil
		}
		if q.closed {
			q.mu.Unlock()
			return 0, ErrClosed
		}
		q.mu.Unlock()
		select {
		case <-q.ready:
		case <-t.C:
			return 0, nil
		}
	}
}

func (q *queue) write(p []byte) (int, error) {
	q.mu.Lock()
	defer q.mu.Unlock()
	if q.closed {
		return 0, ErrClosed
	}
	q.buf = append(q.buf, p...)
	q.signal()
	return len(p), nil
}

func (q *queue) close() {
	q.mu.Lock()
	defer q.mu.Unlock()
	q.closed = true
	q.signal()
}

func (q *queue) signal() {
	select {
	case q.ready <- struct{}{}:
	default:
	}
}
