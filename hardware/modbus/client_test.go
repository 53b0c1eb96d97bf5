package modbus_test

import (
	"bytes"
	"context"
	"encoding/hex"
	"errors"
	"io"
	"math/rand/v2"
	"reflect"
	"testing"
	"testing/iotest"
	"time"

	"shicao/hardware/modbus"
	"shicao/hardware/modbus/modbustest"
	"shicao/hardware/modbus/rtuslave"
)

func TestAppendRequest(t *testing.T) {
	got := modbus.AppendRequest(nil, modbus.Request{Slave: 1, Function: modbus.FuncReadHoldingRegisters, Quantity: 10})
	if want := "01030000000ac5cd"; hex.EncodeToString(got) != want {
		t.Errorf("AppendRequest = %x, want %s", got, want)
	}
}

// oneByte delivers the slave's response one byte per Read, as a slow line
// does.
type oneByte struct {
	io.Reader
	io.Writer
}

// setup starts slave 7 with 16 coils and 200 registers in each bank on a
// pipe and returns a client on the other end.
func setup(t *testing.T, fragment bool) (*modbus.Client, *rtuslave.Slave) {
	t.Helper()
	master, slaveEnd := modbustest.Pipe(5 * time.Millisecond)
	s := rtuslave.New(7, 16, 200, 200)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); s.Serve(ctx, slaveEnd) }()
	t.Cleanup(func() { cancel(); master.Close(); <-done })
	var rw io.ReadWriter = master
	if fragment {
		rw = oneByte{iotest.OneByteReader(master), master}
	}
	return modbus.NewClient(rw, 100*time.Millisecond), s
}

func TestClient_Read(t *testing.T) {
	for _, fragment := range []bool{false, true} {
		name := map[bool]string{false: "whole", true: "one byte"}[fragment]
		t.Run(name, func(t *testing.T) {
			c, s := setup(t, fragment)
			ctx := context.Background()
			s.SetHolding(10, 2850) // 28.50 MPa in hundredths
			s.SetHolding(11, 0xFFFF)
			s.SetInput(199, 42)
			s.SetCoil(0, true)
			s.SetCoil(9, true)

			regs, err := c.ReadHoldingRegisters(ctx, 7, 10, 2)
			if err != nil || !reflect.DeepEqual(regs, []uint16{2850, 0xFFFF}) {
				t.Errorf("ReadHoldingRegisters = %v, %v", regs, err)
			}
			in, err := c.ReadInputRegisters(ctx, 7, 198, 2)
			if err != nil || !reflect.DeepEqual(in, []uint16{0, 42}) {
				t.Errorf("ReadInputRegisters = %v, %v", in, err)
			}
			coils, err := c.ReadCoils(ctx, 7, 0, 10)
			want := []bool{true, false, false, false, false, false, false, false, false, true}
			if err != nil || !reflect.DeepEqual(coils, want) {
				t.Errorf("ReadCoils = %v, %v; want %v", coils, err, want)
			}
			if err := c.WriteSingleCoil(ctx, 7, 3, true); err != nil || !s.Coil(3) {
				t.Errorf("WriteSingleCoil(on) = %v, coil now %v", err, s.Coil(3))
			}
			if err := c.WriteSingleCoil(ctx, 7, 3, false); err != nil || s.Coil(3) {
				t.Errorf("WriteSingleCoil(off) = %v, coil now %v", err, s.Coil(3))
			}
			if _, err := c.ReadHoldingRegisters(ctx, 7, 0, modbus.MaxRegisters); err != nil {
				t.Errorf("read %d registers: %v", modbus.MaxRegisters, err)
			}
		})
	}
}

