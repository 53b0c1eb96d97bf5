package hardwaretest

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/cpr"
	"shicao/hardware/driver"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
)

// BenchmarkEndToEnd1kHz streams CPR depth samples at 1,000 per second
// from a simulator replaying a capture, through a pseudo-terminal, the
// serial port (go.bug.st/serial) and the driver, for SHICAO_E2E_SECONDS
// (default 60), and counts what arrives. Target (issue 4): zero loss.
func BenchmarkEndToEnd1kHz(b *testing.B) {
	seconds := 60
	if v := os.Getenv("SHICAO_E2E_SECONDS"); v != "" {
		seconds, _ = strconv.Atoi(v)
	}
	n := seconds * 1000
	var capture bytes.Buffer
	var frame []byte
	frame, _ = cpr.AppendFrame(frame[:0], &cpr.Status{TimeMS: 0, BatteryPct: 90, Firmware: [3]uint8{1, 2, 0}, Serial: "E2E000000001", Model: "E2E"})
	capture.Write(sim.AppendCapture(nil, 0, frame))
	for i := 0; i < n; i++ {
		frame, _ = cpr.AppendFrame(frame[:0], &cpr.Sample{TimeMS: uint32(i + 1), DepthMM: uint16(i % 70)})
		capture.Write(sim.AppendCapture(nil, time.Duration(i+1)*time.Millisecond, frame))
	}
	p, err := profiles.ForKind(hardware.KindCPR)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		ctx, cancel := context.WithCancel(context.Background())
		s, err := sim.StartCapture(ctx, hardware.KindCPR, bytes.NewReader(capture.Bytes()), sim.Options{Dir: b.TempDir()})
		if err != nil {
			b.Fatal(err)
		}
		dev, err := driver.New(p, s.Path(), driver.Options{})
		if err != nil {
			b.Fatal(err)
		}
		var got, lost atomic.Int64
		done := make(chan struct{})
		start := time.Now()
		go func() {
			defer close(done)
			dev.Run(ctx, func(r hardware.Reading) {
				switch r.Type {
				case "cpr.sample":
					if got.Add(1) == int64(n) {
						cancel()
					}
				case hardware.TypeLost:
					lost.Add(1)
				}
			})
		}()
		select {
		case <-done:
		case <-time.After(time.Duration(seconds)*time.Second + 30*time.Second):
			cancel()
			<-done
		}
		elapsed := time.Since(start)
		s.Close()
		cancel()
		b.ReportMetric(float64(got.Load()), "readings")
		b.ReportMetric(float64(int64(n)-got.Load()), "lost")
		b.ReportMetric(float64(got.Load())/elapsed.Seconds(), "readings/s")
		if got.Load() != int64(n) || lost.Load() != 0 {
			b.Errorf("%d of %d readings arrived, %d link losses", got.Load(), n, lost.Load())
		}
	}
}
