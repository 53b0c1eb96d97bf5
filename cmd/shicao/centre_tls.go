package main

import (
	"context"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"shicao/cmd/shicao/internal/centre"
)

// The files `shicao centre tls` writes under the centre's data directory.
const (
	tlsDir    = "tls"
	tlsCA     = "ca.pem"     // the CA certificate: every station trusts it (station sync --ca)
	tlsCAKey  = "ca-key.pem" // the CA's key, 0600: it issues the next certificate
	tlsCert   = "cert.pem"   // the centre's server certificate (centre serve --cert)
	tlsKey    = "key.pem"    // its key, 0600 (centre serve --key)
	caYears   = 10
	certDays  = 825 // what browsers accept of a certificate; stations do not care, people renew
	tlsKeyPEM = "PRIVATE KEY"
)

// centreTLSCmd makes the centre's own certificate authority (once) and a
// server certificate it issues for the host names and IP addresses the
// stations use: a centre on a private network has no public CA, and a
// newcomer should not need openssl to get one right.
func centreTLSCmd() *Command {
	c := &Command{
		UsageLine: "centre tls --host NAME|IP [--host NAME|IP]... [--days N]",
		Short:     "the centre's own CA (tls/ca.pem, made once) and a server certificate for those hosts (tls/cert.pem; keys 0600), for serve --cert/--key",
		Long:      "Examples:\n  shicao centre tls --data /var/lib/shicao/centre --host centre.example.gov.cn --host 10.12.0.5\n",
	}
	data := addCentreData(&c.Flag)
	var hosts listFlag
	c.Flag.Var(&hosts, "host", "a host name or IP address the stations reach the centre by (repeat or comma-separate)")
	days := c.Flag.Int("days", certDays, "how long the server certificate is valid")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(hosts) == 0 {
			return usagef("centre tls: give --host, each name or IP address the stations use to reach the centre")
		}
		if *days < 1 {
			return usagef("centre tls: --days %d: give 1 or more", *days)
		}
		names, ips, err := splitHosts(hosts)
		if err != nil {
			return err
		}
		if _, err := os.Stat(filepath.Join(data.dir, centre.KeyFile)); err != nil {
			return fmt.Errorf("%s is not a centre's data directory: run shicao centre init --data %s first", data.dir, data.dir)
		}
		dir := filepath.Join(data.dir, tlsDir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		now := time.Now()
		ca, caKey, made, err := loadOrMakeCA(dir, now)
		if err != nil {
			return err
		}
		if made {
			fmt.Fprintf(e.stdout, "made a certificate authority: %s (every station trusts it: shicao station sync --ca %s), its key %s (0600)\n",
				filepath.Join(dir, tlsCA), filepath.Join(dir, tlsCA), filepath.Join(dir, tlsCAKey))
		} else {
			fmt.Fprintf(e.stdout, "kept the certificate authority %s: the stations trust it already\n", filepath.Join(dir, tlsCA))
		}
		notAfter := now.AddDate(0, 0, *days)
		if notAfter.After(ca.NotAfter) {
			notAfter = ca.NotAfter
		}
		tmpl := &x509.Certificate{
			SerialNumber: randomSerial(),
			Subject:      pkix.Name{CommonName: hosts[0], Organization: []string{"shicao centre"}},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     notAfter,
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
			DNSNames:     names,
			IPAddresses:  ips,
		}
		if err := issueServerCert(dir, tmpl, ca, caKey); err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "issued %s for %s, valid to %s; its key %s (0600)\n", filepath.Join(dir, tlsCert), strings.Join(hosts, ", "), notAfter.Format(time.DateOnly), filepath.Join(dir, tlsKey))
		fmt.Fprintf(e.stdout, "serve with: shicao centre serve --data %s --listen :8443 --cert %s --key %s\n", data.dir, filepath.Join(dir, tlsCert), filepath.Join(dir, tlsKey))
		return nil
	}
	return c
}

// splitHosts sorts the --host values into DNS names and IP addresses,
// refusing what a certificate can not name (a URL, a host with a port).
func splitHosts(hosts []string) (names []string, ips []net.IP, err error) {
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if !validHostName(h) {
			return nil, nil, usagef("centre tls: --host %q: give a host name (centre.example.gov.cn) or an IP address, without scheme or port", h)
		}
		names = append(names, strings.ToLower(h))
	}
	return names, ips, nil
}

// validHostName reports whether h is a DNS name a certificate can hold
// (letters, digits, hyphens, dots; a leading "*." for a wildcard).
func validHostName(h string) bool {
	h = strings.TrimPrefix(h, "*.")
	if h == "" || len(h) > 253 {
		return false
	}
	for _, label := range strings.Split(h, ".") {
		if label == "" || len(label) > 63 || strings.HasPrefix(label, "-") || strings.HasSuffix(label, "-") {
			return false
		}
		for _, r := range label {
			if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-') {
				return false
			}
		}
	}
	return true
}

// browseURL is the URL to open for a server of scheme listening at addr
// (host:port), as the serve commands print it. With a certificate it
// names a host the certificate covers, since a browser refuses any
// other: the listening address if the certificate names it, else
// localhost for a loopback or all-addresses listener when the
// certificate names localhost, else the certificate's first name for an
// all-addresses listener. Without a certificate (or one it cannot read),
// the address as it is.
func browseURL(scheme, addr, certFile string) string {
	url := scheme + "://" + addr
	host, port, err := net.SplitHostPort(addr)
	ip := net.ParseIP(host)
	if certFile == "" || err != nil || ip == nil {
		return url
	}
	b, err := os.ReadFile(certFile)
	if err != nil {
		return url
	}
	block, _ := pem.Decode(b)
	if block == nil {
		return url
	}
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		return url
	}
	for _, named := range cert.IPAddresses {
		if named.Equal(ip) {
			return url
		}
	}
	switch {
	case (ip.IsLoopback() || ip.IsUnspecified()) && slices.Contains(cert.DNSNames, "localhost"):
		return scheme + "://" + net.JoinHostPort("localhost", port)
	case ip.IsUnspecified() && len(cert.DNSNames) > 0:
		return scheme + "://" + net.JoinHostPort(cert.DNSNames[0], port)
	}
	return url
}
