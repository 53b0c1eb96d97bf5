package standards_test

import (
	"bytes"
	"encoding/base64"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"shicao/standards"
	"shicao/standards/standardstest"
)

func readValid(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile("testdata/valid/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestSign_Open: what a station opens is exactly what the province signed,
// with the names of the keys that signed it.
func TestSign_Open(t *testing.T) {
	p := standardstest.NewProvince(t, "sd-anquan-1", "sd-anquan-2", "sd-anquan-3")
	text := readValid(t, "minimal.yaml")

	t.Run("OK", func(t *testing.T) {
		msg := p.Sign(t, text, 0, 2)
		o, err := p.Trust(t, 2).Open(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(o.Text, text) {
			t.Errorf("opened text differs from the signed text:\n%s", o.Text)
		}
		if want := []string{"sd-anquan-1", "sd-anquan-3"}; !slices.Equal(o.Signers, want) {
			t.Errorf("signers %v, want %v", o.Signers, want)
		}
		if !standards.IsSigned(msg) || standards.IsSigned(text) {
			t.Error("IsSigned does not tell the signed note from its text")
		}
		if !bytes.Equal(standards.SplitNote(msg), text) {
			t.Error("SplitNote does not return the signed text")
		}
	})
	t.Run("FinalNewlineAdded", func(t *testing.T) {
		// The note format needs a final newline; Sign adds it, and only it.
		msg := p.Sign(t, bytes.TrimSuffix(text, []byte("\n")), 0)
		o, err := p.Trust(t, 1).Open(msg)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(o.Text, text) {
			t.Errorf("opened text differs from the signed text plus a newline:\n%q", o.Text)
		}
	})
	t.Run("Tab", func(t *testing.T) {
		withTab := bytes.Replace(text, []byte("title: 测试项目"), []byte("title:\t测试项目"), 1)
		_, err := standards.Sign(withTab, p.Signers[0])
		if err == nil {
			t.Fatal("signed a text with a tab")
		}
		if !strings.Contains(err.Error(), "line 6") {
			t.Errorf("error %q does not name line 6, where the tab is", err)
		}
	})
	t.Run("CarriageReturn", func(t *testing.T) {
		crlf := bytes.ReplaceAll(text, []byte("\n"), []byte("\r\n"))
		if _, err := standards.Sign(crlf, p.Signers[0]); err == nil {
			t.Fatal("signed a text with CRLF line endings")
		}
	})
	t.Run("SameKeyTwice", func(t *testing.T) {
		// Open refuses a note with one key's signature twice
		// (ErrDuplicateSignature), so Sign must not write one: it should
		// refuse the repeated key or sign once.
		msg, err := standards.Sign(text, p.Signers[0], p.Signers[0])
		if err != nil {
			return
		}
		if _, err := p.Trust(t, 1).Open(msg); err != nil {
			t.Errorf("BUG: Sign wrote a note that Open refuses: %v", err)
		}
	})
	t.Run("NoKey", func(t *testing.T) {
		if _, err := standards.Sign(text); err == nil {
			t.Fatal("signed with no key")
		}
	})
	t.Run("VerifierKeyAsSigner", func(t *testing.T) {
		if _, err := standards.Sign(text, p.Verifiers[0]); err == nil {
			t.Fatal("signed with a verifier key")
		}
	})
}

// flipText changes one byte of a signed note's text (not its signatures).
func flipText(msg []byte) []byte {
	out := bytes.Clone(msg)
	i := bytes.Index(out, []byte("version: 1"))
	out[i+len("version: ")] = '9'
	return out
}

// flipSignature changes the last byte of the first signature, keeping the
// key hash in front of it, so the line still names a trusted key.
func flipSignature(t *testing.T, msg []byte) []byte {
	t.Helper()
	split := bytes.LastIndex(msg, []byte("\n\n")) + 2
	lines := strings.SplitAfter(string(msg[split:]), "\n")
	name, b64, _ := strings.Cut(strings.TrimSuffix(strings.TrimPrefix(lines[0], "— "), "\n"), " ")
	raw, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	raw[len(raw)-1] ^= 1
	lines[0] = "— " + name + " " + base64.StdEncoding.EncodeToString(raw) + "\n"
	return append(bytes.Clone(msg[:split]), strings.Join(lines, "")...)
}

// duplicateFirstSignature repeats the first signature line at the end.
func duplicateFirstSignature(msg []byte) []byte {
	split := bytes.LastIndex(msg, []byte("\n\n")) + 2
	first, _, _ := bytes.Cut(msg[split:], []byte("\n"))
	return append(bytes.Clone(msg), append(first, '\n')...)
}

// TestTrust_Open: every way a signed standard can fail verification is
// refused with its own error, so the station can say why.
func TestTrust_Open(t *testing.T) {
	p := standardstest.NewProvince(t, "sd-anquan-1", "sd-anquan-2", "sd-anquan-3")
	stranger := standardstest.NewProvince(t, "stranger")
	text := readValid(t, "minimal.yaml")
	twoOfThree := p.Trust(t, 2)
	sign := func(signerKeys ...string) []byte {
		msg, err := standards.Sign(text, signerKeys...)
		if err != nil {
			t.Fatal(err)
		}
		return msg
	}

	tests := []struct {
		name  string
		trust *standards.Trust
		msg   []byte
		want  error // nil: opens
	}{
		{"OK", twoOfThree, p.Sign(t, text, 0, 1), nil},
		{"OKAllThree", twoOfThree, p.Sign(t, text), nil},
		{"OKWithAStrangerToo", twoOfThree, sign(p.Signers[0], stranger.Signers[0], p.Signers[1]), nil},
		{"ErrBadSignature/TamperedText", twoOfThree, flipText(p.Sign(t, text, 0, 1)), standards.ErrBadSignature},
		{"ErrBadSignature/TamperedSignature", twoOfThree, flipSignature(t, p.Sign(t, text, 0, 1)), standards.ErrBadSignature},
		{"ErrUntrustedKey", twoOfThree, stranger.Sign(t, text), standards.ErrUntrustedKey},
		{"ErrBelowThreshold/OneOfTwo", twoOfThree, p.Sign(t, text, 1), standards.ErrBelowThreshold},
		{"ErrBelowThreshold/TrustedAndStranger", twoOfThree, sign(p.Signers[0], stranger.Signers[0]), standards.ErrBelowThreshold},
		{"ErrDuplicateSignature", twoOfThree, duplicateFirstSignature(p.Sign(t, text, 0)), standards.ErrDuplicateSignature},
		{"ErrDuplicateSignature/WouldMeetThreshold", twoOfThree, duplicateFirstSignature(p.Sign(t, text, 2)), standards.ErrDuplicateSignature},
		{"ErrNotNote/PlainYAML", twoOfThree, text, standards.ErrNotNote},
		{"ErrNotNote/Empty", twoOfThree, nil, standards.ErrNotNote},
		{"ErrNotNote/GarbledSignatureLine", twoOfThree, append(p.Sign(t, text, 0, 1), "— sd-anquan-1 !!!\n"...), standards.ErrNotNote},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o, err := tt.trust.Open(tt.msg)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("refused: %v", err)
				}
				if !bytes.Equal(o.Text, text) {
					t.Error("opened text differs from the signed text")
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("got %v, want %v", err, tt.want)
			}
			if o != nil {
				t.Error("a refused note still returned its text")
			}
		})
	}
}

