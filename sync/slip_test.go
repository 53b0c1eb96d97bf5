package sync

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/mod/sumdb/note"

	"shicao/standards"
)

func slipKeys(t *testing.T, name string) (note.Signer, string) {
	t.Helper()
	skey, vkey, err := standards.GenerateKey(name)
	if err != nil {
		t.Fatal(err)
	}
	s, err := note.NewSigner(skey)
	if err != nil {
		t.Fatal(err)
	}
	return s, vkey
}

func TestVerifySlip(t *testing.T) {
	signer, vkey := slipKeys(t, "station-A")
	_, otherKey := slipKeys(t, "station-B")
	code, err := SignSlip(signer, "3f2a9c01d4e5b6a7", []byte("bundle"), "92.5", true)
	if err != nil {
		t.Fatal(err)
	}
	c, err := VerifySlip(code, []string{otherKey, vkey})
	if err != nil {
		t.Fatalf("VerifySlip: %v", err)
	}
	if c.ID != "3f2a9c01d4e5b6a7" || c.Total != "92.5" || !c.Passed || c.String() != code {
		t.Errorf("parsed %+v", c)
	}
	f := strings.Split(code, ":")
	alter := func(i int, v string) string { g := append([]string(nil), f...); g[i] = v; return strings.Join(g, ":") }
	tests := []struct {
		name, code, want string
	}{
		{"ErrAlteredTotal", alter(3, "99.5"), "altered or forged"},
		{"ErrAlteredPass", alter(4, "F"), "altered or forged"},
		{"ErrAlteredID", alter(1, "3f2a9c01d4e5b6a8"), "altered or forged"},
		{"ErrAlteredHash", alter(2, strings.Repeat("0", 64)), "altered or forged"},
		{"ErrOtherKey", alter(5, "00000000"), "not by the station key given"},
		{"ErrBadSig", alter(6, "AAAA"), "not 64 bytes"},
		{"ErrNotACode", "hello", "not a shicao slip code"},
		{"ErrBadTotal", alter(3, "9x"), "total"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := VerifySlip(tt.code, []string{vkey})
			if !errors.Is(err, ErrBadSlip) || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("err = %v, want ErrBadSlip saying %q", err, tt.want)
			}
		})
	}
	if _, err := VerifySlip(code, []string{otherKey}); err == nil || !strings.Contains(err.Error(), "not by the station key given") {
		t.Errorf("other station's key: err = %v", err)
	}
}

func FuzzParseSlip(f *testing.F) {
	f.Add("SC1:a:" + strings.Repeat("0", 64) + ":1.5:P:00000000:" + strings.Repeat("A", 86))
	f.Add("SC1::::::")
	f.Fuzz(func(t *testing.T, code string) {
		c, err := ParseSlip(code)
		if err != nil {
			return
		}
		again, err := ParseSlip(c.String())
		if err != nil || again.String() != c.String() {
			t.Fatalf("%q parsed but does not round-trip: %v", code, err)
		}
	})
}
