package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/charmbracelet/x/term"

	"shicao/cmd/shicao/internal/centre"
	"shicao/cmd/shicao/internal/console"
)

// centreUserAdd is `shicao centre user add NAME --role ROLE`: a staff
// account of the console. The password is read from standard input (one
// line), or asked for without echo on a terminal; never from a flag,
// which would leave it in the shell's history and the process list.
func centreUserAdd(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre user add", "centre user add --data DIR [--role admin|staff|inspector] NAME  (password on stdin)",
		"  shicao centre user add --role admin li.wei\n  printf '%s\\n' \"$PASSWORD\" | shicao centre user add --role inspector wang.fang\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	role := fs.String("role", centre.RoleStaff, "admin (accounts and everything), staff (runs the day) or inspector (reads and re-verifies only)")
	if err := parse(fs, reorderFlags(args)); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("centre user add: give one NAME")
	}
	if !centre.ValidRole(*role) {
		return usagef("centre user add: --role %q: %v", *role, centre.ErrBadRole)
	}
	pw, err := readPassword(e)
	if err != nil {
		return fmt.Errorf("centre user add: %w", err)
	}
	c, err := openCentre(ctx, *data)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.AddStaff(ctx, fs.Arg(0), *role, pw); err != nil {
		return fmt.Errorf("centre user add %s: %w", fs.Arg(0), err)
	}
	if err := c.Audit(ctx, "(shell)", "add staff account", fs.Arg(0)+" role "+*role, "local"); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "staff account %s added with role %s\n", fs.Arg(0), *role)
	return nil
}

// reorderFlags moves a leading NAME after the flags (the flag package
// stops at the first argument), so that both `user add NAME --role R`
// and `user add --role R NAME` work.
func reorderFlags(args []string) []string {
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		return append(append([]string{}, args[1:]...), args[0])
	}
	return args
}

// readPassword reads a password: without echo from a terminal (asked
// twice), else the first line of standard input.
func readPassword(e *env) (string, error) {
	if f, ok := e.stdin.(*os.File); ok && term.IsTerminal(f.Fd()) {
		fmt.Fprint(e.stderr, "password: ")
		a, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		fmt.Fprint(e.stderr, "again: ")
		b, err := term.ReadPassword(f.Fd())
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", err
		}
		if string(a) != string(b) {
			return "", errors.New("the two passwords differ")
		}
		return string(a), nil
	}
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && !(errors.Is(err, io.EOF) && line != "") {
		return "", errors.New("give the password on standard input (one line)")
	}
	return strings.TrimRight(line, "\r\n"), nil
}

// startConsole serves the console over c on addr until ctx ends, and
// returns its URL.
func startConsole(ctx context.Context, c *centre.Centre, addr string, logger *slog.Logger) (string, <-chan error, error) {
	cs, err := console.New(c, console.Options{Logger: logger})
	if err != nil {
		return "", nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, fmt.Errorf("console: %w", err)
	}
	srv := &http.Server{Handler: cs.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute}
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}()
	return "http://" + ln.Addr().String(), errc, nil
}
