package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
)

// serveFlags are `shicao centre serve`'s flags.
type serveFlags struct {
	listen, cert, key, addrFile, console, consoleAddrFile string
}

func centreServeCmd() *Command {
	c := &Command{
		UsageLine: "centre serve --listen ADDR [--cert F --key F] [--addr-file F] [--console ADDR [--console-addr-file F]]",
		Short:     "the HTTP API (docs/api.md), over TLS when given a certificate and key; --console: the staff console on its own listener (docs/console.md)",
		Long: "The console shares the API's certificate when given one.\n\nExamples:\n" +
			"  shicao centre serve --data /var/lib/shicao-centre --listen :8443 --cert centre.crt --key centre.key.pem\n" +
			"  shicao centre serve --data /tmp/c --listen 127.0.0.1:0 --addr-file /tmp/c/addr\n",
	}
	data := addCentreData(&c.Flag)
	var f serveFlags
	c.Flag.StringVar(&f.listen, "listen", "127.0.0.1:8080", "the address to listen on (port 0: any free port)")
	c.Flag.StringVar(&f.cert, "cert", "", "TLS certificate file (PEM)")
	c.Flag.StringVar(&f.key, "key", "", "TLS private key file (PEM)")
	c.Flag.StringVar(&f.addrFile, "addr-file", "", "write the bound URL to this file once listening (scripts and tests)")
	c.Flag.StringVar(&f.console, "console", "", "also serve the staff console on this address (e.g. 127.0.0.1:8080; docs/console.md)")
	c.Flag.StringVar(&f.consoleAddrFile, "console-addr-file", "", "write the console's bound URL to this file once listening")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if (f.cert == "") != (f.key == "") {
			return usagef("centre serve: give both --cert and --key, or neither")
		}
		// A damaged database, found at open or by the check at start,
		// is refused with the restore procedure.
		return refuseDamaged(data.with(ctx, func(ce *centre.Centre) error {
			if err := ce.CheckStart(ctx); err != nil {
				return err
			}
			return f.serve(ctx, e, ce)
		}), data.dir)
	}
	return c
}

// serve serves the API over ce (and the console, if asked) until ctx
// ends or a server fails.
func (f *serveFlags) serve(ctx context.Context, e *env, ce *centre.Centre) error {
	ln, err := net.Listen("tcp", f.listen)
	if err != nil {
		return fmt.Errorf("centre serve: %w", err)
	}
	scheme := "http"
	if f.cert != "" {
		scheme = "https"
	}
	url := scheme + "://" + ln.Addr().String()
	logger := slog.New(slog.NewTextHandler(e.stderr, nil))
	public, err := publicHandler(ce, logger) // the API and the candidate page
	if err != nil {
		return fmt.Errorf("centre serve: %w", err)
	}
	srv := &http.Server{Handler: public, ReadHeaderTimeout: 10 * time.Second, ReadTimeout: 5 * time.Minute, WriteTimeout: 5 * time.Minute}
	if err := writeAddrFile(f.addrFile, url); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "centre listening on %s\n", browseURL(scheme, ln.Addr().String(), f.cert))
	var consoleErr <-chan error
	if f.console != "" {
		// The console shares the API's certificate: its cookies then
		// never cross the network in clear.
		curl, errc, stop, err := startConsole(ce, f.console, f.cert, f.key, logger)
		if err != nil {
			return fmt.Errorf("centre serve: %w", err)
		}
		defer stop() // before the centre is closed
		consoleErr = errc
		if err := writeAddrFile(f.consoleAddrFile, curl); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "console listening on %s\n", browseURL(scheme, strings.TrimPrefix(strings.TrimPrefix(curl, "https://"), "http://"), f.cert))
	}
	errc := make(chan error, 1)
	go func() {
		if f.cert != "" {
			errc <- srv.ServeTLS(ln, f.cert, f.key)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("centre serve: %w", err)
	case err := <-consoleErr:
		return fmt.Errorf("centre serve: console: %w", err)
	case <-ctx.Done():
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		return srv.Shutdown(shut)
	}
}

// writeAddrFile writes a bound URL to file ("" for none), whole then
// renamed, so that a reader never sees half a URL.
func writeAddrFile(file, url string) error {
	if file == "" {
		return nil
	}
	tmp := file + ".tmp"
	if err := os.WriteFile(tmp, []byte(url+"\n"), 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, file)
}