// TestTrust_Open_UntrustedKeyError: a refusal for an untrusted key says who
// refuses and which keys signed and are trusted, as fields a caller reads
// with errors.As (the centre words it for itself, not by editing text).
func TestTrust_Open_UntrustedKeyError(t *testing.T) {
	p := standardstest.NewProvince(t, "sd-anquan-1")
	stranger := standardstest.NewProvince(t, "stranger")
	text := readValid(t, "minimal.yaml")
	tests := []struct {
		name, holder, want string
	}{
		{"Station", "", "station"},
		{"Centre", "centre", "centre"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			trust := p.Trust(t, 1)
			trust.Holder = tt.holder
			_, err := trust.Open(stranger.Sign(t, text))
			var uk *standards.UntrustedKeyError
			if !errors.As(err, &uk) {
				t.Fatalf("got %v, want an *UntrustedKeyError", err)
			}
			if !errors.Is(err, standards.ErrUntrustedKey) {
				t.Error("an *UntrustedKeyError does not match ErrUntrustedKey")
			}
			if uk.Holder != tt.want {
				t.Errorf("Holder %q, want %q", uk.Holder, tt.want)
			}
			if len(uk.Signers) != 1 || !strings.HasPrefix(uk.Signers[0], "stranger+") {
				t.Errorf("Signers %q, want the stranger's key", uk.Signers)
			}
			if len(uk.Trusted) != 1 || !strings.HasPrefix(uk.Trusted[0], "sd-anquan-1+") {
				t.Errorf("Trusted %q, want the province's key", uk.Trusted)
			}
			if want := "signed only by keys this " + tt.want + " does not trust (signed by " + uk.Signers[0] + "; trusted: " + uk.Trusted[0] + ")"; err.Error() != want {
				t.Errorf("message %q, want %q", err, want)
			}
		})
	}
}

