package centre

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	gosync "sync"
	"sync/atomic"
	"time"

	"golang.org/x/mod/sumdb/note"

	"shicao/cmd/shicao/internal/keyfile"
	"shicao/cmd/shicao/internal/pgdb"
	"shicao/standards"
	examsync "shicao/sync"
)

// The files of a centre's data directory.
const (
	DBFile  = "centre.db"
	KeyFile = "centre.key" // the centre's signer key, mode 0600
	// DSNFile names the centre's PostgreSQL database (mode 0600) when its
	// data are there rather than in DBFile (Init with a postgres:// URL).
	DSNFile = "centre.dsn"
	PubFile = "centre.pub" // its verifier key, pinned by every station
)

// Centre is an exam centre over its database and signing key.
type Centre struct {
	db       *sql.DB
	signer   note.Signer
	verifier string // the centre's verifier key, text form
	now      func() time.Time
	zone     *time.Location // the exam sites' time zone: exam dates are days there
	bundles  examsync.BundleVerifier
	pg       bool // the database is PostgreSQL

	appendMu gosync.Mutex // one log append at a time
	// sizeHint is the log's size after this process's last append: the
	// next append's guess, to read the stored hashes it needs in the
	// round trip that takes the lock (prefetchHashes).
	sizeHint atomic.Int64
	live     statusHub // watchers of the stations' statuses (status.go)
}

// Options tune a Centre; the zero value is the production setting.
type Options struct {
	Now func() time.Time // the clock (tests inject one)
	// DB is the centre's database: a postgres:// URL, or a SQLite file.
	// "" takes the data directory's: the URL in its DSNFile, if any, else
	// its DBFile.
	DB string
	// Zone is the exam sites' time zone, in which an exam date is a day.
	// Nil takes the centre's time_zone setting (SetTimeZone; the demo sets
	// "Local": a demo centre shares its station's machine), else
	// DefaultZone.
	Zone *time.Location
}

// DefaultZone is the exam sites' time zone when the centre names none:
// Asia/Shanghai, which has kept UTC+8 without daylight saving since 1991
// (a fixed zone needs no tzdata on the centre's machine).
var DefaultZone = time.FixedZone("Asia/Shanghai", 8*60*60)

// zoneOf resolves the centre's time_zone setting: "" is DefaultZone,
// "Local" the machine's zone, anything else an IANA name.
func zoneOf(name string) (*time.Location, error) {
	switch name {
	case "":
		return DefaultZone, nil
	case "Local":
		return time.Local, nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return nil, fmt.Errorf("time_zone %q: %w", name, err)
	}
	return loc, nil
}

// Init creates a centre's data directory: its database and its signing
// key pair (a new one named name, or signerKey if given, as the demo
// does). It refuses a directory that already holds a centre, so a key is
// never overwritten.
func Init(ctx context.Context, dir, name, signerKey string) (verifier string, err error) {
	return InitDB(ctx, dir, name, signerKey, "")
}

// InitDB is Init with the centre's database elsewhere than the data
// directory's DBFile: db is a postgres:// URL (kept in DSNFile, so that
// every later command over the directory opens the same database) or a
// SQLite file; "" is DBFile. The keys stay in the directory.
func InitDB(ctx context.Context, dir, name, signerKey, db string) (verifier string, err error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("centre init: %w", err)
	}
	keyPath := filepath.Join(dir, KeyFile)
	if _, err := os.Stat(keyPath); err == nil {
		return "", fmt.Errorf("centre init: %s already holds a centre (%s exists)", dir, KeyFile)
	}
	if signerKey == "" {
		if signerKey, verifier, err = standards.GenerateKey(name); err != nil {
			return "", fmt.Errorf("centre init: %w", err)
		}
	} else if verifier, err = verifierOf(signerKey); err != nil {
		return "", fmt.Errorf("centre init: %w", err)
	}
	if err := keyfile.WritePair(keyPath, filepath.Join(dir, PubFile), signerKey, verifier); err != nil {
		return "", fmt.Errorf("centre init: %w", err)
	}
	if db == "" {
		db = filepath.Join(dir, DBFile)
	}
	if pgdb.IsDSN(db) {
		if err := os.WriteFile(filepath.Join(dir, DSNFile), []byte(db+"\n"), 0o600); err != nil {
			return "", fmt.Errorf("centre init: %w", err)
		}
	}
	h, err := openDB(ctx, db)
	if err != nil {
		return "", err
	}
	return verifier, h.Close()
}

// DBOf returns the database of the centre in dir: db if given, else the
// URL kept in the directory's DSNFile, else its DBFile.
func DBOf(dir, db string) (string, error) {
	if db != "" {
		return db, nil
	}
	b, err := os.ReadFile(filepath.Join(dir, DSNFile))
	switch {
	case err == nil:
		return strings.TrimSpace(string(b)), nil
	case errors.Is(err, os.ErrNotExist):
		return filepath.Join(dir, DBFile), nil
	}
	return "", err
}

