package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"strings"
)

// A Command is one node of shicao's command tree, in the shape of cmd/go's
// base.Command: a leaf has Run and its flags; a group has Commands (and may
// have Run too, for a default action such as `shicao station` opening the
// TUI). Help for every level is generated from the tree, so a command can
// not exist without being listed and described.
//
// The tree is built anew for every run (see root), so flag values never
// leak from one in-process run to the next (the tests run many).
type Command struct {
	// UsageLine is the command's path from the root and its arguments:
	// "centre site add --id ID --name NAME". The words before the first
	// argument are the path; the last of them is the command's name.
	UsageLine string
	// Short is one line for the parent's list.
	Short string
	// Long is shown in the command's own help, after the usage line
	// (examples, notes); may be empty.
	Long string
	// Flag is the command's flags; Run gets the arguments left after them.
	Flag flag.FlagSet
	// CustomFlags: Run parses its own arguments (it gets them all).
	CustomFlags bool
	// Run runs the command. For a group it is the action when no
	// subcommand is named (or the first argument is a flag).
	Run func(ctx context.Context, e *env, args []string) error
	// Commands are the subcommands, in the order help lists them.
	Commands []*Command
}

// LongName is the command's path: "centre site add".
func (c *Command) LongName() string {
	var words []string
	for _, w := range strings.Fields(c.UsageLine) {
		if !isNameWord(w) {
			break
		}
		words = append(words, w)
	}
	return strings.Join(words, " ")
}

// isNameWord tells a word of a command's path from its first argument:
// arguments are flags, placeholders (FILE, KEY.pub), alternatives and
// optional parts.
func isNameWord(w string) bool {
	if w == "" || strings.ContainsAny(w, "-[]|<>.=()") {
		return false
	}
	return strings.ToLower(w) == w
}

// Name is the last word of the command's path: "add".
func (c *Command) Name() string {
	n := c.LongName()
	if i := strings.LastIndex(n, " "); i >= 0 {
		n = n[i+1:]
	}
	return n
}

// Lookup returns the direct subcommand called name, or nil.
func (c *Command) Lookup(name string) *Command {
	for _, s := range c.Commands {
		if s.Name() == name {
			return s
		}
	}
	return nil
}

// Execute runs the command named by args below c.
func (c *Command) Execute(ctx context.Context, e *env, args []string) error {
	if len(c.Commands) == 0 {
		return c.runLeaf(ctx, e, args)
	}
	if len(args) > 0 && isHelp(args[0]) {
		if args[0] == "help" && len(args) > 1 {
			// "shicao station help sync", as "shicao help station sync".
			if err := runHelp(c, e, args[1:]); err != nil {
				return err
			}
		} else {
			c.printGroupUsage(e.stdout)
		}
		return errHelp
	}
	if c.Run != nil && (len(args) == 0 || strings.HasPrefix(args[0], "-")) {
		return c.runLeaf(ctx, e, args)
	}
	if len(args) == 0 {
		c.printGroupUsage(e.stdout)
		return usagef("%s: which subcommand? (%s)", c.LongName(), c.subNames())
	}
	s := c.Lookup(args[0])
	if s == nil {
		return usagef("%s: unknown subcommand %q (%s; see 'shicao %s --help')", c.LongName(), args[0], c.subNames(), c.LongName())
	}
	return s.Execute(ctx, e, args[1:])
}

func isHelp(a string) bool { return a == "-h" || a == "--help" || a == "help" }

func (c *Command) subNames() string {
	names := make([]string, len(c.Commands))
	for i, s := range c.Commands {
		names[i] = s.Name()
	}
	return strings.Join(names, "|")
}

// runLeaf parses c's flags (unless it parses its own) and runs it.
func (c *Command) runLeaf(ctx context.Context, e *env, args []string) error {
	if c.Run == nil {
		return usagef("%s: not runnable", c.LongName())
	}
	if len(args) == 1 && args[0] == "help" {
		// "shicao demo help" asks for help, as "shicao help demo" does,
		// rather than starting the demo or reading "help" as an argument.
		if err := c.printHelp(e); err != nil {
			return err
		}
		return errHelp
	}
	if c.CustomFlags {
		return c.Run(ctx, e, args)
	}
	c.Flag.Init(c.LongName(), flag.ContinueOnError)
	c.Flag.SetOutput(io.Discard)
	c.Flag.Usage = func() { c.printLeafUsage(e.stdout) }
	if err := parse(&c.Flag, args); err != nil {
		return err
	}
	return c.Run(ctx, e, c.Flag.Args())
}