func TestClient_Errors(t *testing.T) {
	ctx := context.Background()
	t.Run("ExceptionIllegalDataAddress", func(t *testing.T) {
		c, _ := setup(t, false)
		_, err := c.ReadInputRegisters(ctx, 7, 199, 2)
		var exc *modbus.ExceptionError
		if !errors.As(err, &exc) || exc.Code != modbus.IllegalDataAddress || exc.Function != modbus.FuncReadInputRegisters {
			t.Fatalf("err = %v, want illegal data address exception", err)
		}
	})
	t.Run("ExceptionFromHook", func(t *testing.T) {
		c, s := setup(t, false)
		// The board refuses power while its cover is open.
		s.OnWriteCoil(func(uint16, bool) byte { return modbus.ServerDeviceFail })
		err := c.WriteSingleCoil(ctx, 7, 0, true)
		var exc *modbus.ExceptionError
		if !errors.As(err, &exc) || exc.Code != modbus.ServerDeviceFail || s.Coil(0) {
			t.Fatalf("err = %v, coil %v; want server device failure and coil off", err, s.Coil(0))
		}
	})
	t.Run("ErrTimeout", func(t *testing.T) {
		c, s := setup(t, false)
		s.SetMute(true)
		start := time.Now()
		_, err := c.ReadHoldingRegisters(ctx, 7, 0, 1)
		if !errors.Is(err, modbus.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
		if d := time.Since(start); d > time.Second {
			t.Errorf("timed out after %v, want about 100ms", d)
		}
		s.SetMute(false)
		if _, err := c.ReadHoldingRegisters(ctx, 7, 0, 1); err != nil {
			t.Errorf("after the slave recovers: %v", err)
		}
	})
	t.Run("OtherSlaveTimesOut", func(t *testing.T) {
		c, _ := setup(t, false)
		if _, err := c.ReadCoils(ctx, 8, 0, 1); !errors.Is(err, modbus.ErrTimeout) {
			t.Fatalf("err = %v, want ErrTimeout", err)
		}
	})
	t.Run("ErrBadResponse", func(t *testing.T) {
		c, s := setup(t, false)
		s.SetGarble(true)
		if _, err := c.ReadHoldingRegisters(ctx, 7, 0, 4); !errors.Is(err, modbus.ErrBadResponse) {
			t.Fatalf("err = %v, want ErrBadResponse", err)
		}
		s.SetGarble(false)
		s.SetHolding(0, 99)
		if regs, err := c.ReadHoldingRegisters(ctx, 7, 0, 1); err != nil || regs[0] != 99 {
			t.Errorf("after garbling stops: %v, %v", regs, err)
		}
	})
	t.Run("Quantity", func(t *testing.T) {
		c, s := setup(t, false)
		if _, err := c.ReadHoldingRegisters(ctx, 7, 0, modbus.MaxRegisters+1); err == nil {
			t.Error("126 registers accepted")
		}
		if _, err := c.ReadCoils(ctx, 7, 0, 0); err == nil {
			t.Error("0 coils accepted")
		}
		if s.Requests() != 0 {
			t.Errorf("%d requests sent for invalid quantities", s.Requests())
		}
	})
	t.Run("ContextCanceled", func(t *testing.T) {
		c, s := setup(t, false)
		s.SetMute(true)
		cctx, cancel := context.WithCancel(ctx)
		time.AfterFunc(10*time.Millisecond, cancel)
		if _, err := c.ReadHoldingRegisters(cctx, 7, 0, 1); !errors.Is(err, context.Canceled) {
			t.Fatalf("err = %v, want context.Canceled", err)
		}
	})
	t.Run("TransportClosed", func(t *testing.T) {
		master, _ := modbustest.Pipe(time.Millisecond)
		master.Close()
		c := modbus.NewClient(master, 0)
		if _, err := c.ReadCoils(ctx, 1, 0, 1); !errors.Is(err, modbustest.ErrClosed) {
			t.Fatalf("err = %v, want the transport's error", err)
		}
	})
}

func TestParseResponse(t *testing.T) {
	req := modbus.Request{Slave: 1, Function: modbus.FuncReadHoldingRegisters, Quantity: 1}
	tests := []struct {
		name string
		hex  string
		err  error
	}{
		{"ok", "0103020102" + "", nil},
		{"exception", "018302", &modbus.ExceptionError{}},
		{"other slave", "0203020102", modbus.ErrBadResponse},
		{"other function", "0104020102", modbus.ErrBadResponse},
		{"byte count", "0103030102", modbus.ErrBadResponse},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, _ := hex.DecodeString(tt.hex)
			b = withCRC(b)
			_, err := modbus.ParseResponse(req, b)
			switch want := tt.err.(type) {
			case nil:
				if err != nil {
					t.Errorf("err = %v", err)
				}
			case *modbus.ExceptionError:
				if !errors.As(err, &want) {
					t.Errorf("err = %v, want an exception", err)
				}
			default:
				if !errors.Is(err, want) {
					t.Errorf("err = %v, want %v", err, want)
				}
			}
		})
	}
	b := withCRC([]byte{1, 3, 2, 1, 2})
	b[3] ^= 1
	if _, err := modbus.ParseResponse(req, b); !errors.Is(err, modbus.ErrBadResponse) {
		t.Errorf("bad CRC: err = %v, want ErrBadResponse", err)
	}
}

