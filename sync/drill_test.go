package sync_test

import (
	"testing"

	examsync "shicao/sync"
)

// TestIsCalibration: a calibration record is told from a result bundle
// by the start of its signed text alone, signed or not, with blank
// space before it; a bundle, another signed document, and a note whose
// text is cut before the format is complete are not calibrations.
func TestIsCalibration(t *testing.T) {
	t.Parallel()
	const sig = "\n\n— station-STN-01 AAAAAAAA\n"
	tests := []struct {
		name string
		body string
		want bool
	}{
		{"Signed", `{"format":"shicao-calibration/1","id":"cal-1"}` + "\n" + sig, true},
		{"Unsigned", `{"format":"shicao-calibration/1","id":"cal-1"}`, true},
		{"LeadingSpace", " \n\t" + `{"format":"shicao-calibration/1"}` + "\n" + sig, true},
		{"Bundle", `{"result":"{\"format\":\"shicao-calibration/1\"}\n` + `\n\n— x\n","events":{}}`, false},
		{"OtherFormat", `{"format":"shicao-result/1","id":"r"}` + "\n" + sig, false},
		{"Cut", `{"format":"shicao-calib` + sig, false},
		{"Empty", "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := examsync.IsCalibration([]byte(tt.body)); got != tt.want {
				t.Errorf("IsCalibration(%q) = %v, want %v", tt.body, got, tt.want)
			}
		})
	}
}
