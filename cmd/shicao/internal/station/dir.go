package station

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/keyfile"
	"shicao/cmd/shicao/internal/store"
	"shicao/standards"
)

// The files of a station's data directory.
const (
	DBFile  = "station.db"
	KeyFile = "station.key" // the station's signer key, mode 0600
	PubFile = "station.pub" // its verifier key, registered with the centre
)

// InitDir creates a station's data directory: its database, its signing
// key pair, its name and site. It refuses a directory that already holds
// a station, so a key is never overwritten.
func InitDir(ctx context.Context, dir, name, site string) (verifier string, err error) {
	if name == "" || site == "" {
		return "", errors.New("station init: --name and --site are required")
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return "", fmt.Errorf("station init: %w", err)
	}
	keyPath := filepath.Join(dir, KeyFile)
	if _, err := os.Stat(keyPath); err == nil {
		return "", fmt.Errorf("station init: %s already holds a station (%s exists)", dir, KeyFile)
	}
	skey, vkey, err := standards.GenerateKey("station-" + name)
	if err != nil {
		return "", fmt.Errorf("station init: %w", err)
	}
	if err := keyfile.WritePair(keyPath, filepath.Join(dir, PubFile), skey, vkey); err != nil {
		return "", fmt.Errorf("station init: %w", err)
	}
	st, err := store.Open(ctx, filepath.Join(dir, DBFile), store.Options{})
	if err != nil {
		return "", err
	}
	defer st.Close()
	if err := st.SetIdentity(ctx, store.Identity{Name: name, Site: site, Verifier: vkey}); err != nil {
		return "", err
	}
	return vkey, nil
}

// OpenDir opens the station in a data directory made by InitDir.
func OpenDir(ctx context.Context, dir string, now func() time.Time) (*Station, error) {
	return OpenDirConfig(ctx, dir, Config{Now: now})
}

// OpenDirConfig is OpenDir with more of the Config set by the caller (the
// name, site and key come from the directory).
func OpenDirConfig(ctx context.Context, dir string, cfg Config) (*Station, error) {
	now := cfg.Now
	key, err := os.ReadFile(filepath.Join(dir, KeyFile))
	if errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("%s is not a station's data directory: run shicao station init --data %s", dir, dir)
	}
	if err != nil {
		return nil, err
	}
	st, err := store.Open(ctx, filepath.Join(dir, DBFile), store.Options{Now: now})
	if err != nil {
		return nil, err
	}
	id, err := st.Identity(ctx)
	if err != nil {
		st.Close()
		return nil, fmt.Errorf("%s: the station's name or site is missing from its database", dir)
	}
	cfg.Name, cfg.Site, cfg.SignerKey, cfg.Now = id.Name, id.Site, strings.TrimSpace(string(key)), now
	s, err := New(st, cfg)
	if err != nil {
		st.Close()
		return nil, err
	}
	if err := s.loadTraining(ctx); err != nil {
		st.Close()
		return nil, err
	}
	return s, nil
}

// CheckStart checks the station's database before an exam (see
// store.CheckStart): a damaged database is refused with a
// *Refusal (code "database-damaged") that says what was found and how
// to restore.
func (s *Station) CheckStart(ctx context.Context) error {
	return Damaged(s.st.CheckStart(ctx))
}

// Damaged returns err as the refusal of a damaged database when it wraps
// store.ErrDamaged (a database that does not even open), and err
// otherwise.
func Damaged(err error) error {
	if !errors.Is(err, store.ErrDamaged) {
		return err
	}
	what := err.Error() // a database that does not open: the driver's words
	if de := (*store.DamagedError)(nil); errors.As(err, &de) {
		what = de.What
	}
	return refuse("database-damaged",
		"本站数据库已损坏，不能开始考试（%v）。请停用本机，按运维手册 docs/operations.md“A damaged database”一节从最近的备份恢复，再同步成绩。",
		"this station's database is damaged and no exam can start on it (%v). Stop here: restore it from the latest backup as docs/operations.md says (\"A damaged database\"), then sync.", what)
}

// Verifier returns the station's verifier key.
func (s *Station) Verifier(ctx context.Context) (string, error) {
	id, err := s.st.Identity(ctx)
	if err == nil && id.Verifier == "" {
		err = store.ErrNotFound
	}
	return id.Verifier, err
}

// Close closes the station's store.
func (s *Station) Close() error { return s.st.Close() }
