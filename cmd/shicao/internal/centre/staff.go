package centre

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	gosync "sync"
	"time"
	"unicode/utf8"

	"shicao/cmd/shicao/internal/credential"
)

// Staff accounts of the console (docs/console.md): a role each, an
// argon2id password hash, and a lockout after failed sign-ins that is
// kept in the database, so that restarting the centre does not reset it.

// Roles of staff accounts.
const (
	RoleAdmin     = "admin"     // everything staff do, and the accounts
	RoleStaff     = "staff"     // runs the day: imports and registrations
	RoleInspector = "inspector" // reads results and re-verifies them, changes nothing
)

// The sign-in policy.
const (
	MinPasswordLen  = 10               // characters
	MaxFailures     = 5                // failed sign-ins in a row before a lockout
	LockoutDuration = 15 * time.Minute // how long a lockout lasts
	SessionDuration = 8 * time.Hour    // a working day
)

// Errors of staff accounts and sign-in, which the console tells apart.
var (
	ErrBadRole     = errors.New("the role must be admin, staff or inspector")
	ErrShortPass   = fmt.Errorf("a password must be at least %d characters", MinPasswordLen)
	ErrStaffExists = errors.New("a staff account of that name exists")
	ErrBadSignIn   = errors.New("wrong name or password")
	ErrLocked      = errors.New("the account is locked after too many wrong passwords")
	ErrNoSession   = errors.New("no such session, or it has expired")
	errEmptyName   = errors.New("a staff account needs a name")
)

// dummyHash is checked against for an unknown name, so that a refusal
// takes as long as for a known one; made on first use, not at start.
var dummyHash = gosync.OnceValue(func() string { return hashPasswordOrPanic("not-a-password-of-anyone") })

// ValidRole reports whether role is a staff role.
func ValidRole(role string) bool {
	return role == RoleAdmin || role == RoleStaff || role == RoleInspector
}

func hashPasswordOrPanic(pw string) string {
	h, err := credential.Hash(pw)
	if err != nil {
		panic(err) // crypto/rand failing at start: nothing can be signed either
	}
	return h
}

