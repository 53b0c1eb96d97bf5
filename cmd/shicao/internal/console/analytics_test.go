package console_test

import (
	"context"
	"database/sql"
	"fmt"
	"html"
	"net/http"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
)

// seedFacts adds n results to the day's figures (migration 0014's
// daily_rates and daily_deductions), as ingest sums them: result i is
// at site sites[i%len], of institution insts[i%len], attempt 2 when
// i%5 == 4, passed when i%4 != 0 with total 90 (else 50), examined by
// examiners i%3 and (i+1)%3, with one item SD-X whose 评分项 p1 lost
// 2 points when i%4 == 0 and p2 lost 1 point when i%2 == 0.
func seedFacts(tx *sql.Tx, n int, day string, sites, insts []string) error {
	rate, err := tx.Prepare(`INSERT INTO daily_rates (dim, date, key, label, attempts, passed, first, first_passed, resits, resit_passed, score_sum)
		VALUES (?, ?, ?, ?, 1, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (dim, date, key) DO UPDATE SET attempts = daily_rates.attempts + 1, passed = daily_rates.passed + excluded.passed,
			first = daily_rates.first + excluded.first, first_passed = daily_rates.first_passed + excluded.first_passed,
			resits = daily_rates.resits + excluded.resits, resit_passed = daily_rates.resit_passed + excluded.resit_passed,
			score_sum = daily_rates.score_sum + excluded.score_sum`)
	if err != nil {
		return err
	}
	ded, err := tx.Prepare(`INSERT INTO daily_deductions (date, standard, point, title, deducted, deducted_sum) VALUES (?, 'SD-X', ?, ?, 1, ?)
		ON CONFLICT (date, standard, point) DO UPDATE SET deducted = daily_deductions.deducted + 1, deducted_sum = daily_deductions.deducted_sum + excluded.deducted_sum`)
	if err != nil {
		return err
	}
	for i := range n {
		resit, passed, total := 0, 1, 900
		if i%5 == 4 {
			resit = 1
		}
		if i%4 == 0 {
			passed, total = 0, 500
		}
		add := func(dim, key, label string, passed, score int) error {
			_, err := rate.Exec(dim, day, key, label, passed, 1-resit, passed*(1-resit), resit, passed*resit, score)
			return err
		}
		groups := [][2]string{{"site", sites[i%len(sites)]}, {"category", "低压电工作业"}, {"institution", insts[i%len(insts)]}}
		for _, g := range groups {
			if err := add(g[0], g[1], g[1], passed, total); err != nil {
				return err
			}
		}
		for _, e := range []int{i % 3, (i + 1) % 3} {
			if err := add("examiner", fmt.Sprintf("E%d", e), fmt.Sprintf("考评员%d", e), passed, total); err != nil {
				return err
			}
		}
		score := 1000
		if i%4 == 0 {
			score -= 20
			if _, err := ded.Exec(day, "p1", "评分项一", 20); err != nil {
				return err
			}
		}
		if i%2 == 0 {
			score -= 10
			if _, err := ded.Exec(day, "p2", "评分项二", 10); err != nil {
				return err
			}
		}
		if err := add("item", "SD-X", "测试考题", passed, score); err != nil {
			return err
		}
	}
	return nil
}

