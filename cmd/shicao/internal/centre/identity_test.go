package centre_test

import (
	"context"
	"slices"
	"testing"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/standards"
	examsync "shicao/sync"
)

// TestIngest_Identity: the centre keeps how each candidate was identified
// and its results export marks a 身份证号 typed in by hand, with the
// reason, apart from a card read and from a result that records neither.
func TestIngest_Identity(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	r := newRig(t)
	plain := r.st.Exam(t, demo.Candidates[0].IDNumber, "id-1", 0)
	manual := centretest.Resign(t, r.st.Exam(t, demo.Candidates[1].IDNumber, "id-2", 0).Bundle, r.st.Signer, func(d *examsync.ResultDoc) {
		d.Identity = &examsync.Identity{Method: examsync.IdentityManual, IDNumber: d.Candidate.IDNumber, Reason: "证件芯片损坏", ConfirmedBy: []string{demo.Examiners[0].ID, demo.Examiners[1].ID}}
	})
	card := centretest.Resign(t, r.st.Exam(t, demo.Candidates[2].IDNumber, "id-3", 0).Bundle, r.st.Signer, func(d *examsync.ResultDoc) {
		d.Identity = &examsync.Identity{Method: examsync.IdentityCard, IDNumber: d.Candidate.IDNumber, Name: d.Candidate.Name, ValidFrom: "20190308", ValidTo: "长期", ConfirmedBy: []string{}}
	})
	for _, b := range [][]byte{plain.Bundle, manual, card} {
		if _, err := r.client.Upload(ctx, b); err != nil {
			t.Fatal(err)
		}
	}
	tab, err := r.c.ResultsTable(ctx, standards.Date{})
	if err != nil {
		t.Fatal(err)
	}
	col := slices.Index(tab.Header, "身份核验")
	if col < 0 {
		t.Fatalf("no 身份核验 column in %q", tab.Header)
	}
	want := map[string]string{demo.Candidates[0].IDNumber: "未记录", demo.Candidates[1].IDNumber: "手工录入：证件芯片损坏", demo.Candidates[2].IDNumber: "身份证"}
	rows := rowsOf(t, tab)
	for _, row := range rows {
		if got := row[col]; got != want[row[7]] {
			t.Errorf("%s: 身份核验 %q, want %q", row[7], got, want[row[7]])
		}
	}
	if len(rows) != 3 {
		t.Fatalf("%d rows", len(rows))
	}
}