// AddStaff creates a staff account. It returns ErrBadRole, ErrShortPass
// or ErrStaffExists.
func (c *Centre) AddStaff(ctx context.Context, name, role, password string) error {
	name = strings.TrimSpace(name)
	switch {
	case name == "" || !utf8.ValidString(name) || len(name) > 64:
		return errEmptyName
	case !ValidRole(role):
		return ErrBadRole
	case utf8.RuneCountInString(password) < MinPasswordLen:
		return ErrShortPass
	}
	h, err := credential.Hash(password) // as a PIN is hashed
	if err != nil {
		return err
	}
	return inTx(ctx, c.db, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO staff (name, role, pw_hash, added_ms) VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING`, name, role, h, c.nowMs())
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return ErrStaffExists
		}
		return nil
	})
}

// Staff is a staff account as the console sees it.
type Staff struct {
	Name, Role string
}

// CanChange reports whether the account may import, register or publish:
// inspectors only read.
func (s Staff) CanChange() bool { return s.Role == RoleAdmin || s.Role == RoleStaff }

// Session is a signed-in staff member.
type Session struct {
	ID        string // the cookie's value; only its hash is stored
	CSRF      string // the token every form of the session carries
	Staff     Staff
	ExpiresMs int64
}

func randomToken() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return hex.EncodeToString(b), nil
}

func sessionHash(id string) string {
	h := sha256.Sum256([]byte(id))
	return hex.EncodeToString(h[:])
}

// SignIn checks a staff member's password and opens a session. A wrong
// password (or an unknown name) returns ErrBadSignIn; MaxFailures in a
// row lock the account for LockoutDuration, during which every attempt,
// even with the right password, returns an error wrapping ErrLocked that
// says until when.
func (c *Centre) SignIn(ctx context.Context, name, password string) (*Session, error) {
	var role, hash string
	var failures int
	var lockedUntil int64
	err := c.db.QueryRowContext(ctx, `SELECT role, pw_hash, failures, locked_until_ms FROM staff WHERE name = ?`, name).Scan(&role, &hash, &failures, &lockedUntil)
	if errors.Is(err, sql.ErrNoRows) {
		credential.CheckPIN(dummyHash(), password) // the same time as a known name
		return nil, ErrBadSignIn
	}
	if err != nil {
		return nil, translate(err)
	}
	now := c.nowMs()
	if lockedUntil > now {
		return nil, &LockedError{Until: time.UnixMilli(lockedUntil)}
	}
	if !credential.CheckPIN(hash, password) {
		// Counted in one transaction, so that wrong passwords tried at
		// the same time each count.
		var locked int64
		err := inTx(ctx, c.db, func(tx *sql.Tx) error {
			if err := tx.QueryRowContext(ctx, `SELECT failures FROM staff WHERE name = ?`, name).Scan(&failures); err != nil {
				return err
			}
			failures++
			if failures >= MaxFailures {
				locked, failures = now+LockoutDuration.Milliseconds(), 0
			}
			_, err := tx.ExecContext(ctx, `UPDATE staff SET failures = ?, locked_until_ms = max(locked_until_ms, ?) WHERE name = ?`, failures, locked, name)
			return err
		})
		if err != nil {
			return nil, err
		}
		if locked > 0 {
			return nil, &LockedError{Until: time.UnixMilli(locked)}
		}
		return nil, ErrBadSignIn
	}
	id, err := randomToken()
	if err != nil {
		return nil, err
	}
	csrf, err := randomToken()
	if err != nil {
		return nil, err
	}
	s := &Session{ID: id, CSRF: csrf, Staff: Staff{Name: name, Role: role}, ExpiresMs: now + SessionDuration.Milliseconds()}
	err = inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `UPDATE staff SET failures = 0, locked_until_ms = 0 WHERE name = ?`, name); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM staff_sessions WHERE expires_ms < ?`, now); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO staff_sessions (id_hash, staff, csrf, created_ms, expires_ms) VALUES (?, ?, ?, ?, ?)`,
			sessionHash(id), name, csrf, now, s.ExpiresMs)
		return err
	})
	if err != nil {
		return nil, err
	}
	return s, nil
}

// SessionByID returns the live session with that cookie value, or
// ErrNoSession.
func (c *Centre) SessionByID(ctx context.Context, id string) (*Session, error) {
	if id == "" {
		return nil, ErrNoSession
	}
	s := &Session{ID: id}
	err := c.db.QueryRowContext(ctx, `SELECT s.csrf, s.expires_ms, st.name, st.role FROM staff_sessions s JOIN staff st ON st.name = s.staff
		WHERE s.id_hash = ? AND s.expires_ms > ?`, sessionHash(id), c.nowMs()).Scan(&s.CSRF, &s.ExpiresMs, &s.Staff.Name, &s.Staff.Role)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, ErrNoSession
	}
	if err != nil {
		return nil, translate(err)
	}
	return s, nil
}

// SignOut ends a session.
func (c *Centre) SignOut(ctx context.Context, id string) error {
	_, err := c.db.ExecContext(ctx, `DELETE FROM staff_sessions WHERE id_hash = ?`, sessionHash(id))
	return translate(err)
}

// AuditEntry is one line of the audit trail.
type AuditEntry struct {
	ID                            int64
	AtMs                          int64
	Staff, Action, Detail, Remote string
}

// Audit appends a staff action to the audit trail.
func (c *Centre) Audit(ctx context.Context, staff, action, detail, remote string) error {
	_, err := c.db.ExecContext(ctx, `INSERT INTO audit (at_ms, staff, action, detail, remote) VALUES (?, ?, ?, ?, ?)`, c.nowMs(), staff, action, detail, remote)
	return translate(err)
}

// AuditTrail returns up to limit entries older than before (0: the
// newest), newest first.
func (c *Centre) AuditTrail(ctx context.Context, before int64, limit int) ([]AuditEntry, error) {
	if before <= 0 {
		before = 1 << 62
	}
	rows, err := c.db.QueryContext(ctx, `SELECT id, at_ms, staff, action, detail, remote FROM audit WHERE id < ? ORDER BY id DESC LIMIT ?`, before, limit)
	if err != nil {
		return nil, translate(err)
	}
	defer rows.Close()
	var out []AuditEntry
	for rows.Next() {
		var a AuditEntry
		if err := rows.Scan(&a.ID, &a.AtMs, &a.Staff, &a.Action, &a.Detail, &a.Remote); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// LockedError is a sign-in refused because the account is locked; it
// matches ErrLocked and says until when, so callers show the time
// without reading it out of the text.
type LockedError struct{ Until time.Time }

func (e *LockedError) Error() string {
	return fmt.Sprintf("%v until %s", ErrLocked, e.Until.Format("2006-01-02 15:04:05"))
}

func (e *LockedError) Is(target error) bool { return target == ErrLocked }
