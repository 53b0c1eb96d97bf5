package console_test

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/console"
)

// benchStations is a province's stations: 30 sites of 10.
const benchStations = 300

// BenchmarkConsole_LiveGrid: the server time of the live grid with 300
// stations (a province: 30 sites of 10), each with a status, a tenth
// offline: the whole province's page and one site's. Target: under
// 50 ms of server time for the province.
func BenchmarkConsole_LiveGrid(b *testing.B) {
	ctx := context.Background()
	r := newLiveRig(b)
	now := r.clock.Now().UnixMilli()
	err := sqlTx(r.c.DB(), func(tx *sql.Tx) error {
		for s := range benchStations / 10 {
			site := fmt.Sprintf("BK-%02d", s)
			if _, err := tx.Exec(`INSERT INTO sites (id, name, accepted, added_ms) VALUES (?, ?, 1, 0)`, site, fmt.Sprintf("第%d考点", s)); err != nil {
				return err
			}
		}
		for i := range benchStations {
			name, site := fmt.Sprintf("BK-STN-%03d", i), fmt.Sprintf("BK-%02d", i/10)
			if _, err := tx.Exec(`INSERT INTO stations (name, site, vkey, added_ms) VALUES (?, ?, ?, 0)`, name, site, "key-"+name); err != nil {
				return err
			}
			st := liveStatus("live", int64(i)*1000)
			st.Station = name
			body, _ := json.Marshal(st)
			// A tenth silent for a minute: offline.
			seen := now - int64(i%10)*100
			if i%10 == 9 {
				seen = now - 60_000
			}
			if _, err := tx.Exec(`INSERT INTO station_status (station, body, signed_ms, seen_ms, drifting) VALUES (?, ?, ?, ?, 0)`, name, body, seen, seen); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	sess, err := r.c.SignIn(ctx, adminName, adminPass)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := console.New(r.c, console.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := cs.Handler()
	for _, q := range []struct {
		name, query string
		cards       int
	}{{"province", "", benchStations + 1}, {"site", "site=BK-07", 10}} {
		b.Run(q.name, func(b *testing.B) {
			// The machine is shared: CPU time per page is the figure
			// that load does not inflate (ns/op is wall time).
			cpu0 := cpuTime()
			for b.Loop() {
				req := httptest.NewRequest("GET", "/live?"+q.query, nil)
				req.AddCookie(&http.Cookie{Name: "shicao_session", Value: sess.ID})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK {
					b.Fatalf("%d", rec.Code)
				}
				if n := strings.Count(rec.Body.String(), `<article class="card`); n != q.cards {
					b.Fatalf("%d cards, want %d", n, q.cards)
				}
			}
			b.ReportMetric(float64((cpuTime()-cpu0).Microseconds())/1000/float64(b.N), "cpu-ms/op")
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
