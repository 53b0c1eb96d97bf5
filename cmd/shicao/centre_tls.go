package main

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"net"
	"os"
	"path/filepath"
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

// centreTLS makes the centre's own certificate authority (once) and a
// server certificate it issues for the host names and IP addresses the
// stations use: a centre on a private network has no public CA, and a
// newcomer should not need openssl to get one right.
func centreTLS(ctx context.Context, e *env, args []string) error {
	fs := newFlags(e, "centre tls", "centre tls --data DIR --host NAME|IP [--host NAME|IP]... [--days N]",
		"  shicao centre tls --data /var/lib/shicao/centre --host centre.example.gov.cn --host 10.12.0.5\n")
	data := fs.String("data", defaultCentreDir(), "the centre's data directory")
	var hosts listFlag
	fs.Var(&hosts, "host", "a host name or IP address the stations reach the centre by (repeat or comma-separate)")
	days := fs.Int("days", certDays, "how long the server certificate is valid")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(hosts) == 0 {
		return usagef("centre tls: give --host, each name or IP address the stations use to reach the centre")
	}
	if *days < 1 {
		return usagef("centre tls: --days %d: give 1 or more", *days)
	}
	var names []string
	var ips []net.IP
	for _, h := range hosts {
		if ip := net.ParseIP(h); ip != nil {
			ips = append(ips, ip)
			continue
		}
		if !validHostName(h) {
			return usagef("centre tls: --host %q: give a host name (centre.example.gov.cn) or an IP address, without scheme or port", h)
		}
		names = append(names, strings.ToLower(h))
	}
	if _, err := os.Stat(filepath.Join(*data, centre.KeyFile)); err != nil {
		return fmt.Errorf("%s is not a centre's data directory: run shicao centre init --data %s first", *data, *data)
	}
	dir := filepath.Join(*data, tlsDir)
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
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("server key: %w", err)
	}
	cn := hosts[0]
	tmpl := &x509.Certificate{
		SerialNumber: randomSerial(),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"shicao centre"}},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     notAfter,
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     names,
		IPAddresses:  ips,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
	if err != nil {
		return fmt.Errorf("server certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return fmt.Errorf("server key: %w", err)
	}
	// The key first: a certificate on disk without its key would make a
	// centre that cannot start.
	if err := writePEM(filepath.Join(dir, tlsKey), tlsKeyPEM, keyDER, 0o600); err != nil {
		return err
	}
	if err := writePEM(filepath.Join(dir, tlsCert), "CERTIFICATE", der, 0o644); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "issued %s for %s, valid to %s; its key %s (0600)\n", filepath.Join(dir, tlsCert), strings.Join(hosts, ", "), notAfter.Format(time.DateOnly), filepath.Join(dir, tlsKey))
	fmt.Fprintf(e.stdout, "serve with: shicao centre serve --data %s --listen :8443 --cert %s --key %s\n", *data, filepath.Join(dir, tlsCert), filepath.Join(dir, tlsKey))
	return nil
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

// loadOrMakeCA returns the CA kept in dir, or makes one: the stations
// trust the CA, so a new server certificate (a renewal, another host
// name) must come from the same one.
func loadOrMakeCA(dir string, now time.Time) (*x509.Certificate, *ecdsa.PrivateKey, bool, error) {
	certPEM, errC := os.ReadFile(filepath.Join(dir, tlsCA))
	keyPEM, errK := os.ReadFile(filepath.Join(dir, tlsCAKey))
	switch {
	case errC == nil && errK == nil:
		cert, key, err := parseCA(certPEM, keyPEM)
		if err != nil {
			return nil, nil, false, fmt.Errorf("%s: %w (move the tls directory away to make a new CA, then give every station the new ca.pem)", dir, err)
		}
		if !now.Before(cert.NotAfter) {
			return nil, nil, false, fmt.Errorf("%s: the CA expired on %s: move the tls directory away to make a new one, then give every station the new ca.pem", dir, cert.NotAfter.Format(time.DateOnly))
		}
		return cert, key, false, nil
	case errors.Is(errC, os.ErrNotExist) && errors.Is(errK, os.ErrNotExist):
	case errC != nil && !errors.Is(errC, os.ErrNotExist):
		return nil, nil, false, errC
	case errK != nil && !errors.Is(errK, os.ErrNotExist):
		return nil, nil, false, errK
	default:
		return nil, nil, false, fmt.Errorf("%s holds only one of %s and %s: restore the other, or move the directory away to make a new CA", dir, tlsCA, tlsCAKey)
	}
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, false, fmt.Errorf("CA key: %w", err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          randomSerial(),
		Subject:               pkix.Name{CommonName: "shicao centre CA", Organization: []string{"shicao centre"}},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.AddDate(caYears, 0, 0),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
		MaxPathLenZero:        true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, false, fmt.Errorf("CA certificate: %w", err)
	}
	keyDER, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		return nil, nil, false, fmt.Errorf("CA key: %w", err)
	}
	if err := writePEM(filepath.Join(dir, tlsCAKey), tlsKeyPEM, keyDER, 0o600); err != nil {
		return nil, nil, false, err
	}
	if err := writePEM(filepath.Join(dir, tlsCA), "CERTIFICATE", der, 0o644); err != nil {
		return nil, nil, false, err
	}
	// The parsed certificate, so that what it issues names it as a
	// client will see it (issuer, authority key id).
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, false, err
	}
	return cert, key, true, nil
}

func parseCA(certPEM, keyPEM []byte) (*x509.Certificate, *ecdsa.PrivateKey, error) {
	cb, _ := pem.Decode(certPEM)
	if cb == nil || cb.Type != "CERTIFICATE" {
		return nil, nil, fmt.Errorf("%s: no PEM certificate", tlsCA)
	}
	cert, err := x509.ParseCertificate(cb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tlsCA, err)
	}
	if !cert.IsCA {
		return nil, nil, fmt.Errorf("%s: not a CA certificate", tlsCA)
	}
	kb, _ := pem.Decode(keyPEM)
	if kb == nil {
		return nil, nil, fmt.Errorf("%s: no PEM key", tlsCAKey)
	}
	k, err := x509.ParsePKCS8PrivateKey(kb.Bytes)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", tlsCAKey, err)
	}
	key, ok := k.(*ecdsa.PrivateKey)
	if !ok || !key.PublicKey.Equal(cert.PublicKey) {
		return nil, nil, fmt.Errorf("%s is not the key of %s", tlsCAKey, tlsCA)
	}
	return cert, key, nil
}

func randomSerial() *big.Int {
	n, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		// crypto/rand does not fail on a supported system (Go 1.24+
		// crashes the program instead); a fixed serial is still valid.
		return big.NewInt(1)
	}
	return n.Add(n, big.NewInt(1))
}

// writePEM writes one PEM block to path with mode perm, whatever the
// umask and whatever the mode of a file it replaces.
func writePEM(path, kind string, der []byte, perm os.FileMode) error {
	f, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*")
	if err != nil {
		return err
	}
	tmp := f.Name()
	defer os.Remove(tmp)
	if err := f.Chmod(perm); err != nil {
		f.Close()
		return err
	}
	if err := pem.Encode(f, &pem.Block{Type: kind, Bytes: der}); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}
