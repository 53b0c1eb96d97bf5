package centre_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/station"
	"shicao/standards"
	examsync "shicao/sync"
)

// dayPlus returns the date n days after d.
func dayPlus(d standards.Date, n int) string {
	return standards.DateOf(time.Date(d.Y, time.Month(d.M), d.D+n, 12, 0, 0, 0, time.UTC)).String()
}

// importCert imports one certificate row for examiner demo.Examiners[i].
func importCert(t *testing.T, r *rig, i int, number, from, to string) {
	t.Helper()
	x := demo.Examiners[i]
	row := centre.ExaminerRow{ID: x.ID, Name: x.Name, Category: demo.Category, Number: number, ValidFrom: from, ValidTo: to, NotHeld: number == ""}
	if err := r.c.ImportExaminers(context.Background(), []centre.ExaminerRow{row}); err != nil {
		t.Fatal(err)
	}
}

// TestGuard_Certificate: a result is received only when every examiner
// who signed it held, per the registry as the centre knows it at
// ingest, a certificate of the plan's category valid on the exam date
// (持证上岗). A certificate withdrawn or ended early after the exam
// refuses the result; history (a renewal) explains, never grants.
func TestGuard_Certificate(t *testing.T) {
	t.Parallel()
	x := demo.Examiners[1] // 李秀英: T37090219820202234X, 2024-03-15 to 2030-03-14
	const held = "T37090219820202234X"
	tests := []struct {
		name   string
		make   func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte
		reason string
		cert   string // the certificate the result names, which the alarm names
	}{
		{"Withdrawn", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			importCert(t, r, 1, "", "", "")
			return saved.Bundle
		}, "T37090219820202234X (valid 2024-03-15 to 2030-03-14), which an examiner import has since withdrawn", held},
		{"Shortened", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			importCert(t, r, 1, "T37090219820202234X", "2024-03-15", dayPlus(day, -1))
			return saved.Bundle
		}, "which an examiner import has since ended on DAY-1", held},
		{"RenewedThenWithdrawn", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			importCert(t, r, 1, "T2026-RENEWED", dayPlus(day, 1), "2036-01-01")
			importCert(t, r, 1, "", "", "")
			return saved.Bundle
		}, "has since withdrawn", held},
		{"RenewedThenShortened", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			importCert(t, r, 1, "T2026-RENEWED", dayPlus(day, 1), "2036-01-01")
			importCert(t, r, 1, "T2026-RENEWED", "2024-03-15", dayPlus(day, -3))
			return saved.Bundle
		}, "ended on DAY-3", held},
		{"ReplacedByShorter", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			importCert(t, r, 1, "T2026-SHORTER", "2024-03-15", dayPlus(day, -1))
			return saved.Bundle
		}, "ended on", held},
		{"NeverHeldNumber", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			return centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Examiners[1].Certificate = "T-NEVER-HELD" })
		}, "signed in with 低压电工作业 certificate T-NEVER-HELD", "T-NEVER-HELD"},
		{"OtherCategory", func(t *testing.T, r *rig, saved *station.Saved, day standards.Date) []byte {
			return centretest.Remake(t, saved.Bundle, r.st.Signer, func(d *examsync.ResultDoc) { d.Examiners[1].Category = "熔化焊接与热切割作业" })
		}, "not one of 低压电工作业", held},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "cert-"+tt.name, 0)
			body := tt.make(t, r, saved, r.st.S.Today())
			reason := strings.ReplaceAll(tt.reason, "DAY-1", dayPlus(r.st.S.Today(), -1))
			reason = strings.ReplaceAll(reason, "DAY-3", dayPlus(r.st.S.Today(), -3))
			a := expectRefused(t, r, refusalCase{tt.name, body, 422, centre.CodeCertificate, x.Name + " (" + x.ID + ")"})
			// The alarm names the examiner, the certificate and the result.
			for _, want := range []string{x.Name + " (" + x.ID + ")", "certificate " + tt.cert, reason} {
				if !strings.Contains(a.Detail, want) {
					t.Errorf("the alarm's detail %q does not name %q", a.Detail, want)
				}
			}
			if a.Subject != "result "+resultID(t, body) {
				t.Errorf("the alarm's subject %q does not name the result", a.Subject)
			}
			expectRefusedAgain(t, r, body, reason)
		})
	}
}

// TestGuard_CertificateRenewed: a renewal after the exam (a new number,
// or the same number with a later end) keeps results examined under the
// old certificate receivable: history explains them.
func TestGuard_CertificateRenewed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, renew := range []struct{ name, number, from, to string }{
		{"NewNumberLater", "T2026-RENEWED", "+1", "2036-01-01"},
		{"SameNumberExtended", "T37090219820202234X", "2024-03-15", "2036-03-14"},
		{"SameNumberMovedOn", "T37090219820202234X", "+1", "2036-03-14"},
	} {
		t.Run(renew.name, func(t *testing.T) {
			r := newRig(t)
			saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "renewed-"+renew.name, 0)
			from := renew.from
			if from == "+1" {
				from = dayPlus(r.st.S.Today(), 1)
			}
			importCert(t, r, 1, renew.number, from, renew.to)
			if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
				t.Fatalf("a result examined before the renewal: %v", err)
			}
		})
	}
}

// TestGuard_CertificateReceiptedListed: results already receipted stay
// in the log when a certificate is withdrawn or ended early, and an
// alarm lists those it no longer covers, for review.
func TestGuard_CertificateReceiptedListed(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tt := range []struct {
		name, kind string
		cut        func(t *testing.T, r *rig)
	}{
		{"Withdrawn", "certificate-withdrawn", func(t *testing.T, r *rig) { importCert(t, r, 1, "", "", "") }},
		{"Shortened", "certificate-shortened", func(t *testing.T, r *rig) {
			importCert(t, r, 1, "T37090219820202234X", "2024-03-15", dayPlus(r.st.S.Today(), -1))
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			r := newRig(t)
			saved := r.st.Exam(t, demo.Candidates[0].IDNumber, "listed-"+tt.name, 0)
			if _, err := r.client.Upload(ctx, saved.Bundle); err != nil {
				t.Fatal(err)
			}
			tt.cut(t, r)
			alarms, err := r.c.Alarms(ctx)
			if err != nil {
				t.Fatal(err)
			}
			x := demo.Examiners[1]
			var found bool
			for _, a := range alarms {
				found = found || (a.Kind == tt.kind && strings.Contains(a.Subject, x.ID) && strings.Contains(a.Detail, "T37090219820202234X") && strings.Contains(a.Detail, saved.ID))
			}
			if !found {
				t.Fatalf("no %s alarm naming %s, the certificate and result %s: %+v", tt.kind, x.Name, saved.ID, alarms)
			}
			if rep, err := r.c.VerifyLog(ctx, false); err != nil || rep.Records != 1 {
				t.Fatalf("the receipted result left the log: %+v %v", rep, err)
			}
		})
	}
}
