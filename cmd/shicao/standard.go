package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"shicao/cmd/shicao/internal/keyfile"
	"shicao/standards"
)

// standardCmd is `shicao standard`: the province's tools for scoring
// standards and blueprints (docs/standard-format.md).
func standardCmd() *Command {
	return &Command{
		UsageLine: "standard",
		Short:     "keygen, sign, verify, lint, test and show scoring standards",
		Commands: []*Command{
			standardKeygenCmd(),
			standardSignCmd(),
			standardVerifyCmd(),
			standardLintCmd(),
			standardTestCmd(),
			standardShowCmd(),
		},
	}
}

func standardKeygenCmd() *Command {
	c := &Command{
		UsageLine: "standard keygen [--dir DIR] NAME|PATH/NAME",
		Short:     "write NAME.key (signer, mode 0600) and NAME.pub (verifier)",
		Long:      "Examples:\n  shicao standard keygen shandong-2026\n  shicao standard keygen /etc/shicao/keys/shandong-2026\n",
	}
	dir := c.Flag.String("dir", ".", "directory to write the key files in (a relative NAME is under it)")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) != 1 {
			return usagef("standard keygen: give one key NAME")
		}
		return standardKeygen(e, *dir, args[0])
	}
	return c
}

// standardKeygen writes the key pair named by arg. arg may carry a
// directory: the files go there and the key is named by the last element
// (a key name holds no '/'). An absolute path is taken as it is, not put
// under dir.
func standardKeygen(e *env, dir, arg string) error {
	path := arg
	if !filepath.IsAbs(path) {
		path = filepath.Join(dir, path)
	}
	name := filepath.Base(path)
	if name == "." || name == ".." || strings.HasSuffix(arg, "/") {
		return usagef("standard keygen: %q names a directory; give the key's NAME after it", arg)
	}
	skey, vkey, err := standards.GenerateKey(name)
	if err != nil {
		return err
	}
	keyPath := path + ".key"
	pubPath := path + ".pub"
	if err := keyfile.WritePair(keyPath, pubPath, skey, vkey); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (keep it secret) and %s\nverifier key: %s\n", keyPath, pubPath, vkey)
	return nil
}

// loadText reads a standard or blueprint file, signed or plain, without
// verifying signatures (lint, test, show and score read; only install trusts).
func loadText(file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return standards.SplitNote(data), nil
}
