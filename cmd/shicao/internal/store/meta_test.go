package store_test

import (
	"bytes"
	"context"
	"testing"

	"shicao/cmd/shicao/internal/store"
)

// TestStore_CentreLink: what the station remembers of its centre reads
// back as written, a station that never synced reads the zero value, and
// a database written by an earlier version (its meta keys) reads the same.
func TestStore_CentreLink(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		s, path := open(t)
		got, err := s.CentreLink(ctx)
		if err != nil || got.URL != "" || got.CA != "" || got.Checkpoint != nil || got.Cursor != 0 {
			t.Fatalf("a station that never synced: %+v, %v; want the zero CentreLink", got, err)
		}
		want := store.CentreLink{URL: "https://centre.example:8443", CA: "/etc/shicao/ca.pem", Checkpoint: []byte("centre\n3\nroot=\n\n— centre sig\n"), Cursor: 42}
		if err := s.SetCentreLink(ctx, want); err != nil {
			t.Fatal(err)
		}
		s.Close()
		s2, err := store.Open(ctx, path, store.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer s2.Close()
		got, err = s2.CentreLink(ctx)
		if err != nil || got.URL != want.URL || got.CA != want.CA || !bytes.Equal(got.Checkpoint, want.Checkpoint) || got.Cursor != want.Cursor {
			t.Fatalf("read back %+v, %v; want %+v", got, err, want)
		}
		// A checkpoint given up (centre restored) reads back as none.
		want.Checkpoint = nil
		if err := s2.SetCentreLink(ctx, want); err != nil {
			t.Fatal(err)
		}
		if got, _ = s2.CentreLink(ctx); got.Checkpoint != nil {
			t.Fatalf("checkpoint %q, want none", got.Checkpoint)
		}
	})
	t.Run("EarlierDatabase", func(t *testing.T) {
		s, _ := open(t)
		for k, v := range map[string]string{"centre_url": "http://127.0.0.1:8443", "centre_ca": "", "centre_checkpoint": "cp", "standards_cursor": "7"} {
			if err := s.SetMeta(ctx, k, v); err != nil {
				t.Fatal(err)
			}
		}
		got, err := s.CentreLink(ctx)
		if err != nil || got.URL != "http://127.0.0.1:8443" || string(got.Checkpoint) != "cp" || got.Cursor != 7 {
			t.Fatalf("got %+v, %v", got, err)
		}
	})
	t.Run("BadCursor", func(t *testing.T) {
		s, _ := open(t)
		if err := s.SetMeta(ctx, "standards_cursor", "seven"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CentreLink(ctx); err == nil {
			t.Fatal("a cursor that is not a number read without an error")
		}
	})
}

// TestStore_MetaAccessors: the registry version, the trust threshold and
// the centre key read back as written, with their defaults when unset.
func TestStore_MetaAccessors(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	if v, err := s.RegistryVersion(ctx); err != nil || v != 0 {
		t.Fatalf("registry version %d, %v; want 0 before any", v, err)
	}
	if n, err := s.TrustThreshold(ctx); err != nil || n != 0 {
		t.Fatalf("trust threshold %d, %v; want 0 (unset)", n, err)
	}
	if _, err := s.CentreKey(ctx); err == nil {
		t.Fatal("a centre key before any was pinned")
	}
	if err := s.SetRegistryVersion(ctx, 3); err != nil {
		t.Fatal(err)
	}
	if err := s.SetTrustThreshold(ctx, 2); err != nil {
		t.Fatal(err)
	}
	if err := s.SetCentreKey(ctx, "centre+1234abcd+AAAA"); err != nil {
		t.Fatal(err)
	}
	v, err1 := s.RegistryVersion(ctx)
	n, err2 := s.TrustThreshold(ctx)
	k, err3 := s.CentreKey(ctx)
	if v != 3 || n != 2 || k != "centre+1234abcd+AAAA" || err1 != nil || err2 != nil || err3 != nil {
		t.Fatalf("read back %d %d %q (%v %v %v)", v, n, k, err1, err2, err3)
	}
}

// TestStore_Identity: the station's name, site and verifier key read back
// as written; a database without a name is refused.
func TestStore_Identity(t *testing.T) {
	ctx := context.Background()
	s, _ := open(t)
	if _, err := s.Identity(ctx); err == nil {
		t.Fatal("an identity from a database station init never wrote")
	}
	want := store.Identity{Name: "STN-01", Site: "TA-KD-01", Verifier: "station-STN-01+1234abcd+AAAA"}
	if err := s.SetIdentity(ctx, want); err != nil {
		t.Fatal(err)
	}
	if got, err := s.Identity(ctx); err != nil || got != want {
		t.Fatalf("read back %+v, %v; want %+v", got, err, want)
	}
}
