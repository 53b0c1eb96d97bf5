package sync

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// The centre's time on an answer is when the answer was written: an
// upload the centre took 3 s to check, stamped when it arrived, made a
// loaded station's clock read 1.6 s slow and failed its readiness gate.
func TestStampTime_WhenWritten(t *testing.T) {
	arrived := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
	clock := arrived
	now := func() time.Time { return clock }
	for _, tt := range []struct {
		name  string
		write func(w http.ResponseWriter)
	}{
		{"body", func(w http.ResponseWriter) { w.Write([]byte("receipt")) }},
		{"status", func(w http.ResponseWriter) { w.WriteHeader(http.StatusUnprocessableEntity) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock = arrived
			h := stampTime(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				clock = clock.Add(3 * time.Second) // checking the upload
				tt.write(w)
				clock = clock.Add(time.Second) // after the answer is on its way
			}), now)
			rec := httptest.NewRecorder()
			h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/v1/results", nil))
			got, err := time.Parse(time.RFC3339Nano, rec.Header().Get(TimeHeader))
			if err != nil {
				t.Fatalf("%s: %q: %v", TimeHeader, rec.Header().Get(TimeHeader), err)
			}
			if want := arrived.Add(3 * time.Second); !got.Equal(want) {
				t.Errorf("%s = %v, want %v (when the answer was written)", TimeHeader, got, want)
			}
		})
	}
}
