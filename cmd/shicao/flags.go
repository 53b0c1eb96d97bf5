package main

import (
	"errors"
	"flag"
	"strings"
)

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
