package centre_test

import (
	"context"
	"slices"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/demo"
	"shicao/cmd/shicao/internal/store"
	examsync "shicao/sync"
)

// checkSame asserts the end state of a sync: every station result sent,
// the centre holding exactly the station's results once each, and every
// receipt the station kept verifying for the bytes it sent.
func checkSame(t *testing.T, ctx context.Context, st *centretest.Station, results func(context.Context) ([]centre.ResultRow, error), centreKey string, ids []string) {
	t.Helper()
	rows, err := st.S.Store().Outbox(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	var stationIDs []string
	for _, o := range rows {
		if o.State != store.OutboxSent {
			t.Errorf("result %s is %s at the station: %s", o.ResultID, o.State, o.LastError)
			continue
		}
		stationIDs = append(stationIDs, o.ResultID)
		receipt, _, err := st.S.Store().Receipt(ctx, o.ResultID)
		if err != nil {
			t.Fatalf("result %s: %v", o.ResultID, err)
		}
		body, err := st.S.Store().OutboxBody(ctx, o.ResultID)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := examsync.VerifyReceipt(receipt, centreKey, o.ResultID, demo.Station, body); err != nil {
			t.Errorf("result %s: the kept receipt: %v", o.ResultID, err)
		}
	}
	list, err := results(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var centreIDs []string
	for _, r := range list {
		centreIDs = append(centreIDs, r.ID)
	}
	slices.Sort(stationIDs)
	slices.Sort(centreIDs)
	want := slices.Sorted(slices.Values(ids))
	if dup := len(centreIDs) - len(slices.Compact(slices.Clone(centreIDs))); dup != 0 {
		t.Errorf("the centre holds %d duplicates", dup)
	}
	if !slices.Equal(stationIDs, want) || !slices.Equal(centreIDs, want) {
		t.Fatalf("station has %d results sent, centre %d, want the same %d", len(stationIDs), len(centreIDs), len(want))
	}
}