// TestNewTrust: the threshold counts distinct keys. A key pinned twice is
// one key, so it can neither raise the count a threshold is checked against
// nor be met by one signature.
func TestNewTrust(t *testing.T) {
	p := standardstest.NewProvince(t, "sd-anquan-1", "sd-anquan-2")
	text := readValid(t, "minimal.yaml")

	t.Run("SameKeyPinnedTwiceIsOneKey", func(t *testing.T) {
		tr, err := standards.NewTrust(1, p.Verifiers[0], p.Verifiers[0]+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if got := tr.Names(); !slices.Equal(got, []string{"sd-anquan-1"}) {
			t.Errorf("trusted %v, want one key", got)
		}
	})
	t.Run("ThresholdAboveDistinctKeys", func(t *testing.T) {
		if _, err := standards.NewTrust(2, p.Verifiers[0], p.Verifiers[0]); err == nil {
			t.Fatal("accepted threshold 2 over one key pinned twice")
		}
	})
	t.Run("DuplicatePinDoesNotLowerTheBar", func(t *testing.T) {
		tr, err := standards.NewTrust(2, p.Verifiers[0], p.Verifiers[0], p.Verifiers[1])
		if err != nil {
			t.Fatal(err)
		}
		_, err = tr.Open(p.Sign(t, text, 0))
		if !errors.Is(err, standards.ErrBelowThreshold) {
			t.Fatalf("got %v, want %v", err, standards.ErrBelowThreshold)
		}
	})
	t.Run("ThresholdZero", func(t *testing.T) {
		if _, err := standards.NewTrust(0, p.Verifiers...); err == nil {
			t.Fatal("accepted threshold 0: an unsigned standard would pass")
		}
	})
	t.Run("NoKeys", func(t *testing.T) {
		if _, err := standards.NewTrust(1); err == nil {
			t.Fatal("accepted a trust with no keys")
		}
	})
	t.Run("SignerKeyPinned", func(t *testing.T) {
		if _, err := standards.NewTrust(1, p.Signers[0]); err == nil {
			t.Fatal("pinned a private signer key as a verifier")
		}
	})
}

func TestGenerateKey(t *testing.T) {
	for _, name := range []string{"", "two words", "a+b", "tab\tname"} {
		if _, _, err := standards.GenerateKey(name); err == nil {
			t.Errorf("GenerateKey(%q) accepted the name", name)
		}
	}
	s1, v1, err := standards.GenerateKey("sd-anquan")
	if err != nil {
		t.Fatal(err)
	}
	s2, v2, err := standards.GenerateKey("sd-anquan")
	if err != nil {
		t.Fatal(err)
	}
	if s1 == s2 || v1 == v2 {
		t.Error("two generated keys are equal")
	}
	if !strings.HasPrefix(v1, "sd-anquan+") || !strings.HasPrefix(s1, "PRIVATE+KEY+sd-anquan+") {
		t.Errorf("keys %q, %q are not in the note text forms", s1, v1)
	}
}
