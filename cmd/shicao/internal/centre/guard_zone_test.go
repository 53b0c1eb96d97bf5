package centre

import (
	"testing"
	"time"
)

// TestZoneOf: the exam sites' time zone is Asia/Shanghai (UTC+8, no
// daylight saving) unless the centre names another.
func TestZoneOf(t *testing.T) {
	t.Parallel()
	loc, err := zoneOf("")
	if err != nil || loc != DefaultZone {
		t.Fatalf("no setting: %v %v, want DefaultZone", loc, err)
	}
	if _, off := time.Date(2026, 7, 1, 12, 0, 0, 0, loc).Zone(); off != 8*60*60 {
		t.Errorf("DefaultZone is UTC%+d s, want +8h", off)
	}
	if loc, err := zoneOf("Local"); err != nil || loc != time.Local {
		t.Errorf("Local: %v %v", loc, err)
	}
	if _, err := zoneOf("Mars/Olympus_Mons"); err == nil {
		t.Error("an unknown zone was taken")
	}
}
