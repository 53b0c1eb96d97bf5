package console_test

import (
	"database/sql"
	"net/http"
	"strings"
	"testing"
)

// TestAnalytics_Consistency: the analytics page shows each examiner's
// mean difference from their co-examiner, reviews and disagreement with
// the sensors, with the numbers in the table beside the bars, and the
// same figures download as CSV.
func TestAnalytics_Consistency(t *testing.T) {
	t.Parallel()
	r := newRig(t)
	// Two examiners on 2026-03-02 and 03-03 (summed over the period), one
	// on 2026-05-01 (outside it): 王 took off 1.5 points more than 李 on
	// each of 10 sheets, 2 reviews, 4 of 8 points both judge apart from
	// the sensors (3 of them the examiner alone).
	err := sqlTx(r.c.DB(), func(tx *sql.Tx) error {
		for _, q := range []string{
			`INSERT INTO daily_examiners VALUES ('2026-03-02', 'E-WANG', '王建国', 6, 6, 90, 90, 1, 5, 2, 1)`,
			`INSERT INTO daily_examiners VALUES ('2026-03-03', 'E-WANG', '王建国', 4, 4, 60, 60, 1, 3, 1, 0)`,
			`INSERT INTO daily_examiners VALUES ('2026-03-02', 'E-LI', '李秀英', 10, 10, -150, 150, 2, 8, 0, 1)`,
			`INSERT INTO daily_examiners VALUES ('2026-05-01', 'E-ZHANG', '张伟', 3, 3, 0, 0, 0, 0, 0, 0)`,
		} {
			if _, err := tx.Exec(q); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	c := r.client(t)
	c.signIn(inspectorName, inspectorPass)
	st, body := c.get("/analytics?from=2026-03-01&to=2026-03-31")
	if st != http.StatusOK {
		t.Fatalf("analytics: %d", st)
	}
	i := strings.Index(body, `id="consistency"`)
	if i < 0 {
		t.Fatal("no consistency table")
	}
	table := body[i:]
	table = table[:strings.Index(table, "</table>")]
	for _, want := range []string{"王建国 <small>E-WANG</small>", "<span>+1.5</span>", "<span>-1.5</span>", "<span>50.0%</span>", "<span>12.5%</span>"} {
		contains(t, table, want)
	}
	if strings.Contains(table, "张伟") {
		t.Error("an examiner of another month is counted")
	}
	st, csv := c.get("/analytics.csv?by=consistency&from=2026-03-01&to=2026-03-31")
	if st != http.StatusOK {
		t.Fatalf("csv: %d", st)
	}
	for _, want := range []string{
		"examiner,name,sheets,pairs,mean_difference,mean_abs_difference,reviews,points_both_judge,examiner_only,sensors_only,disagreement",
		"E-LI,李秀英,10,10,-1.50,1.50,2,8,0,1,0.1250",
		"E-WANG,王建国,10,10,1.50,1.50,2,8,3,1,0.5000",
	} {
		contains(t, csv, want)
	}
}
