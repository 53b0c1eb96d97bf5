package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// TestBrowseURL: the address a serve command prints is one its
// certificate covers, so that the URL opens in a browser (a newcomer
// opened https://127.0.0.1:8080 under a certificate for localhost and
// got a certificate error).
func TestBrowseURL(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	cert := func(name string, dns []string, ips []net.IP) string {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), DNSNames: dns, IPAddresses: ips}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
		if err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	named := cert("named.pem", []string{"centre.example.gov.cn", "localhost"}, nil)
	withIP := cert("ip.pem", []string{"localhost"}, []net.IP{net.IPv4(127, 0, 0, 1)})
	nameOnly := cert("name.pem", []string{"centre.example.gov.cn"}, nil)
	for _, c := range []struct{ addr, cert, want string }{
		{"127.0.0.1:8080", named, "https://localhost:8080"},
		{"[::]:8443", named, "https://localhost:8443"},
		{"127.0.0.1:8080", withIP, "https://127.0.0.1:8080"},
		{"[::]:8443", nameOnly, "https://centre.example.gov.cn:8443"},
		{"10.1.2.3:8443", nameOnly, "https://10.1.2.3:8443"}, // nothing better to say
		{"127.0.0.1:8080", "", "https://127.0.0.1:8080"},
		{"127.0.0.1:8080", filepath.Join(dir, "missing.pem"), "https://127.0.0.1:8080"},
	} {
		if got := browseURL("https", c.addr, c.cert); got != c.want {
			t.Errorf("browseURL(%s, %s) = %s, want %s", c.addr, filepath.Base(c.cert), got, c.want)
		}
	}
}
