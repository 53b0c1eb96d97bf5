package centre_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/centre"
	"shicao/standards"
	examsync "shicao/sync"
)

// The guard_*_test.go files hold one table per class of refusal at
// ingest. Each case edits a genuine result and signs it again with the
// station's registered key (the attacker's position: a stolen key, a
// buggy or stale station), or changes the registry after a genuine
// exam; each asserts the status, the refusal code, the reason, the alarm
// people see, and that the log did not grow.

// refusalCase is one result the centre must refuse.
type refusalCase struct {
	name   string
	body   []byte
	status int
	code   string
	reason string // a part of the refusal's reason
}

// expectRefused uploads tt.body and asserts the refusal, its alarm (of
// the refusal code's kind, naming the result) and an unchanged log. It
// returns the alarm, for a caller that asserts more of what it says.
func expectRefused(t *testing.T, r *rig, tt refusalCase) centre.Alarm {
	t.Helper()
	ctx := context.Background()
	before, err := r.c.VerifyLog(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	alarms, err := r.c.Alarms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	_, err = r.client.Upload(ctx, tt.body)
	ref := refusal(t, err)
	if ref.Status != tt.status || ref.Code != tt.code || !strings.Contains(ref.Reason, tt.reason) {
		t.Fatalf("got %d %s %q, want %d %s containing %q", ref.Status, ref.Code, ref.Reason, tt.status, tt.code, tt.reason)
	}
	after, err := r.c.Alarms(ctx)
	if err != nil {
		t.Fatal(err)
	}
	id := resultID(t, tt.body)
	var raised *centre.Alarm
	for i, a := range after[len(alarms):] {
		if a.Kind == tt.code && a.Subject == "result "+id && a.Station != "" {
			raised = &after[len(alarms)+i]
		}
	}
	if raised == nil {
		t.Errorf("no %s alarm for result %s; new alarms: %+v", tt.code, id, after[len(alarms):])
		raised = &centre.Alarm{}
	}
	rep, err := r.c.VerifyLog(ctx, false)
	if err != nil {
		t.Fatal(err)
	}
	if rep.Records != before.Records {
		t.Errorf("the log grew from %d to %d records", before.Records, rep.Records)
	}
	return *raised
}

// resultID reads a bundle's result id.
func resultID(t *testing.T, body []byte) string {
	t.Helper()
	b, err := examsync.DecodeBundle(body)
	if err != nil {
		t.Fatal(err)
	}
	var d struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal(standards.SplitNote([]byte(b.Result)), &d); err != nil {
		t.Fatal(err)
	}
	return d.ID
}

// expectRefusedAgain uploads body once more and asserts that the
// refusal's reason holds reason (a second property of the same refusal).
func expectRefusedAgain(t *testing.T, r *rig, body []byte, reason string) {
	t.Helper()
	_, err := r.client.Upload(context.Background(), body)
	if ref := refusal(t, err); !strings.Contains(ref.Reason, reason) {
		t.Errorf("reason %q lacks %q", ref.Reason, reason)
	}
}
