package credential_test

import (
	"errors"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/credential"
)

// TestHashPIN: a PIN hashes to a hash that only it matches; a short or
// non-digit PIN is refused with ErrPINShort; a malformed hash matches
// nothing.
func TestHashPIN(t *testing.T) {
	h, err := credential.HashPIN("246802")
	if err != nil {
		t.Fatal(err)
	}
	if !credential.CheckPIN(h, "246802") || credential.CheckPIN(h, "246803") {
		t.Fatalf("CheckPIN over %q: the right PIN must match and only it", h)
	}
	for _, pin := range []string{"", "12345", "12345a", "１２３４５６"} {
		if _, err := credential.HashPIN(pin); !errors.Is(err, credential.ErrPINShort) {
			t.Errorf("HashPIN(%q): %v, want ErrPINShort", pin, err)
		}
	}
	for _, bad := range []string{"", "argon2id$v=19", "bcrypt$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", "argon2id$v=19$m=99999999,t=2,p=1$c2FsdA$aGFzaA", "argon2id$v=19$m=19456,t=2,p=0$c2FsdA$aGFzaA", "argon2id$v=19$m=19456,t=2,p=1$!!$aGFzaA"} {
		if credential.CheckPIN(bad, "246802") {
			t.Errorf("CheckPIN(%q) matched", bad)
		}
	}
}

// TestCostOf: every hash a shicao binary makes is at the OWASP minimum
// (m=19456 KiB, t=2, p=1); only a test binary makes cheaper ones, and
// still checks a hash at the OWASP cost.
func TestCostOf(t *testing.T) {
	if got := credential.CostOf(false); got != (credential.Cost{Memory: 19456, Time: 2, Threads: 1}) {
		t.Errorf("outside tests: %+v, want the OWASP minimum m=19456,t=2,p=1", got)
	}
	if credential.CostOf(true) == credential.CostOf(false) {
		t.Error("a test binary hashes at the OWASP cost: the suite pays it for every examiner")
	}
	h, err := credential.HashWith(credential.OWASP, "246802")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "argon2id$v=19$m=19456,t=2,p=1$") || !credential.CheckPIN(h, "246802") || credential.CheckPIN(h, "246803") {
		t.Errorf("a hash at the OWASP cost: %q", h)
	}
}

// BenchmarkCheckPIN is one argon2id check of a PIN against its hash at
// the OWASP cost: the cost an attacker with a stolen station.db pays per
// guess (docs/security.md: a 6-digit PIN is 10^6 guesses).
func BenchmarkCheckPIN(b *testing.B) {
	h, err := credential.HashWith(credential.OWASP, "123456")
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if credential.CheckPIN(h, "654321") {
			b.Fatal("a wrong PIN matched")
		}
	}
}
