package idcard

import (
	"bytes"
	"errors"
	"fmt"
	"io"
)

// Preamble starts every frame in both directions.
var Preamble = [5]byte{0xAA, 0xAA, 0xAA, 0x96, 0x69}

// MaxLen is the largest LEN accepted. The longest answer of the basic
// commands is 30 01's: status 3, lengths 4, text 256, photo 1,024 and the
// checksum, 1,288 bytes; some modules append a fingerprint (30 10, up to
// 1,024 more). Anything longer is noise that happened to follow a
// preamble, and the decoder resynchronises past it.
const MaxLen = 4096

// Commands (CMD, PARA) of the security module used here.
var (
	CmdFind   = [2]byte{0x20, 0x01} // 寻找证/卡
	CmdSelect = [2]byte{0x20, 0x02} // 选取证/卡
	CmdRead   = [2]byte{0x30, 0x01} // 读基本信息 (text and photo)
)

// Status is an answer's SW1 SW2 SW3.
type Status [3]byte

// Statuses of the security module's answers (the third byte carries the
// meaning; the first two are 00 00 on every answer of these commands).
var (
	StatusOK         = Status{0x00, 0x00, 0x90} // 操作成功
	StatusFound      = Status{0x00, 0x00, 0x9F} // 寻找证/卡成功
	StatusNoCard     = Status{0x00, 0x00, 0x80} // 寻找证/卡失败: no card on the reader
	StatusSelectFail = Status{0x00, 0x00, 0x81} // 选取证/卡失败
	StatusReadFail   = Status{0x00, 0x00, 0x41} // 读证/卡操作失败
	StatusChecksum   = Status{0x00, 0x00, 0x10} // 接收业务终端数据的校验和错
	StatusLength     = Status{0x00, 0x00, 0x11} // 接收业务终端数据的长度错
	StatusCommand    = Status{0x00, 0x00, 0x21} // 接收业务终端的命令错误
)

var statusNames = map[Status]string{
	StatusOK: "success", StatusFound: "card found", StatusNoCard: "no card",
	StatusSelectFail: "select failed", StatusReadFail: "read failed",
	StatusChecksum: "checksum error", StatusLength: "length error", StatusCommand: "unknown command",
}

func (s Status) String() string {
	if n, ok := statusNames[s]; ok {
		return n
	}
	return fmt.Sprintf("status %02X %02X %02X", s[0], s[1], s[2])
}

// Errors of the codec. A decoder skips a frame that fails them and counts it.
var (
	ErrShort    = errors.New("idcard: frame shorter than its header")
	ErrLength   = errors.New("idcard: frame length out of range")
	ErrChecksum = errors.New("idcard: frame checksum mismatch")
)

// Encode frames body: preamble, LEN, body, XOR checksum. It returns
// ErrLength for a body longer than MaxLen-1.
func Encode(body []byte) ([]byte, error) {
	n := len(body) + 1
	if len(body) == 0 || n > MaxLen {
		return nil, ErrLength
	}
	out := make([]byte, 0, len(Preamble)+2+n)
	out = append(out, Preamble[:]...)
	out = append(out, byte(n>>8), byte(n))
	out = append(out, body...)
	return append(out, checksum(out[len(Preamble):])), nil
}

// Request frames a command with its data.
func Request(cmd [2]byte, data ...byte) []byte {
	f, _ := Encode(append([]byte{cmd[0], cmd[1]}, data...)) // never too long: the commands carry no data
	return f
}

// Answer frames a status with its data. It returns ErrLength if data is
// too long for one frame.
func Answer(st Status, data []byte) ([]byte, error) {
	return Encode(append(st[:], data...))
}

func checksum(p []byte) byte {
	var c byte
	for _, b := range p {
		c ^= b
	}
	return c
}

// Decode finds the first frame in buf. It returns the frame's body, and
// how many bytes of buf were used: the bytes before the preamble as well
// as the frame. With more bytes needed it returns (nil, skipped, nil),
// where skipped is the garbage before a possible preamble. A frame whose
// length is out of range or whose checksum fails is skipped past its
// preamble and reported as ErrLength or ErrChecksum, with n > 0 so a
// caller can go on from buf[n:].
func Decode(buf []byte) (body []byte, n int, err error) {
	i := bytes.Index(buf, Preamble[:])
	if i < 0 {
		// Keep a tail that may be the start of a preamble.
		keep := 0
		for k := min(len(Preamble)-1, len(buf)); k > 0; k-- {
			if bytes.Equal(buf[len(buf)-k:], Preamble[:k]) {
				keep = k
				break
			}
		}
		return nil, len(buf) - keep, nil
	}
	h := i + len(Preamble)
	if len(buf) < h+2 {
		return nil, i, nil
	}
	ln := int(buf[h])<<8 | int(buf[h+1])
	if ln < 2 || ln > MaxLen {
		return nil, i + 1, ErrLength
	}
	end := h + 2 + ln
	if len(buf) < end {
		return nil, i, nil
	}
	if checksum(buf[h:end-1]) != buf[end-1] {
		return nil, i + 1, ErrChecksum
	}
	return buf[h+2 : end-1], end, nil
}

// Decoder reads frames from a byte stream, in any fragmentation.
type Decoder struct {
	r       io.Reader
	buf     []byte
	pending []byte
	Dropped int // frames skipped for a bad length or checksum
}

// NewDecoder returns a decoder reading r.
func NewDecoder(r io.Reader) *Decoder {
	return &Decoder{r: r, buf: make([]byte, 512)}
}

// Next returns the next frame's body (valid until the next call). A read
// of (0, nil) — a serial read timeout — is retried; it returns the
// reader's error when it fails.
func (d *Decoder) Next() ([]byte, error) {
	for {
		body, n, err := Decode(d.pending)
		if err != nil {
			d.Dropped++
		}
		if body != nil {
			out := append([]byte(nil), body...)
			d.pending = d.pending[n:]
			return out, nil
		}
		d.pending = d.pending[n:]
		if err != nil {
			continue
		}
		m, rerr := d.r.Read(d.buf)
		d.pending = append(d.pending, d.buf[:m]...)
		if rerr != nil && m == 0 {
			return nil, rerr
		}
	}
}

// ParseAnswer splits an answer's body into its status and data.
func ParseAnswer(body []byte) (Status, []byte, error) {
	if len(body) < 3 {
		return Status{}, nil, fmt.Errorf("idcard: answer of %d bytes has no status", len(body))
	}
	return Status{body[0], body[1], body[2]}, body[3:], nil
}
