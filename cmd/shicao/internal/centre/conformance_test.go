package centre_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	examsync "shicao/sync"
)

// Backends are the centre's databases: every case of the conformance
// suite runs on each (litestream's shape: one suite, every backend).
// PostgreSQL's cases skip, loudly, on a machine with no PostgreSQL
// (pgdbtest); .ci/run installs it.
var backends = []string{"sqlite", "postgres"}

// TestConformance: what a centre must do on any database — ingest with
// receipts that verify, the same bytes answered with the same receipt,
// another result under a held id refused and alarmed, consistency
// proofs between checkpoints, an appeal appended beside the results,
// log verify with re-scoring over it all, registry and plan imports, and
// the export rows.
func TestConformance(t *testing.T) {
	t.Parallel()
	for _, backend := range backends {
		t.Run(backend, func(t *testing.T) {
			ctx := context.Background()
			st := centretest.NewStation(t, "")
			c, _ := centretest.NewCentreDirOn(t, backend, st)
			srv := httptest.NewServer(c.Server(nil).Handler())
			t.Cleanup(srv.Close)
			client, err := examsync.NewClient(srv.URL, demo.Station, st.Signer, nil)
			if err != nil {
				t.Fatal(err)
			}

			// Ingest, receipts, the same bytes again.
			var saved []*station.Saved
			var cps []*examsync.Checkpoint
			for i, seed := range []string{"conf-1", "conf-2"} {
				s := st.Exam(t, demo.Candidates[i].IDNumber, seed, 0)
				receipt, err := client.Upload(ctx, s.Bundle)
				if err != nil {
					t.Fatal(err)
				}
				rc, cp, err := examsync.VerifyReceipt(receipt, c.Verifier(), s.ID, demo.Station, s.Bundle)
				if err != nil {
					t.Fatalf("receipt %d: %v", i, err)
				}
				if rc.Index != int64(i) || cp.Size != int64(i+1) {
					t.Errorf("receipt %d: index %d in a log of %d", i, rc.Index, cp.Size)
				}
				again, err := client.Upload(ctx, s.Bundle)
				if err != nil || !bytes.Equal(again, receipt) {
					t.Errorf("the same bytes again: %v, same receipt %v", err, bytes.Equal(again, receipt))
				}
				saved, cps = append(saved, s), append(cps, cp)
			}

			// Another result under a held id: 409, and an alarm.
			other := centretest.Resign(t, saved[0].Bundle, st.Signer, func(d *examsync.ResultDoc) { d.SignedMs++ })
			_, err = client.Upload(ctx, other)
			var ref *examsync.Refusal
			if !errors.As(err, &ref) || ref.Status != http.StatusConflict || ref.Code != examsync.CodeDuplicate {
				t.Errorf("another result under a held id: %v, want 409 %s", err, examsync.CodeDuplicate)
			}
			alarms, err := c.Alarms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if len(alarms) != 1 || alarms[0].Kind != examsync.CodeDuplicate {
				t.Errorf("alarms: %+v, want one %s", alarms, examsync.CodeDuplicate)
			}

			// Consistency between the two checkpoints the station holds.
			proof, err := c.Consistency(ctx, 1, 2)
			if err != nil {
				t.Fatal(err)
			}
			if err := examsync.VerifyConsistency(cps[0], cps[1], proof); err != nil {
				t.Errorf("consistency 1..2: %v", err)
			}

			// An appeal is a record of the same log.
			if _, err := c.FileAppeal(ctx, saved[0].ID, "误判", 0); err != nil {
				t.Fatal(err)
			}
			rep, err := c.VerifyLog(ctx, true)
			if err != nil {
				t.Fatal(err)
			}
			if rep.Records != 3 || rep.Receipts != 3 || rep.Rescored != 2 || rep.Appeals != 1 || rep.Checkpoints != 3 {
				t.Errorf("log verify: %+v, want 3 records (2 results re-scored, 1 appeal), 3 checkpoints", rep)
			}
			if err := c.CheckStart(ctx); err != nil {
				t.Errorf("the start check: %v", err)
			}
			newest, err := c.Checkpoint(ctx)
			if err != nil {
				t.Fatal(err)
			}
			cp, err := examsync.OpenCheckpoint(newest, c.Verifier())
			if err != nil || cp.Size != 3 || cp.Root != rep.Root {
				t.Errorf("the newest checkpoint: %+v, %v; want size 3 and log verify's root", cp, err)
			}

			// Registry and plan imports.
			cands := st.BulkPlan(t, c, "TA-CONF", 3)
			plans, err := c.Plans(ctx, st.S.Today().String())
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, p := range plans {
				found = found || p.ID == "TA-CONF"
			}
			if !found || len(cands) != 3 {
				t.Errorf("plans of the day: %+v, want TA-CONF among them", plans)
			}
			x := demo.Examiners[0]
			if err := c.ImportExaminers(ctx, []centre.ExaminerRow{{ID: x.ID, Name: x.Name, Category: demo.Category, Number: "CERT-CONF-1",
				ValidFrom: "2020-01-01", ValidTo: "2099-12-31", Role: centre.RoleExaminer}}); err != nil {
				t.Fatal(err)
			}
			examiners, err := c.Examiners(ctx)
			if err != nil {
				t.Fatal(err)
			}
			renewed := false
			for _, e := range examiners {
				for _, cert := range e.Certificates {
					renewed = renewed || (e.ID == x.ID && cert.Number == "CERT-CONF-1")
				}
			}
			if !renewed {
				t.Errorf("the examiner import did not renew %s's certificate: %+v", x.ID, examiners)
			}

			// The export rows.
			rows, err := c.ResultsOn(ctx, st.S.Today())
			if err != nil {
				t.Fatal(err)
			}
			if len(rows) != 2 || rows[0].ID != saved[0].ID || rows[1].ID != saved[1].ID || rows[0].Candidate != demo.Candidates[0].IDNumber {
				t.Errorf("results of the day: %+v", rows)
			}
			table, err := c.ResultsTable(ctx, st.S.Today())
			if err != nil {
				t.Fatal(err)
			}
			if n := len(rowsOf(t, table)); n != 2 {
				t.Errorf("the results table has %d rows, want 2", n)
			}
			body, err := c.ResultBody(ctx, saved[1].ID)
			if err != nil || !bytes.Equal(body, saved[1].Bundle) {
				t.Errorf("the stored body of %s is not the bytes sent (%v)", saved[1].ID, err)
			}
		})
	}
}