// verifierOf derives the verifier key of a note signer key
// ("PRIVATE+KEY+name+hash+base64(alg || ed25519 seed)").
func verifierOf(signerKey string) (string, error) {
	signerKey = strings.TrimSpace(signerKey)
	s, err := note.NewSigner(signerKey) // checks the form and the key hash
	if err != nil {
		return "", fmt.Errorf("signer key: %w", err)
	}
	parts := strings.SplitN(signerKey, "+", 5) // base64 may hold '+'
	raw, err := base64.StdEncoding.DecodeString(parts[4])
	if err != nil || len(raw) != 1+ed25519.SeedSize {
		return "", errors.New("signer key: not an Ed25519 key")
	}
	pub := ed25519.NewKeyFromSeed(raw[1:]).Public().(ed25519.PublicKey)
	return note.NewEd25519VerifierKey(s.Name(), pub)
}

// Open opens the centre in a data directory made by Init.
func Open(ctx context.Context, dir string, opts Options) (*Centre, error) {
	key, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a centre's data directory: run shicao centre init --data %s", dir, dir)
	}
	if err != nil {
		return nil, err
	}
	db, err := DBOf(dir, opts.DB)
	if err != nil {
		return nil, err
	}
	return OpenDB(ctx, db, string(key), opts)
}

// OpenDB opens a centre's database (a postgres:// URL or a SQLite file)
// with its signer key.
func OpenDB(ctx context.Context, path, signerKey string, opts Options) (*Centre, error) {
	signer, err := note.NewSigner(strings.TrimSpace(signerKey))
	if err != nil {
		return nil, fmt.Errorf("centre key: %w", err)
	}
	vkey, err := verifierOf(signerKey)
	if err != nil {
		return nil, err
	}
	db, err := openDB(ctx, path)
	if err != nil {
		return nil, err
	}
	c := &Centre{db: db, signer: signer, verifier: vkey, now: opts.Now, zone: opts.Zone, pg: pgdb.IsDSN(path)}
	if c.now == nil {
		c.now = time.Now
	}
	if c.zone == nil {
		name, err := meta(ctx, db, "time_zone")
		if err != nil && !errors.Is(err, ErrNotFound) {
			db.Close()
			return nil, err
		}
		if c.zone, err = zoneOf(name); err != nil {
			db.Close()
			return nil, err
		}
	}
	if err := c.backfillFacts(ctx); err != nil {
		db.Close()
		return nil, err
	}
	return c, nil
}

// SetTimeZone records the exam sites' time zone as the centre's
// time_zone setting: "Local" (the machine's zone) or an IANA name. A
// Centre running in DefaultZone uses it at once; one whose zone was
// chosen otherwise (Options.Zone, an earlier setting) keeps that zone
// until it is opened again. It returns an error for an unknown name.
func (c *Centre) SetTimeZone(ctx context.Context, name string) error {
	loc, err := zoneOf(name)
	if err != nil {
		return err
	}
	if err := setMeta(ctx, c.db, "time_zone", name); err != nil {
		return err
	}
	if c.zone == DefaultZone {
		c.zone = loc
	}
	return nil
}

// today is the date at the exam sites now.
func (c *Centre) today() standards.Date { return standards.DateOf(c.now().In(c.zone)) }

// Close closes the database.
func (c *Centre) Close() error { return c.db.Close() }

// Verifier returns the centre's verifier key: stations pin it.
func (c *Centre) Verifier() string { return c.verifier }

// DB returns the database handle, for integrity checks in tests.
func (c *Centre) DB() *sql.DB { return c.db }

// PostgreSQL tells whether the centre's database is PostgreSQL (else
// SQLite): what a whole-database integrity check can mean differs.
func (c *Centre) PostgreSQL() bool { return c.pg }

func (c *Centre) nowMs() int64 { return c.now().UnixMilli() }

var (
	_ examsync.StationKeys = (*Centre)(nil)
	_ examsync.Nonces      = (*Centre)(nil)
	_ examsync.Ingester    = (*Centre)(nil)
	_ examsync.Downlink    = (*Centre)(nil)
	_ examsync.LogProver   = (*Centre)(nil)
	_ examsync.Reconciler  = (*Centre)(nil)
)

// StationKey returns a registered station's verifier key, or
// examsync.ErrUnknownStation.
func (c *Centre) StationKey(ctx context.Context, name string) (string, error) {
	var k string
	err := c.db.QueryRowContext(ctx, `SELECT vkey FROM stations WHERE name = ?`, name).Scan(&k)
	if errors.Is(err, sql.ErrNoRows) {
		return "", examsync.ErrUnknownStation
	}
	return k, translate(err)
}

// UseNonce records a request's nonce, reporting false if the station used
// it before. Nonces whose signed time is older than the allowed skew are
// forgotten: a request that old is refused as stale anyway.
func (c *Centre) UseNonce(ctx context.Context, stationName, nonce string, at time.Time) (bool, error) {
	var fresh bool
	err := inTx(ctx, c.db, func(tx *sql.Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM nonces WHERE at_ms < ?`, c.now().Add(-examsync.MaxSkew).UnixMilli()); err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `INSERT INTO nonces (station, nonce, at_ms) VALUES (?, ?, ?) ON CONFLICT DO NOTHING`, stationName, nonce, at.UnixMilli())
		if err != nil {
			return err
		}
		n, err := res.RowsAffected()
		fresh = n == 1
		return err
	})
	return fresh, err
}

// Server returns the centre's HTTP API over this centre.
func (c *Centre) Server(logger *slog.Logger) *examsync.Server {
	return &examsync.Server{Keys: c, Nonces: c, Results: c, Down: c, Log: c, Recon: c, Status: c, Drills: c, Now: c.now, Logger: logger}
}
