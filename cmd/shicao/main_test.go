package main

import (
	"context"
	"os"
	"os/signal"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"shicao/cmd/shicao/internal/centre/centretest"
)

// TestMain lets the test binary act as the shicao command inside
// testscript scripts, so the end-to-end tests run the real commands.
func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"shicao": func() {
			ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
			code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
			stop()
			os.Exit(code)
		},
	})
}

// TestScript runs the txtar scripts in testdata/script.
func TestScript(t *testing.T) {
	testscript.Run(t, testscript.Params{
		Dir: "testdata/script",
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"tlscert":  cmdTLSCert,
			"waitaddr": cmdWaitAddr,
		},
		Setup: func(env *testscript.Env) error {
			// The scripts read the sample library from the repository.
			wd, err := os.Getwd()
			if err != nil {
				return err
			}
			env.Setenv("LIBRARY", wd+"/../../standards/library")
			// Stations and centres run where it is about 13:00, so that
			// virtual-clock exams (starting four hours back) are signed
			// on their exam date and not in the centre's future at any
			// hour the tests run.
			zone, _ := centretest.Zone()
			env.Setenv("TZ", zone)
			return nil
		},
	})
}
