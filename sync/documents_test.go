package sync_test

import (
	"errors"
	"strings"
	"testing"

	"shicao/standards"
	examsync "shicao/sync"
)

// TestOpen_SaysWhatIsWrong: a document signed by another centre key names
// both keys (a rogue key may carry the real one's name), and a file that
// is no signed document at all (a roster) says where it belongs.
func TestOpen_SaysWhatIsWrong(t *testing.T) {
	pinnedSigner, pinned, _ := standards.GenerateKey("taian-centre")
	otherSigner, _, _ := standards.GenerateKey("taian-centre")
	doc := examsync.Plan{Kind: examsync.KindPlan, ID: "P-1"}
	good, err := examsync.Sign(doc, pinnedSigner)
	if err != nil {
		t.Fatal(err)
	}
	var p examsync.Plan
	if err := examsync.Open(good, pinned, examsync.KindPlan, &p); err != nil || p.ID != "P-1" {
		t.Fatalf("the pinned centre's plan: %+v %v", p, err)
	}
	rogue, err := examsync.Sign(doc, otherSigner)
	if err != nil {
		t.Fatal(err)
	}
	err = examsync.Open(rogue, pinned, examsync.KindPlan, &p)
	if !errors.Is(err, examsync.ErrNotCentre) || !strings.Contains(err.Error(), "signed by taian-centre+") || !strings.Contains(err.Error(), "not by the pinned centre key taian-centre+") {
		t.Fatalf("another key of the same name: %v", err)
	}
	err = examsync.Open([]byte("计划编号,考试日期\nP-1,2026-11-29\n"), pinned, examsync.KindPlan, &p)
	if !errors.Is(err, examsync.ErrNotCentre) || !strings.Contains(err.Error(), "a roster .csv or .xlsx is imported at the centre: shicao centre plan import") {
		t.Fatalf("a roster: %v", err)
	}
}
