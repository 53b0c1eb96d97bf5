package centre_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

type rig struct {
	st     *centretest.Station
	c      *centre.Centre
	srv    *httptest.Server
	client *examsync.Client
}

func newRig(t *testing.T, skip ...string) *rig {
	t.Helper()
	st := centretest.NewStation(t, "")
	c := centretest.NewCentre(t, st, skip...)
	srv := httptest.NewServer(c.Server(nil).Handler())
	t.Cleanup(srv.Close)
	client, err := examsync.NewClient(srv.URL, demo.Station, st.Signer, nil)
	if err != nil {
		t.Fatal(err)
	}
	return &rig{st, c, srv, client}
}

func refusal(t *testing.T, err error) *examsync.Refusal {
	t.Helper()
	var r *examsync.Refusal
	if !errors.As(err, &r) {
		t.Fatalf("got %v, want a refusal from the centre", err)
	}
	return r
}

// TestIngest_OK: a result goes up, its receipt verifies against the
// centre key, the same bytes again get the same receipt byte for byte,
// and the log verifies.
func TestIngest_OK(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "ok-1", 0)
	receipt, err := r.client.Upload(ctx, saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	rc, cp, err := examsync.VerifyReceipt(receipt, r.c.Verifier(), saved.ID, demo.Station, saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	if rc.Index != 0 || cp.Size != 1 {
		t.Errorf("index %d in a log of %d, want 0 of 1", rc.Index, cp.Size)
	}
	again, err := r.client.Upload(ctx, saved.Bundle)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(again, receipt) {
		t.Error("the same bytes sent again got another receipt")
	}
	// The receipt is for these bytes only.
	if _, _, err := examsync.VerifyReceipt(receipt, r.c.Verifier(), saved.ID, demo.Station, append(saved.Bundle, ' ')); err == nil {
		t.Error("the receipt verified for other bytes")
	}
	// And only under the centre's key.
	_, other, _ := standards.GenerateKey("other-centre")
	if _, _, err := examsync.VerifyReceipt(receipt, other, saved.ID, demo.Station, saved.Bundle); err == nil {
		t.Error("the receipt verified under another key")
	}
	second := r.st.Exam(t, demo.Candidates[1].IDNumber, "ok-2", 0)
	if _, err := r.client.Upload(ctx, second.Bundle); err != nil {
		t.Fatal(err)
	}
	rep, err := r.c.VerifyLog(ctx, true)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != 2 || rep.Receipts != 2 || rep.Rescored != 2 || rep.Checkpoints != 2 {
		t.Errorf("log verify: %+v", rep)
	}
}

// TestIngest_Refusals: each way a result must not enter the log.
func TestIngest_Refusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "refusals", 0)
	forgerSigner, _, err := standards.GenerateKey("station-STN-01")
	if err != nil {
		t.Fatal(err)
	}

	// A second station at the same site with its own plan.
	_, pub2, _ := standards.GenerateKey("station-STN-02")
	if err := r.c.AddStation(ctx, "STN-02", demo.Site, pub2); err != nil {
		t.Fatal(err)
	}
	p := demo.Plan(r.st.S.Today().String())
	var rows []centre.PlanRow
	for _, cand := range p.Candidates {
		rows = append(rows, centre.PlanRow{Plan: "TA-2026-DG-002", Date: p.Date, Site: p.Site, Station: "STN-02", Category: p.Category, Blueprint: p.Blueprint,
			IDNumber: cand.IDNumber, Name: cand.Name, Attempt: cand.Attempt, Examiners: p.Examiners})
	}
	if _, err := r.c.ImportPlans(ctx, rows); err != nil {
		t.Fatal(err)
	}
	if err := r.c.AddEquipment(ctx, examsync.Equipment{Serial: "CPR-PX-0001", Kind: "cpr", Model: "SHICAO-SIM-CPR", Site: demo.TrainingSite}); err != nil {
		t.Fatal(err)
	}

	editEvents := func(b *examsync.Bundle) {
		for subj, lines := range b.Events {
			lines[len(lines)/2] = json.RawMessage(strings.Replace(string(lines[len(lines)/2]), `"t_ms":`, `"t_ms":1`, 1))
			b.Events[subj] = lines
			return
		}
	}
	mutateBundle := func(f func(*examsync.Bundle)) []byte {
		var b examsync.Bundle
		if err := json.Unmarshal(saved.Bundle, &b); err != nil {
			t.Fatal(err)
		}
		f(&b)
		out, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	resign := func(f func(*examsync.ResultDoc)) []byte { return centretest.Resign(t, saved.Bundle, r.st.Signer, f) }
	remake := func(f func(*examsync.ResultDoc)) []byte { return centretest.Remake(t, saved.Bundle, r.st.Signer, f) }
	withDevice := func(serial string) []byte {
		return resign(func(d *examsync.ResultDoc) {
			for i := range d.Items {
				if len(d.Items[i].Devices) > 0 {
					d.Items[i].Devices[0].Serial = serial
					return
				}
			}
			t.Fatal("no item used equipment")
		})
	}
	tests := []struct {
		name   string
		body   []byte
		status int
		code   string
		reason string
	}{
		{"ForgedSignature", centretest.Resign(t, saved.Bundle, forgerSigner, func(*examsync.ResultDoc) {}), 422, centre.CodeUnverifiable, "not signed by the station key"},
		{"EditedEvent", mutateBundle(editEvents), 422, centre.CodeUnverifiable, "an event was edited"},
		{"EditedScoreUnsigned", bytes.Replace(saved.Bundle, []byte(`\"total\":100`), []byte(`\"total\":99`), 1), 422, centre.CodeUnverifiable, "signature does not verify"},
		{"EditedScoreResigned", resign(func(d *examsync.ResultDoc) { d.Items[0].Sheet.Score -= 10 }), 422, centre.CodeUnverifiable, "the score was edited"},
		{"OtherStationsPlan", resign(func(d *examsync.ResultDoc) { d.Plan = "TA-2026-DG-002" }), 422, centre.CodePlanOther, "issued to station STN-02"},
		{"PlanNotIssued", resign(func(d *examsync.ResultDoc) { d.Plan = "TA-1999-XX-001" }), 422, centre.CodePlanUnknown, "did not issue"},
		{"CandidateNotOnPlan", remake(func(d *examsync.ResultDoc) { d.Candidate.IDNumber = "370902199601016769" }), 422, centre.CodeCandidate, "not on plan"},
		{"ExaminerNotOnPlan", resign(func(d *examsync.ResultDoc) { d.Examiners[1].ID = demo.Examiners[2].ID }), 422, centre.CodeExaminer, "not on plan"},
		{"TrainingEquipment", withDevice("CPR-PX-0001"), 422, centre.CodeEquipment, "registered to site TA-PX-01"},
		{"UnregisteredEquipment", withDevice("NO-SUCH-0001"), 422, centre.CodeEquipment, "not registered"},
		{"OtherSite", resign(func(d *examsync.ResultDoc) { d.Site = demo.TrainingSite }), 422, centre.CodeSite, "registered at TA-KD-01"},
		{"OtherStationName", resign(func(d *examsync.ResultDoc) { d.Station = "STN-02" }), 422, centre.CodeOtherStation, "sent by STN-01"},
		{"DuplicateIDOtherBytes", resign(func(d *examsync.ResultDoc) { d.SignedMs++ }), 409, examsync.CodeDuplicate, "held already"},
		// The same candidate's same attempt examined again under a new id
		// (a restored station, an abandoned attempt run again).
		{"SecondResultForAttempt", remake(func(d *examsync.ResultDoc) { d.ID = "second-attempt-run" }), 409, centre.CodeDuplicateAttempt, "already has result " + saved.ID},
	}
	// The genuine result first, so that the duplicate has something to clash with.
	if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := r.client.Upload(ctx, tt.body)
			ref := refusal(t, err)
			if ref.Status != tt.status || ref.Code != tt.code || !strings.Contains(ref.Reason, tt.reason) {
				t.Fatalf("got %d %s %q, want %d %s containing %q", ref.Status, ref.Code, ref.Reason, tt.status, tt.code, tt.reason)
			}
			if examsync.Transient(err) {
				t.Error("a refused result was classified transient: the uploader would resend it forever")
			}
		})
	}
	alarms, err := r.c.Alarms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var kinds []string
	for _, a := range alarms {
		kinds = append(kinds, a.Kind)
	}
	if !strings.Contains(strings.Join(kinds, " "), "duplicate-id") || !strings.Contains(strings.Join(kinds, " "), "duplicate-attempt") {
		t.Errorf("alarms %v lack the duplicate id or the duplicate attempt", kinds)
	}
	rep, err := r.c.VerifyLog(ctx, false)
	if err != nil || rep.Records != 1 {
		t.Fatalf("after the refusals the log holds %d records (%v), want only the genuine one", rep.Records, err)
	}
}

