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

type command struct {
	name    string
	summary string
	run     func(ctx context.Context, e *env, args []string) error
}

func commands() []command {
	return []command{
		{"demo", "the whole system on embedded defaults (the main job of `make run`)", runDemo},
		{"standard", "keygen, sign, verify, lint, test and show scoring standards", runStandard},
		{"score", "re-score an event log by a standard; `score paper` combines sheets", runScore},
		{"station", "the exam station: init, trust, standards, plans, scripted exams, results", runStation},
		{"verify", "check a result: signatures, hash chains, re-score, paper total", runVerify},
		{"centre", "the exam centre: init, serve, registry, plans, standards, exports, log", runCentre},
		{"sim", "an equipment simulator on a pseudo-terminal (prints its path)", runSim},
		{"devices", "the serial ports present, with USB identity and stable names", runDevices},
		{"device", "read a device with a profile: the technician's check", runDevice},
	}
}

const mainUsage = `shicao — practical-exam scoring for special-operations workers (特种作业实际操作考试)

Usage:
  shicao <command> [arguments]

Commands:
%s
Run 'shicao <command> --help' for a command's arguments and examples.
Exit codes: 0 ok, 1 an input was refused (the message says which file, line and field), 2 wrong usage.
`

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr}
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		printMainUsage(e.stdout)
		if len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if args[0] == "--version" || args[0] == "version" {
		fmt.Fprintf(stdout, "shicao %s\n", version)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			return exitCode(e, c.run(ctx, e, args[1:]))
		}
	}
	fmt.Fprintf(stderr, "shicao: unknown command %q\n", args[0])
	printMainUsage(stderr)
	return exitUsage
}

func printMainUsage(w io.Writer) {
	var list string
	for _, c := range commands() {
		list += fmt.Sprintf("  %-10s %s\n", c.name, c.summary)
	}
	fmt.Fprintf(w, mainUsage, list)
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
