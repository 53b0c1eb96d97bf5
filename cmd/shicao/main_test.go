package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"shicao/cmd/shicao/internal/centre/centretest"
	"shicao/cmd/shicao/internal/paralleltest"
	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
)

// TestMain lets the test binary act as the shicao command inside
// testscript scripts, so the end-to-end tests run the real commands.
func TestMain(m *testing.M) {
	// The scripts spend most of their time waiting on demos at --speed 4
	// and on child processes: six at once took TestScript from 195 s to
	// about 100 s on two cores.
	testscript.Main(pgdbtest.Stopping(paralleltest.With(m, 6)), map[string]func(){
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
			"httpget":  cmdHTTPGet,
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

// cmdHTTPGet is `httpget URL`: the body of a GET on stdout, and a
// failure unless the answer is 200.
func cmdHTTPGet(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) != 1 {
		ts.Fatalf("usage: httpget URL")
	}
	resp, err := http.Get(args[0])
	if err != nil {
		ts.Fatalf("GET %s: %v", args[0], err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		ts.Fatalf("GET %s: %v", args[0], err)
	}
	fmt.Fprint(ts.Stdout(), string(body))
	if ok := resp.StatusCode == http.StatusOK; ok == neg {
		ts.Fatalf("GET %s: %s", args[0], resp.Status)
	}
}
