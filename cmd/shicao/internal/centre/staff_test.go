package centre_test

import (
	"context"
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/credential"
	"shicao/cmd/shicao/internal/demo"
)

func newStaffCentre(t *testing.T) (*centre.Centre, *centretest.Clock) {
	t.Helper()
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "c")
	signer, _ := demo.CentreKeys()
	centretest.Init(t, dir, "", signer)
	clock := centretest.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
	c, err := centre.Open(ctx, dir, centre.Options{Now: clock.Now})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c, clock
}

// TestAddStaff_Refusals: what an account must be.
func TestAddStaff_Refusals(t *testing.T) {
	t.Parallel()
	c, _ := newStaffCentre(t)
	ctx := context.Background()
	if err := c.AddStaff(ctx, "li", centre.RoleAdmin, "long-enough-1"); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name, user, role, pw string
		want                 error
	}{
		{"ErrStaffExists", "li", centre.RoleStaff, "long-enough-2", centre.ErrStaffExists},
		{"ErrShortPass", "wang", centre.RoleStaff, "short", centre.ErrShortPass},
		{"ErrBadRole", "wang", "root", "long-enough-3", centre.ErrBadRole},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if err := c.AddStaff(ctx, tt.user, tt.role, tt.pw); !errors.Is(err, tt.want) {
				t.Errorf("got %v, want %v", err, tt.want)
			}
		})
	}
	var hash string
	if err := c.DB().QueryRow(`SELECT pw_hash FROM staff WHERE name = 'li'`).Scan(&hash); err != nil {
		t.Fatal(err)
	}
	pin, err := credential.HashPIN("246802")
	if err != nil {
		t.Fatal(err)
	}
	params := strings.Join(strings.Split(pin, "$")[:3], "$") + "$" // "argon2id$v=19$m=…,t=…,p=…$"
	if !strings.HasPrefix(hash, params) || strings.Contains(hash, "long-enough-1") {
		t.Errorf("stored hash %q: want argon2id with the PIN's parameters, never the password", hash)
	}
}

// TestSignIn_Lockout: MaxFailures wrong passwords lock the account for
// LockoutDuration (the right one is refused meanwhile); then it opens,
// and a right password resets the count.
func TestSignIn_Lockout(t *testing.T) {
	t.Parallel()
	c, clock := newStaffCentre(t)
	ctx := context.Background()
	if err := c.AddStaff(ctx, "li", centre.RoleStaff, "long-enough-1"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i < centre.MaxFailures; i++ {
		if _, err := c.SignIn(ctx, "li", "wrong"); !errors.Is(err, centre.ErrBadSignIn) {
			t.Fatalf("failure %d: %v", i, err)
		}
	}
	if _, err := c.SignIn(ctx, "li", "wrong"); !errors.Is(err, centre.ErrLocked) {
		t.Fatalf("failure %d: %v, want locked", centre.MaxFailures, err)
	}
	_, err := c.SignIn(ctx, "li", "long-enough-1")
	var locked *centre.LockedError
	if !errors.Is(err, centre.ErrLocked) || !errors.As(err, &locked) || !locked.Until.After(clock.Now()) {
		t.Fatalf("right password while locked: %v (%+v), want a lockout until later", err, locked)
	}
	clock.Advance(centre.LockoutDuration - time.Second)
	if _, err := c.SignIn(ctx, "li", "long-enough-1"); !errors.Is(err, centre.ErrLocked) {
		t.Fatalf("a second before the end: %v", err)
	}
	clock.Advance(2 * time.Second)
	s, err := c.SignIn(ctx, "li", "long-enough-1")
	if err != nil {
		t.Fatalf("after the lockout: %v", err)
	}
	if s.Staff.Role != centre.RoleStaff || len(s.ID) != 64 || len(s.CSRF) != 64 || s.ID == s.CSRF {
		t.Errorf("session %+v", s)
	}
	// The session is stored by the hash of its id only.
	var n int
	c.DB().QueryRow(`SELECT count(*) FROM staff_sessions WHERE id_hash = ?`, s.ID).Scan(&n)
	if n != 0 {
		t.Error("the session id is stored in clear")
	}
	if _, err := c.SessionByID(ctx, s.ID); err != nil {
		t.Fatal(err)
	}
	clock.Advance(centre.SessionDuration + time.Second)
	if _, err := c.SessionByID(ctx, s.ID); !errors.Is(err, centre.ErrNoSession) {
		t.Errorf("an expired session: %v", err)
	}
}

// TestSearchResults_Indexed: every search field is answered from an
// index, never by a scan of the results table (which holds the bodies).
func TestSearchResults_Indexed(t *testing.T) {
	t.Parallel()
	if centretest.Backend() == "postgres" {
		t.Skip("EXPLAIN QUERY PLAN is SQLite's; PostgreSQL has the same indexes (migrations/postgres)")
	}
	c, _ := newStaffCentre(t)
	cols := []string{"candidate", "name", "date", "site", "category", "station"}
	for _, col := range cols {
		rows, err := c.DB().Query(`EXPLAIN QUERY PLAN SELECT id FROM results WHERE `+col+` = ? AND log_index < ? ORDER BY log_index DESC LIMIT 51`, "x", 10)
		if err != nil {
			t.Fatal(err)
		}
		var plan []string
		for rows.Next() {
			var id, parent, unused int
			var detail string
			rows.Scan(&id, &parent, &unused, &detail)
			plan = append(plan, detail)
		}
		rows.Close()
		p := strings.Join(plan, "; ")
		if !strings.Contains(p, "SEARCH results USING INDEX results_"+col) || strings.Contains(p, "SCAN results") || strings.Contains(p, "TEMP B-TREE") {
			t.Errorf("search by %s: plan %q, want an index range in log order", col, p)
		}
	}
}
