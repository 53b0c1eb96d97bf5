package console_test

import (
	"context"
	"database/sql"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/console"
)

// BenchmarkConsole_Analytics: the server time of the analytics page at
// 100,000 results (five groupings and the deduction table, each one
// GROUP BY over the narrow rows of migration 0014), for a year and for
// one month, and of the oversight page.
func BenchmarkConsole_Analytics(b *testing.B) {
	ctx := context.Background()
	st := centretest.NewStation(b, "")
	c := centretest.NewCentre(b, st)
	sites := []string{"S-01", "S-02", "S-03", "S-04", "S-05", "S-06", "S-07", "S-08"}
	insts := []string{"机构01", "机构02", "机构03", "机构04", "机构05", "机构06", "机构07", "机构08", "机构09", "机构10", "机构11", "机构12"}
	err := sqlTx(c.DB(), func(tx *sql.Tx) error {
		// 100,000 results over 2026: 400 a day on 250 days.
		for d := range benchResults / 400 {
			day := "2026-" + two(1+d/21%12) + "-" + two(1+d%21)
			if err := seedFacts(tx, 400, day, sites, insts); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	if err := c.AddStaff(ctx, adminName, centre.RoleAdmin, adminPass); err != nil {
		b.Fatal(err)
	}
	sess, err := c.SignIn(ctx, adminName, adminPass)
	if err != nil {
		b.Fatal(err)
	}
	cs, err := console.New(c, console.Options{})
	if err != nil {
		b.Fatal(err)
	}
	h := cs.Handler()
	for _, q := range []struct{ name, path, want string }{
		{"year", "/analytics?from=2026-01-01&to=2026-12-31", `id="by-institution"`},
		{"month", "/analytics?from=2026-06-01&to=2026-06-30", `id="by-institution"`},
		{"oversight", "/oversight", `id="certwarnings"`},
	} {
		b.Run(q.name, func(b *testing.B) {
			for b.Loop() {
				req := httptest.NewRequest("GET", q.path, nil)
				req.AddCookie(&http.Cookie{Name: "shicao_session", Value: sess.ID})
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != http.StatusOK || !strings.Contains(rec.Body.String(), q.want) {
					b.Fatalf("%s: %d, no %s", q.name, rec.Code, q.want)
				}
			}
		})
	}
}

func two(n int) string { return string(rune('0'+n/10)) + string(rune('0'+n%10)) }
