// Package capture is the text format of what a serial device sent: one
// line per read, the milliseconds since the capture began, a space, and
// the bytes in hexadecimal. Blank lines and lines starting with '#' are
// comments; times never go back; spaces inside the hex are ignored, so
// long chunks can be split.
//
//	# SHICAO-CPR-1 SN 0042, captured 2025-03-01
//	0 55aa20040000000056010200...
//	2545 55aa0801e8030000360000 01f5c8
//
// `shicao device capture` writes it, simulators replay it, and a profile's
// test captures are in it (package profiles).
package capture

import (
	"bufio"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
)

// Chunk is the bytes of one read and when they arrived.
type Chunk struct {
	At   time.Duration
	Data []byte
}

// Append appends one capture line for data received at at.
func Append(dst []byte, at time.Duration, data []byte) []byte {
	dst = strconv.AppendInt(dst, int64(at/time.Millisecond), 10)
	dst = append(dst, ' ')
	dst = hex.AppendEncode(dst, data)
	return append(dst, '\n')
}

// ErrEmpty is returned for a capture without data.
var ErrEmpty = errors.New("capture: no data")

// Parse reads a capture. Errors name the line.
func Parse(r io.Reader) ([]Chunk, error) {
	var chunks []Chunk
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1024*1024)
	var last int64
	for n := 1; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" || line[0] == '#' {
			continue
		}
		ms, rest, _ := strings.Cut(line, " ")
		at, err := strconv.ParseInt(ms, 10, 64)
		if err != nil || at < last {
			return nil, fmt.Errorf("capture line %d: time %q: want milliseconds, never going back", n, ms)
		}
		data, err := hex.DecodeString(strings.ReplaceAll(rest, " ", ""))
		if err != nil || len(data) == 0 {
			return nil, fmt.Errorf("capture line %d: bytes: want hexadecimal", n)
		}
		last = at
		chunks = append(chunks, Chunk{At: time.Duration(at) * time.Millisecond, Data: data})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("read capture: %w", err)
	}
	if len(chunks) == 0 {
		return nil, ErrEmpty
	}
	return chunks, nil
}