// TestIngest_RegistryChangedAfterExam: the centre judges by its registry
// at upload: an examiner whose certificate was withdrawn meanwhile, or a
// standard the centre never relayed, is refused.
func TestIngest_RegistryChangedAfterExam(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	t.Run("ExaminerWithoutCertificate", func(t *testing.T) {
		r := newRig(t)
		saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "cert", 0)
		x := demo.Examiners[1]
		if err := r.c.ImportExaminers(ctx, []centre.ExaminerRow{{ID: x.ID, Name: x.Name, Category: demo.Category, NotHeld: true}}); err != nil {
			t.Fatal(err)
		}
		_, err := r.client.Upload(ctx, saved.Bundle)
		if ref := refusal(t, err); ref.Code != centre.CodeCertificate || !strings.Contains(ref.Reason, "withdrawn (是否持证 否)") {
			t.Fatalf("got %v", ref)
		}
	})
	t.Run("CertificateRenewed", func(t *testing.T) {
		// Renewed after the exam: the result names the old number, which
		// was valid on the exam day; it is received.
		r := newRig(t)
		saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "renew", 0)
		x := demo.Examiners[1]
		if err := r.c.ImportExaminers(ctx, []centre.ExaminerRow{{ID: x.ID, Name: x.Name, Category: demo.Category, Number: "T2026-RENEWED", ValidFrom: "2026-01-01", ValidTo: "2032-01-01"}}); err != nil {
			t.Fatal(err)
		}
		if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
			t.Fatalf("a result examined before the renewal: %v", err)
		}
		// A number the examiner never held is still refused.
		forged := centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) {
			d.ID = "forged-cert"
			d.Examiners[1].Certificate = "T-NEVER-HELD"
		})
		_, err := r.client.Upload(ctx, forged)
		if ref := refusal(t, err); ref.Code != centre.CodeCertificate || !strings.Contains(ref.Reason, "T-NEVER-HELD") {
			t.Fatalf("got %v", ref)
		}
	})
	t.Run("UnknownStandardVersion", func(t *testing.T) {
		// The centre relayed everything but K13, the only K1 item: the
		// station had it from elsewhere (the demo seed).
		r := newRig(t, "sd-dg-k13-safety-signs.yaml")
		saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "std", 0)
		_, err := r.client.Upload(ctx, saved.Bundle)
		if ref := refusal(t, err); ref.Code != centre.CodeStandard || !strings.Contains(ref.Reason, "SD-DG-K13 version 1") {
			t.Fatalf("got %v", ref)
		}
	})
}

