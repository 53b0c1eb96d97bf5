package centre_test

import (
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	examsync "shicao/sync"
)

// TestGuard_Time: a result is signed on its exam date, a day in the
// site's time zone, and not later than the centre's clock plus the skew
// it allows requests.
func TestGuard_Time(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "time", 0)
	_, zone := centretest.Zone()
	day := r.st.S.Today()
	midnight := time.Date(day.Y, time.Month(day.M), day.D, 0, 0, 0, 0, zone)
	signedAt := func(at time.Time) []byte {
		return centretest.Resign(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.SignedMs = at.UnixMilli() })
	}
	tests := []refusalCase{
		{"Year2100", signedAt(time.Date(2100, 1, 1, 9, 0, 0, 0, zone)), 422, centre.CodeTime, "was signed at 2100-01-01T09:00:00"},
		{"TenMinutesAhead", signedAt(time.Now().Add(10 * time.Minute)), 422, centre.CodeTime, "later than the centre's clock"},
		{"DayBefore", signedAt(midnight.Add(-time.Minute)), 422, centre.CodeTime, "not on its exam date " + day.String()},
		{"DayAfter", signedAt(midnight.AddDate(0, 0, 1)), 422, centre.CodeTime, "later than the centre's clock"},
		{"Epoch", signedAt(time.UnixMilli(0)), 422, centre.CodeTime, "not on its exam date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { expectRefused(t, r, tt) })
	}
	// Within the skew, on the day: received.
	ok := signedAt(time.Now().Add(examsync.MaxSkew - time.Minute))
	if _, err := r.client.Upload(t.Context(), ok); err != nil {
		t.Fatalf("a result signed a minute inside the allowed skew: %v", err)
	}
}
