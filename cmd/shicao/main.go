// Command shicao is the exam-station, exam-centre and tooling binary of
// shicao (实操), the scoring system for the practical exams of China's
// special-operations workers. Every role is a subcommand; main only parses
// arguments and wires packages together.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// Exit codes, documented in the README.
const (
	exitOK      = 0
	exitRefused = 1 // an input was refused: bad signature, failing vector, malformed file
	exitUsage   = 2 // the command line was wrong
)

// usageError is a wrong command line; it exits 2.
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// env is what every subcommand gets: its streams.
type env struct {
	stdin          io.Reader
	stdout, stderr io.Writer
}

// root is shicao's command tree, built anew for each run. Each group's
// constructor lives in the file named after it (centre_*.go, station_*.go,
// standard.go …).
func root() *Command {
	return &Command{
		UsageLine: "shicao",
		Short:     "practical-exam scoring for special-operations workers (特种作业实际操作考试)",
		Commands: []*Command{
			demoCmd(),
			standardCmd(),
			scoreCmd(),
			stationCmd(),
			verifyCmd(),
			centreCmd(),
			simCmd(),
			devicesCmd(),
			deviceCmd(),
		},
	}
}

const mainUsage = `shicao — %s

Usage:
  shicao <command> [arguments]

Commands:
%s
Run 'shicao <command> --help' (or 'shicao help <command>') for a command's arguments and examples.
Exit codes: 0 ok, 1 an input was refused (the message says which file, line and field), 2 wrong usage.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	tree := root()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" {
		printMainUsage(tree, e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	switch args[0] {
	case "--version", "version":
		fmt.Fprintf(stdout, "shicao %s\n", version)
		return exitOK
	case "help":
		return exitCode(e, runHelp(tree, e, args[1:]))
	}
	c := tree.Lookup(args[0])
	if c == nil {
		fmt.Fprintf(stderr, "shicao: unknown command %q\n", args[0])
		printMainUsage(tree, stderr)
		return exitUsage
	}
	return exitCode(e, c.Execute(ctx, e, args[1:]))
}

func printMainUsage(tree *Command, w io.Writer) {
	var list strings.Builder
	for _, c := range tree.Commands {
		fmt.Fprintf(&list, "  %-10s %s\n", c.Name(), c.Short)
	}
	fmt.Fprintf(w, mainUsage, tree.Short, list.String())
}

func exitCode(e *env, err error) int {
	if err == nil {
		return exitOK
	}
	if errors.Is(err, errHelp) {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(e.stderr, "shicao: %v\n", err)
		return exitUsage
	}
	var silent silentError
	if !errors.As(err, &silent) {
		fmt.Fprintf(e.stderr, "shicao: %v\n", err)
	}
	return exitRefused
}

// silentError is a refusal whose details were already printed.
type silentError struct{ error }

var errHelp = errors.New("help shown")
