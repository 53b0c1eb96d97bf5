package main

// The staff console: its accounts (centre user), and the server that
// centre serve --console and the demo start (startConsole).

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

func centreUserCmd() *Command {
	return &Command{
		UsageLine: "centre user",
		Short:     "the staff console's accounts (docs/console.md)",
		Commands:  []*Command{centreUserAddCmd()},
	}
}

// centreUserAddCmd is `shicao centre user add NAME --role ROLE`: a staff
// account of the console. The password is read from standard input (one
// line), or asked for without echo on a terminal; never from a flag,
// which would leave it in the shell's history and the process list.
func centreUserAddCmd() *Command {
	c := &Command{
		UsageLine: "centre user add [--role admin|staff|inspector] NAME",
		Short:     "a console account; the password from stdin (or asked on a terminal)",
		Long: "Examples:\n  shicao centre user add --role admin li.wei\n" +
			"  printf '%s\\n' \"$PASSWORD\" | shicao centre user add --role inspector wang.fang\n",
	}
	data := addCentreData(&c.Flag)
	role := c.Flag.String("role", centre.RoleStaff, "admin (accounts and everything), staff (runs the day) or inspector (reads and re-verifies only)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("centre user add: give one NAME")
		}
		if !centre.ValidRole(*role) {
			return usagef("centre user add: --role %q: %v", *role, centre.ErrBadRole)
		}
		pw, err := readPassword(e)
		if err != nil {
			return fmt.Errorf("centre user add: %w", err)
		}
		return data.with(ctx, func(ce *centre.Centre) error {
			if err := ce.AddStaff(ctx, args[0], *role, pw); err != nil {
				return fmt.Errorf("centre user add %s: %w", args[0], err)
			}
			if err := ce.Audit(ctx, "(shell)", "add staff account", args[0]+" role "+*role, "local"); err != nil {
				return err
			}
			fmt.Fprintf(e.stdout, "staff account %s added with role %s\n", args[0], *role)
			return nil
		})
	}
	return c
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

// startConsole serves the console over c on addr (over TLS when given a
// certificate and key, its cookies then marked Secure) and returns its
// URL, a channel of the server's failure, and stop, which shuts it down
// and waits for the requests in flight: call it before closing c.
func startConsole(c *centre.Centre, addr, certFile, keyFile string, logger *slog.Logger) (url string, errc <-chan error, stop func(), err error) {
	cs, err := console.New(c, console.Options{Logger: logger, Secure: certFile != ""})
	if err != nil {
		return "", nil, nil, err
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return "", nil, nil, fmt.Errorf("console: %w", err)
	}
	srv := &http.Server{Handler: cs.Handler(), ReadHeaderTimeout: 10 * time.Second, ReadTimeout: time.Minute, WriteTimeout: 2 * time.Minute}
	srv.RegisterOnShutdown(cs.Close) // the live grid's event streams end: Shutdown does not wait for them
	served := make(chan error, 1)
	scheme := "http"
	if certFile != "" {
		scheme = "https"
		go func() { served <- srv.ServeTLS(ln, certFile, keyFile) }()
	} else {
		go func() { served <- srv.Serve(ln) }()
	}
	stop = func() {
		shut, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shut)
	}
	return scheme + "://" + ln.Addr().String(), served, stop, nil
}
