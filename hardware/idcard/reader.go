package idcard

import (
	"context"
	"errors"
	"fmt"
	"io"
)

// Errors of a read that a station branches on.
var (
	ErrNoCard     = errors.New("idcard: no card on the reader")
	ErrUnreadable = errors.New("idcard: the card cannot be read")
)

// Reader reads cards through a security module on rw (a serial port,
// 115200 8N1 on most readers).
type Reader struct {
	rw  io.ReadWriteCloser
	dec *Decoder
}

// NewReader returns a reader on rw.
func NewReader(rw io.ReadWriteCloser) *Reader {
	return &Reader{rw: rw, dec: NewDecoder(rw)}
}

// Close closes the port.
func (r *Reader) Close() error { return r.rw.Close() }

// Dropped returns how many frames were skipped as damaged.
func (r *Reader) Dropped() int { return r.dec.Dropped }

// Read finds, selects and reads the card on the reader. It returns
// ErrNoCard when find answers 80 (no card), ErrUnreadable when select or
// read fails (81, 41: a damaged or moved card), ErrText for a malformed
// block, and the port's error. When ctx ends the port is closed (the way
// to cancel a blocked read) and ctx's error returned.
func (r *Reader) Read(ctx context.Context) (Card, error) {
	stop := context.AfterFunc(ctx, func() { r.rw.Close() })
	defer stop()
	c, err := r.read()
	if ctx.Err() != nil {
		return Card{}, ctx.Err()
	}
	return c, err
}

func (r *Reader) read() (Card, error) {
	st, _, err := r.exchange(CmdFind)
	if err != nil {
		return Card{}, err
	}
	switch st {
	case StatusFound, StatusOK:
	case StatusNoCard:
		return Card{}, ErrNoCard
	default:
		return Card{}, fmt.Errorf("find card: %w (%v)", ErrUnreadable, st)
	}
	if st, _, err = r.exchange(CmdSelect); err != nil {
		return Card{}, err
	} else if st != StatusOK {
		return Card{}, fmt.Errorf("select card: %w (%v)", ErrUnreadable, st)
	}
	st, data, err := r.exchange(CmdRead)
	if err != nil {
		return Card{}, err
	}
	if st != StatusOK {
		return Card{}, fmt.Errorf("read card: %w (%v)", ErrUnreadable, st)
	}
	return ParseInfo(data)
}

func (r *Reader) exchange(cmd [2]byte) (Status, []byte, error) {
	if _, err := r.rw.Write(Request(cmd)); err != nil {
		return Status{}, nil, fmt.Errorf("idcard: send % X: %w", cmd, err)
	}
	body, err := r.dec.Next()
	if err != nil {
		return Status{}, nil, fmt.Errorf("idcard: answer to % X: %w", cmd, err)
	}
	return ParseAnswer(body)
}
