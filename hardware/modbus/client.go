package modbus

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"
)

// ErrTimeout is returned when no complete response arrived in time.
var ErrTimeout = errors.New("modbus response timeout")

// DefaultTimeout allows a full 125-register reply at 9600 baud (about
// 270 ms on the wire) plus the slave's turnaround.
const DefaultTimeout = 500 * time.Millisecond

// Client is a Modbus RTU master on one bus. Its methods are safe for
// concurrent use; transactions run one at a time, as RTU requires.
type Client struct {
	rw      io.ReadWriter
	timeout time.Duration
	now     func() time.Time

	mu  sync.Mutex
	buf []byte
}

// NewClient returns a master on rw whose transactions time out after
// timeout (DefaultTimeout if zero).
func NewClient(rw io.ReadWriter, timeout time.Duration) *Client {
	if timeout <= 0 {
		timeout = DefaultTimeout
	}
	return &Client{rw: rw, timeout: timeout, now: time.Now, buf: make([]byte, 0, 256)}
}

// ReadHoldingRegisters reads quantity holding registers from address.
func (c *Client) ReadHoldingRegisters(ctx context.Context, slave byte, address, quantity uint16) ([]uint16, error) {
	return c.readRegisters(ctx, Request{slave, FuncReadHoldingRegisters, address, quantity})
}

// ReadInputRegisters reads quantity input registers from address.
func (c *Client) ReadInputRegisters(ctx context.Context, slave byte, address, quantity uint16) ([]uint16, error) {
	return c.readRegisters(ctx, Request{slave, FuncReadInputRegisters, address, quantity})
}

func (c *Client) readRegisters(ctx context.Context, r Request) ([]uint16, error) {
	if r.Quantity == 0 || r.Quantity > MaxRegisters {
		return nil, fmt.Errorf("read %d registers: want 1 to %d", r.Quantity, MaxRegisters)
	}
	data, err := c.transact(ctx, r)
	if err != nil {
		return nil, err
	}
	regs := make([]uint16, r.Quantity)
	for i := range regs {
		regs[i] = binary.BigEndian.Uint16(data[2*i:])
	}
	return regs, nil
}

// ReadCoils reads quantity coils from address.
func (c *Client) ReadCoils(ctx context.Context, slave byte, address, quantity uint16) ([]bool, error) {
	r := Request{slave, FuncReadCoils, address, quantity}
	if quantity == 0 || quantity > MaxCoils {
		return nil, fmt.Errorf("read %d coils: want 1 to %d", quantity, MaxCoils)
	}
	data, err := c.transact(ctx, r)
	if err != nil {
		return nil, err
	}
	coils := make([]bool, quantity)
	for i := range coils {
		coils[i] = data[i/8]&(1<<(i%8)) != 0 // LSB of the first byte is the first coil
	}
	return coils, nil
}

// WriteSingleCoil switches one coil on or off; the wiring board's
// examiner-gated power enable is such a coil.
func (c *Client) WriteSingleCoil(ctx context.Context, slave byte, address uint16, on bool) error {
	v := uint16(0x0000)
	if on {
		v = 0xFF00
	}
	_, err := c.transact(ctx, Request{slave, FuncWriteSingleCoil, address, v})
	return err
}

// transact sends r and reads its response. Errors are wrapped with the
// request; they wrap *ExceptionError, ErrBadResponse, ErrTimeout, the
// context's error or the transport's.
func (c *Client) transact(ctx context.Context, r Request) ([]byte, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	data, err := c.roundTrip(ctx, r)
	if err != nil {
		var exc *ExceptionError
		if !errors.As(err, &exc) && ctx.Err() == nil {
			// Whatever is still arriving belongs to no request: let the line
			// go quiet so the next response starts clean.
			c.drain()
		}
		return nil, fmt.Errorf("modbus slave %d function %#02x address %d: %w", r.Slave, r.Function, r.Address, err)
	}
	return append([]byte(nil), data...), nil // c.buf is reused by the next transaction
}

func (c *Client) roundTrip(ctx context.Context, r Request) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	req := AppendRequest(c.buf[:0], r)
	if _, err := c.rw.Write(req); err != nil {
		return nil, fmt.Errorf("write: %w", err)
	}
	deadline := c.now().Add(c.timeout)
	resp := c.buf[:0]
	want := 5 // an exception response; the function byte tells the rest
	var chunk [256]byte
	for len(resp) < want {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		n, err := c.rw.Read(chunk[:want-len(resp)])
		resp = append(resp, chunk[:n]...)
		if err != nil {
			return nil, fmt.Errorf("read: %w", err)
		}
		if len(resp) >= 2 {
			want = responseLen(r, resp[1])
		}
		// Judge the deadline only when a read came back empty: bytes already
		// waiting in the port are read even if this goroutine was late.
		if n == 0 && c.now().After(deadline) {
			return nil, fmt.Errorf("%w after %v (received % x)", ErrTimeout, c.timeout, resp)
		}
	}
	c.buf = resp
	return ParseResponse(r, resp)
}

// drain reads and discards until a read returns nothing (the line is
// quiet) or the timeout passes.
func (c *Client) drain() {
	deadline := c.now().Add(c.timeout)
	var chunk [256]byte
	for c.now().Before(deadline) {
		n, err := c.rw.Read(chunk[:])
		if n == 0 || err != nil {
			return
		}
	}
}
