package sim_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shicao/hardware"
	"shicao/hardware/cpr"
	"shicao/hardware/hardwaretest"
	"shicao/hardware/profiles"
	"shicao/hardware/sim"
)

// TestStartCapture replays a capture in which a frame arrived split over
// two reads with line noise between records, as a USB adapter delivers
// them, and checks the driver sees every record with its device time.
func TestStartCapture(t *testing.T) {
	var capture []byte
	capture = append(capture, "# built by the test: frames as a manikin sends them\n"...)
	want := []int{51, 55, 58}
	for i, depth := range want {
		at := time.Duration(1000+600*i) * time.Millisecond
		frame, _ := cpr.AppendFrame(nil, &cpr.Compression{TimeMS: uint32(at / time.Millisecond), DepthMM: uint16(depth), Recoil: true})
		if i == 1 {
			capture = sim.AppendCapture(capture, at, frame[:5])
			capture = sim.AppendCapture(capture, at+2*time.Millisecond, append(frame[5:], 0x00, 0x55))
			continue
		}
		capture = sim.AppendCapture(capture, at, frame)
	}
	s, err := sim.StartCapture(context.Background(), hardware.KindCPR, strings.NewReader(string(capture)), sim.Options{Speed: 50})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	p, _ := profiles.ForKind(hardware.KindCPR)
	st := hardwaretest.Start(t, hardwaretest.Subject{Profile: p, Path: s.Path()})
	<-s.Done()
	st.Rec.WaitFor(t, "the third compression", 0, func(r hardware.Reading) bool {
		return r.Type == "cpr.compression" && r.Fields["depth_mm"] == 58
	})
	st.Stop(t)
	var got []int
	for _, r := range st.Rec.Readings() {
		if r.Type == "cpr.compression" {
			got = append(got, r.Fields["depth_mm"].(int))
			if want := time.Duration(1000+600*(len(got)-1)) * time.Millisecond; r.At != want {
				t.Errorf("compression %d at %v, want %v on the device clock", len(got), r.At, want)
			}
		}
	}
	if len(got) != 3 || got[0] != 51 || got[1] != 55 || got[2] != 58 {
		t.Errorf("depths %v, want %v", got, want)
	}
}

func TestStartCapture_Errors(t *testing.T) {
	tests := []struct {
		name, capture string
		kind          hardware.Kind
		want          string
	}{
		{"time goes back", "10 55aa\n5 55aa\n", hardware.KindCPR, "capture line 2: time"},
		{"not hex", "0 zz\n", hardware.KindCPR, "capture line 1: bytes"},
		{"empty", "# nothing\n", hardware.KindCPR, "no data"},
		{"modbus", "0 01\n", hardware.KindBoard, "cannot be replayed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := sim.StartCapture(context.Background(), tt.kind, strings.NewReader(tt.capture), sim.Options{})
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want %q", err, tt.want)
			}
		})
	}
}
