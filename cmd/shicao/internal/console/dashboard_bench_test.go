package console_test

import (
	"database/sql"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

// BenchmarkConsole_Dashboard: the server time of the dashboard (staff's
// landing page) at 100,000 results (the target: under 200 ms).
// Beside the results (benchConsole), the day's figures are summed as
// ingest sums them — a row per day and site in daily_rates over the
// year, 600 results today at three sites — 2,000 alarms of which half
// are acknowledged, and 40 stations.
func BenchmarkConsole_Dashboard(b *testing.B) {
	h, sess, c := benchConsole(b)
	today := c.Today().String()
	err := sqlTx(c.DB(), func(tx *sql.Tx) error {
		rate, err := tx.Prepare(`INSERT INTO daily_rates (dim, date, key, label, attempts, passed, first, first_passed, resits, resit_passed, score_sum)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?) ON CONFLICT (dim, date, key) DO NOTHING`)
		if err != nil {
			return err
		}
		defer rate.Close()
		// Today first (the year below holds a day of that date too).
		for k, site := range []string{"TA-KD-01", "TA-KD-02", "TA-KD-03"} {
			if _, err := rate.Exec("site", today, site, site, 200, 150+k, 200, 150+k, 17000); err != nil {
				return err
			}
		}
		// The year as BenchmarkConsole_Search's rows spread it.
		for i := 0; i < benchResults; i += 100 {
			day := fmt.Sprintf("2026-%02d-%02d", 1+i/3000%12, 1+i/100%28)
			for k, site := range []string{"TA-KD-01", "TA-KD-02", "TA-KD-03"} {
				if _, err := rate.Exec("site", day, site, site, 33+k, 28, 33+k, 28, 2900); err != nil {
					return err
				}
			}
		}
		for i := range 2000 {
			if _, err := tx.Exec(`INSERT INTO alarms (id, at_ms, kind, station, subject, detail) VALUES (?, ?, ?, 'STN-01', ?, 'bench')`,
				i+1, int64(i)*1000, []string{"duplicate-id", "unverifiable", "status-refused"}[i%3], fmt.Sprintf("result r%d", i)); err != nil {
				return err
			}
			if i%2 == 0 {
				if _, err := tx.Exec(`INSERT INTO alarm_acks (alarm_id, staff, note, at_ms) VALUES (?, 'bench', 'ok', 0)`, i+1); err != nil {
					return err
				}
			}
		}
		for i := range 40 {
			if _, err := tx.Exec(`INSERT INTO stations (name, site, vkey, added_ms) VALUES (?, 'TA-KD-01', ?, 0)`, fmt.Sprintf("STN-B%02d", i), fmt.Sprintf("bench-key-%d", i)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		req := httptest.NewRequest("GET", "/", nil)
		req.AddCookie(&http.Cookie{Name: "shicao_session", Value: sess.ID})
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		body := rec.Body.String()
		if rec.Code != http.StatusOK || !strings.Contains(body, `<strong>600</strong> · 合格 453`) || !strings.Contains(body, `<strong>⚠ 1000</strong>`) {
			b.Fatalf("dashboard: %d, not the day's figures", rec.Code)
		}
	}
}
