package hardware

import (
	"testing"
	"time"
)

func TestReading_String(t *testing.T) {
	r := Reading{Device: "cpr-01", Kind: KindCPR, Type: "cpr.compression", At: 4120*time.Millisecond + 300*time.Microsecond,
		Fields: map[string]any{"recoil": true, "depth_mm": 54, "position": "ok"}}
	// Fields in sorted order, so two identical readings print alike.
	if got, want := r.String(), "4.12s cpr-01 cpr.compression depth_mm=54 position=ok recoil=true"; got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
