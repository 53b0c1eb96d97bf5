package store

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestAppend_DiskFull fills the database (SQLite's max_page_count stands in
// for a full disk: the same SQLITE_FULL), wants a clear ErrDiskFull and no
// half-written batch, then frees room and wants the log to go on intact.
func TestAppend_DiskFull(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "full.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.db.SetMaxOpenConns(1) // the pragma below is per connection
	id, err := s.CreateSession(ctx, Session{AttemptID: "a", PlanID: "p", Candidate: "c", Subject: "K4", Standard: "S", Version: 1, SHA256: "x"})
	if err != nil {
		t.Fatal(err)
	}
	var pages int64
	if err := s.db.QueryRow(`PRAGMA page_count`).Scan(&pages); err != nil {
		t.Fatal(err)
	}
	if _, err := s.db.Exec(`PRAGMA max_page_count = ` + strconv.FormatInt(pages+2, 10)); err != nil {
		t.Fatal(err)
	}
	big := []byte(`{"pad":"` + strings.Repeat("x", 3000) + `"}`)
	var committed int64
	var fullErr error
	for i := 0; i < 200; i++ {
		a, err := s.Append(ctx, id, NewEvent{TMs: int64(i), Type: "pad", Data: big})
		if err != nil {
			fullErr = err
			break
		}
		committed = a.Seq
	}
	if !errors.Is(fullErr, ErrDiskFull) {
		t.Fatalf("append on a full disk: %v, want ErrDiskFull", fullErr)
	}
	if _, err := s.db.Exec(`PRAGMA max_page_count = 1073741823`); err != nil {
		t.Fatal(err)
	}
	a, err := s.Append(ctx, id, NewEvent{TMs: 1000, Type: "after"})
	if err != nil {
		t.Fatalf("append after freeing room: %v", err)
	}
	if a.Seq != committed+1 {
		t.Fatalf("seq %d after the full disk, want %d: a refused event left a gap or a ghost", a.Seq, committed+1)
	}
	if _, err := s.VerifyChain(ctx, id); err != nil {
		t.Fatal(err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatal(err)
	}
}

// TestTranslate_ReadOnly: a database that cannot be written gives
// ErrReadOnly, which the station shows as a sentence.
func TestTranslate_ReadOnly(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "ro.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro")
	if err != nil {
		t.Fatal(err)
	}
	ro := &Store{db: db}
	defer db.Close()
	if err := ro.SetMeta(ctx, "k", "v"); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("write to a read-only database: %v, want ErrReadOnly", err)
	}
}
