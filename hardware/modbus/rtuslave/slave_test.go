package rtuslave

import (
	"bytes"
	"context"
	"encoding/hex"
	"testing"
	"time"

	"shicao/hardware/crc16"
	"shicao/hardware/modbus/modbustest"
)

// exchange sends one request to s and returns its response.
func exchange(t *testing.T, s *Slave, req string) string {
	t.Helper()
	master, end := modbustest.Pipe(time.Millisecond)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx, end) }()
	defer func() { cancel(); master.Close(); <-done }()
	b, _ := hex.DecodeString(req)
	master.Write(b)
	var resp bytes.Buffer
	buf := make([]byte, 64)
	for quiet := 0; quiet < 20; {
		n, _ := master.Read(buf)
		if n == 0 {
			quiet++
		}
		resp.Write(buf[:n])
	}
	return hex.EncodeToString(resp.Bytes())
}

func TestSlave_Serve(t *testing.T) {
	s := New(1, 16, 10, 10)
	s.SetHolding(0, 0x1234)
	s.SetCoil(0, true)
	s.SetCoil(2, true)
	tests := []struct {
		name, req, want string
	}{
		// Requests carry the CRC of package crc16 (the master's table-driven
		// one), responses this slave's bit-by-bit one: each checks the other.
		// "01 03 00 00 00 01 84 0A" is the frame quoted in Modbus tutorials.
		{"read holding", "010300000001840a", "0103021234" + slaveCRC("0103021234")},
		{"read coils", req("010100000003"), "01010105" + slaveCRC("01010105")},
		{"illegal address", req("010400090002"), "018402" + slaveCRC("018402")},
		{"illegal function", req("010600000001"), "018601" + slaveCRC("018601")},
		{"illegal value", req("01050000ff01"), "018503" + slaveCRC("018503")},
		{"write coil echo", req("01050003ff00"), req("01050003ff00")},
		{"other slave: silence", req("020300000001"), ""},
		{"bad crc: silence", "010300000001840b", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := exchange(t, s, tt.req); got != tt.want {
				t.Errorf("response %s, want %s", got, tt.want)
			}
		})
	}
}

func slaveCRC(h string) string {
	b, _ := hex.DecodeString(h)
	c := crc(b)
	return hex.EncodeToString([]byte{byte(c), byte(c >> 8)})
}

func req(h string) string {
	b, _ := hex.DecodeString(h)
	return hex.EncodeToString(crc16.Append(b, crc16.Checksum(b)))
}

// TestSlave_Seen: a change is seen once the host has read it (Confirm
// times), registers the host never read do not hold Seen back, and a
// garbled response is not a read.
func TestSlave_Seen(t *testing.T) {
	closed := func(ch <-chan struct{}) bool {
		select {
		case <-ch:
			return true
		default:
			return false
		}
	}
	s := New(1, 16, 10, 10)
	s.Confirm(2)
	s.SetHolding(0, 1)
	if !closed(s.Seen()) {
		t.Fatal("a register the host never read holds Seen back")
	}
	readHolding := req("010300000002")
	exchange(t, s, readHolding)
	s.SetHolding(1, 7)
	if closed(s.Seen()) {
		t.Fatal("Seen before the host read the change")
	}
	s.SetGarble(true)
	exchange(t, s, readHolding)
	s.SetGarble(false)
	exchange(t, s, req("010300050001")) // another register
	if closed(s.Seen()) {
		t.Fatal("Seen after a garbled response or a read of another register")
	}
	exchange(t, s, readHolding)
	if closed(s.Seen()) {
		t.Fatal("Seen after one read, want two (Confirm)")
	}
	seen := s.Seen()
	exchange(t, s, readHolding)
	if !closed(seen) {
		t.Fatal("not Seen after two reads")
	}
}
