// Package standardstest helps tests of code that verifies and installs
// signed standards: a Province of freshly generated keys signs texts the way
// the province publishes them and builds the Trust a station would pin. No
// key is ever read from disk or shared between tests.
package standardstest

import (
	"testing"

	"shicao/standards"
)

// Province is a set of signing keys with their verifier keys, index for
// index: Signers[i] signs what Verifiers[i] verifies.
type Province struct {
	Names     []string
	Signers   []string // "PRIVATE+KEY+name+hash+key"
	Verifiers []string // "name+hash+key"
}

// NewProvince generates one key pair per name. It fails the test if a key
// cannot be generated.
func NewProvince(tb testing.TB, names ...string) *Province {
	tb.Helper()
	p := &Province{Names: names}
	for _, n := range names {
		s, v, err := standards.GenerateKey(n)
		if err != nil {
			tb.Fatalf("generate key %q: %v", n, err)
		}
		p.Signers = append(p.Signers, s)
		p.Verifiers = append(p.Verifiers, v)
	}
	return p
}

// Sign returns text signed by the keys at the given indexes, in that order,
// or by every key when none is given. It fails the test if Sign refuses.
func (p *Province) Sign(tb testing.TB, text []byte, keys ...int) []byte {
	tb.Helper()
	if len(keys) == 0 {
		for i := range p.Signers {
			keys = append(keys, i)
		}
	}
	signers := make([]string, len(keys))
	for i, k := range keys {
		signers[i] = p.Signers[k]
	}
	msg, err := standards.Sign(text, signers...)
	if err != nil {
		tb.Fatalf("sign: %v", err)
	}
	return msg
}

// Trust returns a station's Trust pinning every verifier key of p with the
// given threshold. It fails the test if NewTrust refuses.
func (p *Province) Trust(tb testing.TB, threshold int) *standards.Trust {
	tb.Helper()
	t, err := standards.NewTrust(threshold, p.Verifiers...)
	if err != nil {
		tb.Fatalf("trust: %v", err)
	}
	return t
}