// printLeafUsage is a command's own help: usage line, what it does, its
// flags, then Long (examples).
func (c *Command) printLeafUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: shicao %s\n\n", c.UsageLine)
	lead := ""
	if c.Short != "" {
		fmt.Fprintf(w, "%s\n", c.Short)
		lead = "\n"
	}
	c.printFlags(w, lead)
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s", strings.TrimLeft(c.Long, "\n"))
		if !strings.HasSuffix(c.Long, "\n") {
			fmt.Fprintln(w)
		}
	}
}

// printFlags prints c's flags, after lead, if it has any.
func (c *Command) printFlags(w io.Writer, lead string) {
	var hasFlags bool
	c.Flag.VisitAll(func(*flag.Flag) { hasFlags = true })
	if !hasFlags {
		return
	}
	fmt.Fprintf(w, "%sFlags:\n", lead)
	c.Flag.SetOutput(w)
	c.Flag.PrintDefaults()
	c.Flag.SetOutput(io.Discard)
}

// printGroupUsage lists every runnable command below c, each with its
// arguments and what it does: an operator finds the verb without opening
// each level's help.
func (c *Command) printGroupUsage(w io.Writer) {
	fmt.Fprintf(w, "Usage: shicao %s <command> [arguments]\n", c.LongName())
	if c.Run != nil {
		fmt.Fprintf(w, "       shicao %s\n", c.UsageLine)
	}
	if c.Short != "" {
		fmt.Fprintf(w, "\n%s\n", c.Short)
	}
	if c.Run != nil && !c.CustomFlags {
		// A group that runs, too (`shicao score --standard ...`): its own
		// flags, so its help is not poorer than a leaf's.
		c.printFlags(w, "\n")
	}
	fmt.Fprintf(w, "\nCommands:\n")
	prefix := c.LongName() + " "
	c.walkLeaves(func(l *Command) {
		if l == c {
			return
		}
		fmt.Fprintf(w, "  %s\n", strings.TrimPrefix(l.UsageLine, prefix))
		if l.Short != "" {
			fmt.Fprintf(w, "      %s\n", l.Short)
		}
	})
	if c.Long != "" {
		fmt.Fprintf(w, "\n%s", strings.TrimLeft(c.Long, "\n"))
		if !strings.HasSuffix(c.Long, "\n") {
			fmt.Fprintln(w)
		}
	}
	fmt.Fprintf(w, "\nRun 'shicao %s <command> --help' for a command's flags and examples.\n", c.LongName())
}

// walkLeaves calls f for every runnable command at or below c, in order.
func (c *Command) walkLeaves(f func(*Command)) {
	if c.Run != nil {
		f(c)
	}
	for _, s := range c.Commands {
		s.walkLeaves(f)
	}
}

// find returns the command at path below the root ("centre", "site", "add").
func (c *Command) find(path []string) (*Command, error) {
	for i, p := range path {
		s := c.Lookup(p)
		if s == nil {
			return nil, usagef("help: unknown command %q (see 'shicao --help')", strings.Join(path[:i+1], " "))
		}
		c = s
	}
	return c, nil
}

// runHelp is `shicao help [command...]`.
func runHelp(root *Command, e *env, path []string) error {
	c, err := root.find(path)
	if err != nil {
		return err
	}
	if len(path) == 0 {
		printMainUsage(root, e.stdout)
		return nil
	}
	return c.printHelp(e)
}

// printHelp prints c's own help: a group's list or a command's usage.
func (c *Command) printHelp(e *env) error {
	if len(c.Commands) > 0 {
		c.printGroupUsage(e.stdout)
		return nil
	}
	c.Flag.Init(c.LongName(), flag.ContinueOnError)
	if c.CustomFlags {
		// Its flags are its own; ask it for its help.
		return c.Run(context.Background(), e, []string{"--help"})
	}
	c.printLeafUsage(e.stdout)
	return nil
}
