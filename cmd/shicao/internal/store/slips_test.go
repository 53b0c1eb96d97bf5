package store_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"shicao/cmd/shicao/internal/store"
)

// TestSlips_Queue: a saved result's slip is queued until printed in full;
// a failed print keeps it queued with the reason, a failed reprint does
// not queue it again.
func TestSlips_Queue(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	for _, id := range []string{"r1", "r2"} {
		r := store.Result{ID: id, AttemptID: "a" + id, Candidate: "c1", PlanID: "p1", Total: "90", Passed: true, Signed: []byte("signed")}
		if err := s.SaveResult(ctx, r, []byte("body "+id)); err != nil {
			t.Fatal(err)
		}
	}
	queued := func() []string {
		t.Helper()
		q, err := s.QueuedSlips(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	if got := queued(); !reflect.DeepEqual(got, []string{"r1", "r2"}) {
		t.Fatalf("queued = %v", got)
	}
	if err := s.SlipFailed(ctx, "r1", "the printer is out of paper"); err != nil {
		t.Fatal(err)
	}
	st, err := s.Slip(ctx, "r1")
	if err != nil || !st.Queued() || st.Attempts != 1 || st.LastError != "the printer is out of paper" {
		t.Fatalf("after a failed print: %+v, %v", st, err)
	}
	if err := s.SlipPrinted(ctx, "r1", false); err != nil {
		t.Fatal(err)
	}
	if got := queued(); !reflect.DeepEqual(got, []string{"r2"}) {
		t.Fatalf("queued after printing r1 = %v", got)
	}
	if err := s.SlipFailed(ctx, "r1", "unplugged"); err != nil {
		t.Fatal(err)
	}
	if st, _ := s.Slip(ctx, "r1"); st.Queued() || st.Prints != 1 || st.Attempts != 3 {
		t.Errorf("a failed reprint: %+v", st)
	}
	if got := queued(); !reflect.DeepEqual(got, []string{"r2"}) {
		t.Errorf("a failed reprint queued r1 again: %v", got)
	}
	if b, err := s.ResultBody(ctx, "r2"); err != nil || string(b) != "body r2" {
		t.Errorf("ResultBody = %q, %v", b, err)
	}
	if _, err := s.Slip(ctx, "nope"); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("Slip(nope) err = %v, want ErrNotFound", err)
	}
}
