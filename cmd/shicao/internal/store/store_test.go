package store_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
	"shicao/standards/library"
)

func open(t testing.TB) (*store.Store, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "station.db")
	s, err := store.Open(context.Background(), path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func newSession(t testing.TB, s *store.Store) int64 {
	t.Helper()
	id, err := s.CreateSession(context.Background(), store.Session{AttemptID: "a1", PlanID: "p1", Candidate: "c1", Subject: "K4", Standard: "SD-DG-K42", Version: 1, SHA256: "x"})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestOpen_Pragmas(t *testing.T) {
	s, path := open(t)
	ctx := context.Background()
	for pragma, want := range map[string]string{"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "5000"} {
		var got string
		if err := s.DB().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	s.Close()
	// Re-opening applies no migration twice.
	s2, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	files, err := os.ReadDir("migrations")
	if err != nil {
		t.Fatal(err)
	}
	var n int
	if err := s2.DB().QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&n); err != nil || n != len(files) {
		t.Fatalf("%d migrations recorded (%v), want one per file: %d", n, err, len(files))
	}
}

func TestAppend_ChainAndOrder(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	id := newSession(t, s)
	var prev standards.Hash
	for i := 0; i < 20; i++ {
		a, err := s.Append(ctx, id, store.NewEvent{TMs: int64(i * 10), Type: "cpr.compression", Source: "device:cpr", Data: []byte(`{"recoil":true, "depth_mm":55,"position":"ok"}`)})
		if err != nil {
			t.Fatal(err)
		}
		if a.Seq != int64(i+1) || a.PrevHash != prev {
			t.Fatalf("event %d: seq %d prev %s", i, a.Seq, a.PrevHash)
		}
		if string(a.Data) != `{"depth_mm":55,"position":"ok","recoil":true}` {
			t.Fatalf("data not canonical: %s", a.Data)
		}
		prev = a.Hash
	}
	head, err := s.VerifyChain(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	if head != prev {
		t.Fatalf("head %s, want %s", head, prev)
	}
	// The chain recomputed from the plain events gives the same head.
	evs, _ := s.Events(ctx, id)
	plain := make([]standards.Event, len(evs))
	for i, e := range evs {
		plain[i] = e.Event
	}
	if h, err := standards.ChainHead(plain); err != nil || h != head {
		t.Fatalf("ChainHead %s %v, want %s", h, err, head)
	}
	// Time must not run backwards.
	if _, err := s.Append(ctx, id, store.NewEvent{TMs: 5, Type: "x"}); err == nil {
		t.Fatal("an event earlier than the log's last was accepted")
	}
	// Bad data is refused before it reaches the log.
	if _, err := s.Append(ctx, id, store.NewEvent{TMs: 500, Type: "x", Data: []byte(`[1]`)}); err == nil {
		t.Fatal("non-object data accepted")
	}
}

func TestAppend_AppendOnly(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	id := newSession(t, s)
	if _, err := s.Append(ctx, id, store.NewEvent{TMs: 1, Type: "x"}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DB().Exec(`UPDATE events SET t_ms = 2`); err == nil {
		t.Fatal("UPDATE of an event succeeded")
	}
	if _, err := s.DB().Exec(`DELETE FROM events`); err == nil {
		t.Fatal("DELETE of an event succeeded")
	}
}

// TestVerifyChain_Tamper edits the database behind the store's back (as an
// attacker with the file would) and wants each edit found.
func TestVerifyChain_Tamper(t *testing.T) {
	tests := []struct {
		name string
		sql  string
		want string
	}{
		{"EditedData", `UPDATE events SET data = CAST('{"depth_mm":59,"position":"ok","recoil":true}' AS BLOB) WHERE seq = 3`, "event 3 was changed after it was written"},
		{"DeletedEvent", `DELETE FROM events WHERE seq = 3`, "event 3 missing"},
		{"DeletedTail", `DELETE FROM events WHERE seq = 5`, "recorded head 5 does not match the log's 4 events"},
		{"EditedTime", `UPDATE events SET t_ms = 31 WHERE seq = 4`, "event 4 was changed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := open(t)
			ctx := context.Background()
			id := newSession(t, s)
			for i := 0; i < 5; i++ {
				if _, err := s.Append(ctx, id, store.NewEvent{TMs: int64(i * 10), Type: "cpr.compression", Data: []byte(`{"depth_mm":55,"position":"ok","recoil":true}`)}); err != nil {
					t.Fatal(err)
				}
			}
			for _, q := range []string{`DROP TRIGGER events_append_only_update`, `DROP TRIGGER events_append_only_delete`, tt.sql} {
				if _, err := s.DB().Exec(q); err != nil {
					t.Fatal(err)
				}
			}
			_, err := s.VerifyChain(ctx, id)
			if err == nil || !contains(err.Error(), tt.want) {
				t.Fatalf("VerifyChain: %v, want %q", err, tt.want)
			}
		})
	}
}

func contains(s, sub string) bool {
	return len(sub) == 0 || (len(s) >= len(sub) && (s == sub || indexOf(s, sub) >= 0))
}

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

// TestAppend_Concurrent: many writers on several sessions, all committed
// by group commit; every session's log is gapless and its chain verifies.
func TestAppend_Concurrent(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	const sessions, writers, each = 4, 8, 200
	ids := make([]int64, sessions)
	for i := range ids {
		ids[i] = newSession(t, s)
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	tms := map[int64]int64{}
	errs := make(chan error, writers)
	for w := 0; w < writers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				id := ids[(w+i)%sessions]
				mu.Lock()
				tms[id]++
				t := tms[id]
				// Hold the lock across the append so t_ms order matches
				// commit order within a session.
				_, err := s.Append(ctx, id, store.NewEvent{TMs: t, Type: "tick", Source: fmt.Sprintf("w%d", w)})
				mu.Unlock()
				if err != nil {
					errs <- err
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	total := 0
	for _, id := range ids {
		evs, err := s.Events(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		total += len(evs)
		if _, err := s.VerifyChain(ctx, id); err != nil {
			t.Fatal(err)
		}
	}
	if total != writers*each {
		t.Fatalf("%d events committed, want %d", total, writers*each)
	}
}

func TestAppend_ClosedOrUnknownSession(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	if _, err := s.Append(ctx, 999, store.NewEvent{TMs: 1, Type: "x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("append to a missing session: %v", err)
	}
	id := newSession(t, s)
	if err := s.SetSessionState(ctx, id, store.SessionVoided, "candidate fainted"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Append(ctx, id, store.NewEvent{TMs: 1, Type: "x"}); err == nil {
		t.Fatal("append to a voided session")
	}
	s.Close()
	if _, err := s.Append(ctx, id, store.NewEvent{TMs: 1, Type: "x"}); err == nil {
		t.Fatal("append after Close")
	}
}

func candidate(t *testing.T, version int, mutate func(string) string) (*standards.Candidate, []byte) {
	t.Helper()
	b, err := library.Read("sd-dg-k42-cpr.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := mutate(string(b))
	text = replaceOnce(text, "version: 1\n", fmt.Sprintf("version: %d\n", version))
	c, err := standards.ParseAny("k42.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return c, []byte(text)
}

func replaceOnce(s, old, new string) string {
	i := indexOf(s, old)
	if i < 0 {
		return s
	}
	return s[:i] + new + s[i+len(old):]
}

func TestInstall_RollbackProtection(t *testing.T) {
	s, path := open(t)
	ctx := context.Background()
	same := func(s string) string { return s }
	other := func(s string) string {
		return replaceOnce(s, "title: 单人徒手心肺复苏", "title: 单人徒手心肺复苏术")
	}

	c2, b2 := candidate(t, 2, same)
	if err := s.Install(ctx, c2, b2); err != nil {
		t.Fatal(err)
	}
	c1, b1 := candidate(t, 1, same)
	if err := s.Install(ctx, c1, b1); !errors.Is(err, standards.ErrRollback) {
		t.Fatalf("older version: %v, want ErrRollback", err)
	}
	c2b, b2b := candidate(t, 2, other)
	if err := s.Install(ctx, c2b, b2b); !errors.Is(err, standards.ErrEquivocation) {
		t.Fatalf("same version, other bytes: %v, want ErrEquivocation", err)
	}
	if err := s.Install(ctx, c2, b2); !errors.Is(err, standards.ErrInstalled) {
		t.Fatalf("same again: %v, want ErrInstalled", err)
	}
	// The highest version survives a restart.
	s.Close()
	s2, err := store.Open(ctx, path, store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	seen, ok, err := s2.Seen(ctx, "SD-DG-K42")
	if err != nil || !ok || seen.Version != 2 || seen.SHA256 != c2.SHA256 {
		t.Fatalf("seen after reopen: %+v %v %v", seen, ok, err)
	}
	if err := s2.Install(ctx, c1, b1); !errors.Is(err, standards.ErrRollback) {
		t.Fatalf("older version after reopen: %v", err)
	}
	list, err := s2.Standards(ctx)
	if err != nil || len(list) != 1 || list[0].Version != 2 {
		t.Fatalf("standards %+v %v", list, err)
	}
}

func TestSaveResult_OutboxInOneTransaction(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	r := store.Result{ID: "r1", AttemptID: "a1", Candidate: "c1", PlanID: "p1", Total: "83.6", Passed: true, Signed: []byte("signed")}
	if err := s.SaveResult(ctx, r, []byte("body")); err != nil {
		t.Fatal(err)
	}
	// The same id again: refused whole, the outbox keeps one row.
	if err := s.SaveResult(ctx, r, []byte("other")); err == nil {
		t.Fatal("duplicate result saved")
	}
	rows, err := s.Outbox(ctx, "")
	if err != nil || len(rows) != 1 || rows[0].State != store.OutboxQueued {
		t.Fatalf("outbox %+v %v", rows, err)
	}
	if b, err := s.OutboxBody(ctx, "r1"); err != nil || string(b) != "body" {
		t.Fatalf("outbox body %q %v, want \"body\"", b, err)
	}
	// The uploader's rows carry no body: it reads each when it sends it
	// (a station's queue of thousands of bodies is never held at once).
	uploads, err := s.SyncOutbox().Due(ctx, time.Unix(1<<40, 0))
	if err != nil || len(uploads) != 1 || uploads[0].Body != nil {
		t.Fatalf("due %+v %v; want 1 row and no body", uploads, err)
	}
	if err := s.Retry(ctx, "r1", 1000, "connection refused"); err != nil {
		t.Fatal(err)
	}
	due, _ := s.Due(ctx, 999)
	if len(due) != 0 {
		t.Fatal("a row due before its retry time")
	}
	due, _ = s.Due(ctx, 1000)
	if len(due) != 1 || due[0].Attempts != 1 || due[0].LastError != "connection refused" {
		t.Fatalf("due %+v", due)
	}
	if err := s.Park(ctx, "r1", "409: result id reused with other bytes"); err != nil {
		t.Fatal(err)
	}
	parked, _ := s.Outbox(ctx, store.OutboxParked)
	if len(parked) != 1 || parked[0].LastError == "" {
		t.Fatalf("parked %+v", parked)
	}
	if err := s.Requeue(ctx, "r1"); err != nil {
		t.Fatal(err)
	}
	if err := s.MarkSent(ctx, "r1", []byte("receipt"), 7); err != nil {
		t.Fatal(err)
	}
	rc, idx, err := s.Receipt(ctx, "r1")
	if err != nil || string(rc) != "receipt" || idx != 7 {
		t.Fatalf("receipt %s %d %v", rc, idx, err)
	}
}

func TestRegistryAndPlans(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	reg := store.Registry{
		Examiners: []store.Examiner{{ID: "e1", Name: "王考评", PinHash: "h", Certificates: []store.Certificate{{Category: "低压电工作业", Number: "T1", ValidFrom: "2024-01-01", ValidTo: "2030-01-01"}}}},
		Equipment: []store.Equipment{{Serial: "CPR-001", Kind: "cpr", Model: "M1", Site: "S1"}},
	}
	if err := s.ReplaceRegistry(ctx, reg); err != nil {
		t.Fatal(err)
	}
	e, err := s.ExaminerByID(ctx, "e1")
	if err != nil || len(e.Certificates) != 1 || e.Certificates[0].Number != "T1" {
		t.Fatalf("examiner %+v %v", e, err)
	}
	if _, err := s.ExaminerByID(ctx, "nobody"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("missing examiner: %v", err)
	}
	p := store.Plan{ID: "P1", Date: "2026-11-28", Site: "S1", Category: "低压电工作业", Blueprint: "SD-DG", Signed: []byte("s"),
		Candidates: []store.Candidate{{IDNumber: "110101199003074514", Name: "张三"}, {IDNumber: "11010119900307051X", Name: "李四", Attempt: 2}},
		Examiners:  []string{"e1", "e2"}}
	if err := s.SavePlan(ctx, p); err != nil {
		t.Fatal(err)
	}
	got, err := s.PlanByID(ctx, "P1")
	if err != nil || len(got.Candidates) != 2 || got.Candidates[1].Attempt != 2 || len(got.Examiners) != 2 {
		t.Fatalf("plan %+v %v", got, err)
	}
	plans, _ := s.Plans(ctx, "2026-11-28")
	if len(plans) != 1 {
		t.Fatalf("plans for the day: %d", len(plans))
	}
}

// TestStartSession: a session begins with its opening events in one
// transaction; appends go on after them on the same chain; a refused
// opening leaves no session behind (so no item can be left running with
// an empty or headless log).
func TestStartSession(t *testing.T) {
	s, _ := open(t)
	ctx := context.Background()
	in := store.Session{AttemptID: "a1", PlanID: "p1", Candidate: "c1", Subject: "K4", Standard: "SD-DG-K42", Version: 1, SHA256: "x"}
	id, opened, err := s.StartSession(ctx, in, []store.NewEvent{
		{Type: "session.start", Source: "system", Data: []byte(`{"examiners":["1"],"item":"SD-DG-K42","version":1}`)},
		{Type: "draw", Source: "system", Data: []byte(`{"seed":"s"}`)},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(opened) != 2 || opened[0].Seq != 1 || opened[1].Seq != 2 || opened[1].PrevHash != opened[0].Hash {
		t.Fatalf("opened %+v", opened)
	}
	p, err := s.Enqueue(ctx, id, store.NewEvent{TMs: 10, Type: "mark", Source: "examiner:1", Data: []byte(`{"id":"x"}`)})
	if err != nil {
		t.Fatal(err)
	}
	a, err := p.Wait()
	if err != nil || a.Seq != 3 || a.PrevHash != opened[1].Hash {
		t.Fatalf("append after the opening: %+v, %v", a, err)
	}
	if _, err := s.VerifyChain(ctx, id); err != nil {
		t.Fatal(err)
	}

	before, err := s.Sessions(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = s.StartSession(ctx, in, []store.NewEvent{{TMs: 5, Type: "session.start", Source: "system"}, {TMs: 1, Type: "draw", Source: "system"}})
	if err == nil || !strings.Contains(err.Error(), "t_ms 1 is before the log's last 5") {
		t.Fatalf("an opening whose time runs back: %v", err)
	}
	after, _ := s.Sessions(ctx, "")
	if len(after) != len(before) {
		t.Fatalf("a refused opening left a session: %d sessions, were %d", len(after), len(before))
	}
}
