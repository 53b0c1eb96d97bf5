// Package pgdbtest gives tests a real PostgreSQL database: the server
// named by SHICAO_TEST_POSTGRES (a DSN with the right to create
// databases) or, when it is unset, a throwaway cluster the test binary
// starts itself (initdb in a temporary directory, a free loopback port,
// run as nobody when the tests run as root) from the PostgreSQL server
// installed on the machine. One cluster per test binary (Main, from
// TestMain); a fresh database per test (DSN). When there is neither, the
// PostgreSQL tests skip and say so loudly.
package pgdbtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	gosync "sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvDSN names a PostgreSQL server to test against instead of a
// throwaway cluster.
const EnvDSN = "SHICAO_TEST_POSTGRES"

var (
	once    gosync.Once
	admin   string // the DSN of a database to create others from
	unavail error  // why there is no PostgreSQL
	cluster *server
	seq     atomic.Int64
)

// Main runs the tests and stops the throwaway cluster, if one was
// started: call it from TestMain as os.Exit(pgdbtest.Main(m)).
func Main(m Runner) int { return Stopping(m).Run() }

// Runner is what *testing.M offers, and testscript.Main takes.
type Runner interface{ Run() int }

// Stopping wraps m so that its Run stops the throwaway cluster, if one
// was started, after the tests: for a TestMain that hands m on
// (testscript.Main(pgdbtest.Stopping(m), ...)).
func Stopping(m Runner) Runner { return stopping{m} }

type stopping struct{ m Runner }

func (s stopping) Run() int {
	code := s.m.Run()
	if cluster != nil {
		cluster.stop()
	}
	return code
}

// SkipMessage is what a test that needs PostgreSQL says when it skips.
func SkipMessage(why error) string {
	return fmt.Sprintf("!!! POSTGRESQL TESTS SKIPPED: %v. Set %s to a DSN, or install the PostgreSQL server (Debian: apt-get install postgresql) so the tests start their own cluster !!!", why, EnvDSN)
}

// Available reports whether a PostgreSQL server can be had, starting the
// throwaway cluster on first use.
func Available() error {
	once.Do(start)
	return unavail
}

// DSN returns the URL of a new, empty database for t, dropped when t
// ends; t skips loudly when no PostgreSQL can be had.
func DSN(t testing.TB) string {
	t.Helper()
	if err := Available(); err != nil {
		t.Skip(SkipMessage(err))
	}
	ctx := context.Background()
	name := fmt.Sprintf("shicao_test_%d_%d", os.Getpid(), seq.Add(1))
	conn, err := pgx.Connect(ctx, admin)
	if err != nil {
		t.Fatalf("postgres: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("postgres: %v", err)
	}
	t.Cleanup(func() {
		conn, err := pgx.Connect(ctx, admin)
		if err != nil {
			t.Errorf("postgres: %v", err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE "+name+" WITH (FORCE)"); err != nil {
			t.Errorf("postgres: drop %s: %v", name, err)
		}
	})
	u, err := url.Parse(admin)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

func start() {
	if dsn := os.Getenv(EnvDSN); dsn != "" {
		admin = dsn
		return
	}
	bin, err := binDir()
	if err != nil {
		unavail = err
		return
	}
	s, err := startServer(bin)
	if err != nil {
		unavail = fmt.Errorf("a throwaway cluster (%s) did not start: %w", bin, err)
		return
	}
	cluster = s
	admin = s.dsn
}

// binDir finds the directory of initdb and postgres: on PATH, else
// Debian's /usr/lib/postgresql/N/bin, the newest N.
func binDir() (string, error) {
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin/initdb")
	sort.Slice(dirs, func(i, j int) bool { return version(dirs[i]) > version(dirs[j]) })
	if len(dirs) == 0 {
		return "", errors.New("no " + EnvDSN + " and no initdb on this machine")
	}
	return filepath.Dir(dirs[0]), nil
}

func version(initdb string) int {
	n, _ := strconv.Atoi(filepath.Base(filepath.Dir(filepath.Dir(initdb))))
	return n
}

type server struct {
	dir    string
	cmd    *exec.Cmd
	dsn    string
	exited chan error
}

// startServer runs initdb and postgres in a new temporary directory,
// as nobody when this process is root (PostgreSQL refuses root).
func startServer(bin string) (*server, error) {
	dir, cred, err := clusterDir()
	if err != nil {
		return nil, err
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync")
	initdb.Dir = dir
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	if out, err := initdb.CombinedOutput(); err != nil {
		os.RemoveAll(dir)
		return nil, fmt.Errorf("initdb: %w: %s", err, out)
	}
	port, err := freePort()
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	logf, err := os.Create(filepath.Join(dir, "postgres.log"))
	if err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	defer logf.Close()
	if cred != nil {
		os.Chown(logf.Name(), int(cred.Uid), int(cred.Gid))
	}
	// A throwaway cluster: durability is not what the tests measure.
	cmd := exec.Command(filepath.Join(bin, "postgres"), "-D", data, "-p", strconv.Itoa(port), "-k", dir,
		"-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
		"-c", "max_connections=300", "-c", "shared_buffers=128MB")
	cmd.Dir = dir
	cmd.Stdout, cmd.Stderr = logf, logf
	// Its own process group, and stopped if the test binary dies.
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Setpgid: true, Pdeathsig: syscall.SIGQUIT}
	if err := cmd.Start(); err != nil {
		os.RemoveAll(dir)
		return nil, err
	}
	s := &server{dir: dir, cmd: cmd, dsn: fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", port)}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	if err := s.waitReady(exited); err != nil {
		return nil, err
	}
	s.exited = exited
	return s, nil
}

// clusterDir makes the cluster's directory and returns the credential
// to run PostgreSQL with: nobody's, owning the directory, when this
// process is root; nil otherwise.
func clusterDir() (string, *syscall.Credential, error) {
	// As root, the cluster's user must reach its directory: under /tmp,
	// not under a TMPDIR that only root may enter.
	parent := ""
	if os.Getuid() == 0 {
		parent = "/tmp"
	}
	dir, err := os.MkdirTemp(parent, "shicao-pg-")
	if err != nil {
		return "", nil, err
	}
	var cred *syscall.Credential
	if os.Getuid() == 0 {
		u, err := user.Lookup("nobody")
		if err != nil {
			return "", nil, fmt.Errorf("running as root, and no user nobody to run PostgreSQL as: %w", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		cred = &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}
		if err := os.Chown(dir, uid, gid); err != nil {
			return "", nil, err
		}
	}
	return dir, cred, nil
}

// waitReady waits until the started server accepts a connection. When
// postgres exits first or does not answer in 60 s, it removes the
// cluster and returns why.
func (s *server) waitReady(exited chan error) error {
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		conn, err := pgx.Connect(ctx, s.dsn)
		cancel()
		if err == nil {
			conn.Close(context.Background())
			return nil
		}
		select {
		case werr := <-exited:
			log, _ := os.ReadFile(filepath.Join(s.dir, "postgres.log"))
			os.RemoveAll(s.dir)
			return fmt.Errorf("postgres exited (%v): %s", werr, log)
		default:
		}
		if time.Now().After(deadline) {
			s.stop()
			return fmt.Errorf("postgres did not accept connections in 60 s: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// stop shuts the cluster down (fast shutdown) and removes its files.
func (s *server) stop() {
	s.cmd.Process.Signal(syscall.SIGINT)
	if s.exited != nil {
		select {
		case <-s.exited:
		case <-time.After(30 * time.Second):
			s.cmd.Process.Kill()
		}
	}
	os.RemoveAll(s.dir)
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
