package keyfile_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"shicao/cmd/shicao/internal/keyfile"
)

func TestWritePair(t *testing.T) {
	dir := t.TempDir()
	key, pub := filepath.Join(dir, "a.key"), filepath.Join(dir, "a.pub")
	if err := keyfile.WritePair(key, pub, "SIGNER", "VERIFIER"); err != nil {
		t.Fatal(err)
	}
	for path, want := range map[string]struct {
		text string
		perm os.FileMode
	}{key: {"SIGNER\n", 0o600}, pub: {"VERIFIER\n", 0o644}} {
		b, err := os.ReadFile(path)
		fi, _ := os.Stat(path)
		if err != nil || string(b) != want.text || fi.Mode().Perm() != want.perm {
			t.Errorf("%s: %q %v %v, want %q %v", path, b, fi.Mode().Perm(), err, want.text, want.perm)
		}
	}
	// Neither is overwritten, and nothing is written when one exists.
	other := filepath.Join(dir, "b.key")
	for _, tt := range []struct{ key, pub string }{{key, filepath.Join(dir, "new.pub")}, {other, pub}} {
		err := keyfile.WritePair(tt.key, tt.pub, "OTHER", "OTHER")
		if err == nil || !strings.Contains(err.Error(), "exists: refusing to overwrite a key") {
			t.Fatalf("WritePair(%s, %s): %v", tt.key, tt.pub, err)
		}
	}
	if _, err := os.Stat(other); err == nil {
		t.Fatal("a key was written although its pub file existed")
	}
	if b, _ := os.ReadFile(key); string(b) != "SIGNER\n" {
		t.Fatalf("the key was overwritten: %q", b)
	}
}
