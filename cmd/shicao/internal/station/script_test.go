package station

import (
	"testing"

	"shicao/scoring"
)

// TestOutageText: the script driver's sheet names each outage with the
// seq and time its device was lost and back, or says it is not back.
func TestOutageText(t *testing.T) {
	tests := []struct {
		o    scoring.Outage
		want string
	}{
		{scoring.Outage{Device: "cpr", LostSeq: 819, LostMs: 30654, BackSeq: 820, BackMs: 36017, DurationMs: 5363}, "outage cpr lost 0:30.6 #819 back 0:36.0 #820 5.4s"},
		{scoring.Outage{Device: "extinguisher", LostSeq: 7, LostMs: 61000, DurationMs: 1500}, "outage extinguisher lost 1:01.0 #7 not back 1.5s"},
	}
	for _, tt := range tests {
		if got := outageText(tt.o); got != tt.want {
			t.Errorf("outageText(%+v) = %q, want %q", tt.o, got, tt.want)
		}
	}
}
