package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"
)

// newFlags returns a FlagSet that prints usage with examples to stdout on
// --help and reports errors as usage errors.
func newFlags(e *env, name, synopsis, examples string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {
		fmt.Fprintf(e.stdout, "Usage: shicao %s\n\n", synopsis)
		fs.SetOutput(e.stdout)
		fs.PrintDefaults()
		fs.SetOutput(io.Discard)
		if examples != "" {
			fmt.Fprintf(e.stdout, "\nExamples:\n%s", examples)
		}
	}
	return fs
}

// parse parses args, treating --help as a request that succeeds.
func parse(fs *flag.FlagSet, args []string) error {
	// Go's flag package stops at the first non-flag; allow flags after
	// file arguments too ("shicao standard lint a.yaml --json").
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return errHelp // the FlagSet printed its usage already
			}
			return usagef("%s: %v (see 'shicao %s --help')", fs.Name(), err, fs.Name())
		}
		rest := fs.Args()
		if len(rest) == 0 {
			break
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
	return fs.Parse(append([]string{"--"}, pos...))
}

// sub dispatches a command with subcommands.
func sub(e *env, name string, args []string, subs map[string]func([]string) error, usage string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(e.stdout, usage)
		if len(args) == 0 {
			return usagef("%s: which subcommand?", name)
		}
		return errHelp
	}
	f, ok := subs[args[0]]
	if !ok {
		return usagef("%s: unknown subcommand %q (%s)", name, args[0], strings.TrimSpace(firstLine(usage)))
	}
	return f(args[1:])
}

func firstLine(s string) string {
	l, _, _ := strings.Cut(s, "\n")
	return l
}

// listFlag is a flag given several times or comma-separated
// (--trust a.pub,b.pub --trust c.pub).
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}
