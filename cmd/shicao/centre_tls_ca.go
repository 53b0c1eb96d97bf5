package main

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"path/filepath"
	"time"
)

// The certificate authority of `shicao centre tls`: made once, kept in
// the centre's tls directory, issuing the server certificates.

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

// issueServerCert makes a server key and the certificate ca issues from
// tmpl for it, and writes both to dir.
func issueServerCert(dir string, tmpl, ca *x509.Certificate, caKey *ecdsa.PrivateKey) error {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return fmt.Errorf("server key: %w", err)
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
	return writePEM(filepath.Join(dir, tlsCert), "CERTIFICATE", der, 0o644)
}