// withCRC appends a CRC computed here from the definition.
func withCRC(p []byte) []byte {
	crc := uint16(0xFFFF)
	for _, b := range p {
		crc ^= uint16(b)
		for range 8 {
			if crc&1 != 0 {
				crc = crc>>1 ^ 0xA001
			} else {
				crc >>= 1
			}
		}
	}
	return append(p, byte(crc), byte(crc>>8))
}

func FuzzParseResponse(f *testing.F) {
	f.Add(byte(3), uint16(1), withCRC([]byte{1, 3, 2, 1, 2}))
	f.Add(byte(1), uint16(9), withCRC([]byte{1, 1, 2, 0xFF, 1}))
	f.Add(byte(5), uint16(0xFF00), withCRC([]byte{1, 5, 0, 0, 0xFF, 0}))
	f.Add(byte(4), uint16(2), withCRC([]byte{1, 0x84, 2}))
	// A function this master does not speak, with a plausible reply.
	f.Add(byte(0x10), uint16(1), withCRC([]byte{1, 0x10, 3, 0, 0, 0}))
	f.Fuzz(func(t *testing.T, fn byte, q uint16, resp []byte) {
		req := modbus.Request{Slave: 1, Function: fn, Quantity: q}
		data, err := modbus.ParseResponse(req, resp)
		if err != nil {
			return
		}
		// What is accepted has exactly the data the request asked for.
		var want int
		switch fn {
		case modbus.FuncReadCoils:
			want = (int(q) + 7) / 8
		case modbus.FuncReadHoldingRegisters, modbus.FuncReadInputRegisters:
			want = 2 * int(q)
		default:
			want = 2
		}
		if len(data) != want {
			t.Fatalf("fn %#x q %d: %d data bytes, want %d", fn, q, len(data), want)
		}
	})
}

// FuzzClient round-trips random register values and reads through the
// master and the independent slave.
func FuzzClient(f *testing.F) {
	f.Add(uint64(1), uint16(0), uint16(10))
	f.Add(uint64(2), uint16(190), uint16(10))
	f.Fuzz(func(t *testing.T, seed uint64, addr, q uint16) {
		if q == 0 || q > 125 || int(addr)+int(q) > 200 {
			return
		}
		c, s := setup(t, false)
		rng := rand.New(rand.NewPCG(seed, 0))
		want := make([]uint16, q)
		for i := range want {
			want[i] = uint16(rng.Uint32())
			s.SetInput(int(addr)+i, want[i])
		}
		got, err := c.ReadInputRegisters(context.Background(), 7, addr, q)
		if err != nil || !reflect.DeepEqual(got, want) {
			t.Fatalf("read %d@%d = %v, %v; want %v", q, addr, got, err, want)
		}
	})
}

func BenchmarkParseResponse(b *testing.B) {
	req := modbus.Request{Slave: 1, Function: modbus.FuncReadInputRegisters, Quantity: 125}
	resp := withCRC(append([]byte{1, 4, 250}, bytes.Repeat([]byte{0x12}, 250)...))
	b.SetBytes(int64(len(resp)))
	for b.Loop() {
		if _, err := modbus.ParseResponse(req, resp); err != nil {
			b.Fatal(err)
		}
	}
}