// TestAnalytics_Figures: over a centre seeded with known results, each
// grouping's attempts, passes, first-attempt and resit rates and mean
// score; the deduction frequency per 评分项; a day outside the period is
// not counted; the page shows the same numbers and downloads them.
func TestAnalytics_Figures(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	// 20 results on 2026-03-02 at two sites and two institutions, and 8
	// on 2026-05-01, outside the period asked for.
	err := sqlTx(r.c.DB(), func(tx *sql.Tx) error {
		if err := seedFacts(tx, 20, "2026-03-02", []string{"S-A", "S-B"}, []string{"机构甲", "机构乙"}); err != nil {
			return err
		}
		return seedFacts(tx, 8, "2026-05-01", []string{"S-A"}, []string{"机构甲"})
	})
	if err != nil {
		t.Fatal(err)
	}
	p, err := centre.ParsePeriod("2026-03-01", "2026-03-31")
	if err != nil {
		t.Fatal(err)
	}
	// i = 0..19: fails at i%4==0 (0,4,8,12,16: 5 fails, 15 passes);
	// resits at i%5==4 (4,9,14,19: 4, of which 4 fails: 3 pass);
	// mean total (15*90 + 5*50)/20 = 80. Site S-A is the even i (10
	// results, all 5 fails): 5 of 10; S-B the odd: 10 of 10.
	want := map[string][]centre.PassRate{
		centre.BySite: {
			{Key: "S-A", Label: "S-A", Attempts: 10, Passed: 5, First: 8, FirstPassed: 4, Resits: 2, ResitPassed: 1, MeanScore: 70},
			{Key: "S-B", Label: "S-B", Attempts: 10, Passed: 10, First: 8, FirstPassed: 8, Resits: 2, ResitPassed: 2, MeanScore: 90},
		},
		centre.ByInstitution: {
			{Key: "机构乙", Label: "机构乙", Attempts: 10, Passed: 10, First: 8, FirstPassed: 8, Resits: 2, ResitPassed: 2, MeanScore: 90},
			{Key: "机构甲", Label: "机构甲", Attempts: 10, Passed: 5, First: 8, FirstPassed: 4, Resits: 2, ResitPassed: 1, MeanScore: 70},
		},
		centre.ByCategory: {
			{Key: "低压电工作业", Label: "低压电工作业", Attempts: 20, Passed: 15, First: 16, FirstPassed: 12, Resits: 4, ResitPassed: 3, MeanScore: 80},
		},
		// Item scores: 100 - 2 (i%4==0) - 1 (i%2==0): five at 97, five
		// at 99, ten at 100: mean 99.
		centre.ByItem: {
			{Key: "SD-X", Label: "测试考题", Attempts: 20, Passed: 15, First: 16, FirstPassed: 12, Resits: 4, ResitPassed: 3, MeanScore: 99},
		},
	}
	for by, rows := range want {
		got, err := r.c.PassRates(ctx, by, p)
		if err != nil {
			t.Fatal(err)
		}
		// The rig's own results are on another day: not counted here.
		if fmt.Sprint(got) != fmt.Sprint(rows) {
			t.Errorf("by %s:\n got %+v\nwant %+v", by, got, rows)
		}
	}
	// Examiner E0 examines i%3 in {0, 2}: 7 + 6 = 13 of the 20.
	ex, err := r.c.PassRates(ctx, centre.ByExaminer, p)
	if err != nil || len(ex) != 3 || ex[0].Key != "E0" || ex[0].Attempts != 13 || ex[0].Label != "考评员0" {
		t.Errorf("by examiner: %+v %v", ex, err)
	}
	ded, err := r.c.DeductionRates(ctx, p, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(ded) != 2 || ded[0].Point != "p2" || ded[0].Deducted != 10 || ded[0].Items != 20 || ded[0].MeanDeducted != 1 ||
		ded[1].Point != "p1" || ded[1].Deducted != 5 || ded[1].MeanDeducted != 2 || ded[1].StandardTitle != "测试考题" {
		t.Errorf("deductions: %+v", ded)
	}

	c := r.signedIn(t, centre.RoleInspector)
	code, body := c.get("/analytics?from=2026-03-01&to=2026-03-31")
	if code != http.StatusOK {
		t.Fatalf("GET /analytics: %d", code)
	}
	body = html.UnescapeString(body)
	site, _, _ := strings.Cut(body[strings.Index(body, `id="by-site"`):], "</table>")
	for _, want := range []string{"S-A", "50.0%", "50.0% <small>(4/8)</small>", "50.0% <small>(1/2)</small>", "70.0", "S-B", "100.0%", `width="50"`} {
		contains(t, site, want)
	}
	deductions, _, _ := strings.Cut(body[strings.Index(body, `id="deductions"`):], "</table>")
	for _, want := range []string{"评分项二", "10 / 20", "50.0%", "评分项一", "5 / 20", "25.0%", "2.0"} {
		contains(t, deductions, want)
	}
	_, csv := c.get("/analytics.csv?by=institution&from=2026-03-01&to=2026-03-31")
	contains(t, csv, "机构甲,机构甲,10,5,0.5000,8,4,2,1,70.00")
	if code, _ := c.get("/analytics?from=2026-04-01&to=2026-03-01"); code != http.StatusBadRequest {
		t.Errorf("a period running backwards: %d, want 400", code)
	}
	_, audit := r.signedIn(t, centre.RoleAdmin).get("/audit")
	contains(t, audit, "read analytics")
	contains(t, audit, "download analytics")
}

// TestAnalytics_Ingest: a result ingested fills the analytics rows from
// its signed sheets: the rig's two results on the exam day, 陈明's CPR
// item with its shallow compressions the one deduction (1 of the 2 CPR
// items), both examiners counted on both.
func TestAnalytics_Ingest(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	ctx := context.Background()
	day := r.shallow.Doc.Date
	p, _ := centre.ParsePeriod(day, day)
	ex, err := r.c.PassRates(ctx, centre.ByExaminer, p)
	if err != nil || len(ex) != 2 || ex[0].Attempts != 2 || ex[1].Attempts != 2 {
		t.Errorf("by examiner: %+v %v", ex, err)
	}
	ded, err := r.c.DeductionRates(ctx, p, 10)
	if err != nil || len(ded) != 1 || ded[0].Standard != "SD-DG-K42" || ded[0].Point != "compressions" || ded[0].Deducted != 1 || ded[0].Items != 2 {
		t.Errorf("deductions: %+v %v", ded, err)
	}
	_, body := r.signedIn(t, centre.RoleStaff).get("/analytics?from=" + day + "&to=" + day)
	contains(t, body, "单人徒手心肺复苏")
	contains(t, body, "胸外按压")
}