// TestAuthenticate_Refusals: requests that are not the station's, or not
// fresh, are refused before anything else.
func TestAuthenticate_Refusals(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	t.Run("UnknownStation", func(t *testing.T) {
		signer, _, _ := standards.GenerateKey("station-STN-99")
		c, _ := examsync.NewClient(r.srv.URL, "STN-99", signer, nil)
		_, err := c.Plans(ctx)
		if ref := refusal(t, err); ref.Status != 401 || ref.Code != examsync.CodeUnknownStation {
			t.Fatalf("got %v", ref)
		}
		if !examsync.StationRefused(err) {
			t.Error("an unknown station should stop the uploader's round")
		}
	})
	t.Run("WrongKey", func(t *testing.T) {
		signer, _, _ := standards.GenerateKey("station-STN-01")
		c, _ := examsync.NewClient(r.srv.URL, demo.Station, signer, nil)
		_, err := c.Plans(ctx)
		if ref := refusal(t, err); ref.Status != 401 || ref.Code != examsync.CodeBadSignature {
			t.Fatalf("got %v", ref)
		}
	})
	t.Run("Stale", func(t *testing.T) {
		c, _ := examsync.NewClient(r.srv.URL, demo.Station, r.st.Signer, nil)
		c.Now = func() time.Time { return time.Now().Add(-examsync.MaxSkew - time.Minute) }
		_, err := c.Plans(ctx)
		if ref := refusal(t, err); ref.Status != 401 || ref.Code != examsync.CodeStale {
			t.Fatalf("got %v", ref)
		}
		if !examsync.Transient(err) {
			t.Error("a stale request is worth retrying with a new signature")
		}
	})
	send := func(req *http.Request) (int, string) {
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var ref examsync.Refusal
		json.NewDecoder(resp.Body).Decode(&ref)
		return resp.StatusCode, ref.Code
	}
	t.Run("Replay", func(t *testing.T) {
		req, _ := http.NewRequest("GET", r.srv.URL+"/v1/plans", nil)
		if err := examsync.SignRequest(req, nil, demo.Station, r.client.Signer, time.Now()); err != nil {
			t.Fatal(err)
		}
		if status, _ := send(req.Clone(ctx)); status != 200 {
			t.Fatalf("first request: %d", status)
		}
		if status, code := send(req.Clone(ctx)); status != 401 || code != examsync.CodeReplay {
			t.Fatalf("replayed request: %d %s, want 401 replay", status, code)
		}
	})
	t.Run("OtherPath", func(t *testing.T) {
		req, _ := http.NewRequest("GET", r.srv.URL+"/v1/plans", nil)
		examsync.SignRequest(req, nil, demo.Station, r.client.Signer, time.Now())
		moved, _ := http.NewRequest("GET", r.srv.URL+"/v1/registry", nil)
		moved.Header = req.Header
		if status, code := send(moved); status != 401 || code != examsync.CodeBadSignature {
			t.Fatalf("a signature moved to another path: %d %s", status, code)
		}
	})
	t.Run("DamagedBody", func(t *testing.T) {
		body := []byte(`{"result":"x"}`)
		req, _ := http.NewRequest("POST", r.srv.URL+"/v1/results", bytes.NewReader(body[:5]))
		examsync.SignRequest(req, body, demo.Station, r.client.Signer, time.Now())
		if status, code := send(req); status != 408 || code != examsync.CodeBodyDamaged {
			t.Fatalf("a body cut short: %d %s, want 408 body-damaged", status, code)
		}
	})
	t.Run("Unsigned", func(t *testing.T) {
		req, _ := http.NewRequest("GET", r.srv.URL+"/v1/registry", nil)
		if status, code := send(req); status != 401 || code != examsync.CodeUnsigned {
			t.Fatalf("an unsigned request: %d %s", status, code)
		}
	})
}

// TestVerifyLog_EditedRow: a result row edited in the database (what the
// exports read) is found by log verify, although the logged bytes and the
// receipts are intact.
func TestVerifyLog_EditedRow(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "edited-row", 0)
	if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.VerifyLog(ctx, false); err != nil {
		t.Fatal(err)
	}
	if _, err := r.c.DB().ExecContext(ctx, `UPDATE results SET total = '59', passed = 0 WHERE id = ?`, saved.ID); err != nil {
		t.Fatal(err)
	}
	_, err := r.c.VerifyLog(ctx, false)
	if err == nil || !strings.Contains(err.Error(), "the results table says total 59, the signed result 100: the row was edited") {
		t.Fatalf("log verify after editing the row: %v", err)
	}
}
