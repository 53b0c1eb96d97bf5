package main

import (
	"context"
	"os"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// TestMain lets the test binary act as the shicao command inside
// testscript scripts, so the end-to-end tests run the real commands.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"shicao": func() { os.Exit(run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr)) },
	})
}

// TestScript runs the txtar scripts in testdata/script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Setup: func(env *testscript.Env) error {
			// The scripts read the sample library from the repository.
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("LIBRARY", wd+"/../../standards/library")
			return nil
		},
	})
}
