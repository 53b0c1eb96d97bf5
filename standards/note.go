package standards

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"strings"

	"golang.org/x/mod/sumdb/note"
)

// Errors of signature verification; each refusal has its own, so a station
// can say exactly why it will not load a standard.
var (
	ErrNotNote            = errors.New("not a signed standard: no signature block")
	ErrBadSignature       = errors.New("a signature does not verify: the text was changed after signing")
	ErrUntrustedKey       = errors.New("signed only by keys this station does not trust")
	ErrBelowThreshold     = errors.New("too few trusted signatures")
	ErrDuplicateSignature = errors.New("one key signed more than once")
)

// GenerateKey returns a new signer key and its verifier key, in the text
// forms of golang.org/x/mod/sumdb/note ("PRIVATE+KEY+name+hash+key" and
// "name+hash+key").
func GenerateKey(name string) (signer, verifier string, err error) {
	if name == "" || strings.ContainsAny(name, "+ \t\n") {
		return "", "", fmt.Errorf("key name %q: use letters, digits, '.', '-' and '_'", name)
	}
	return note.GenerateKey(rand.Reader, name)
}

// Sign returns text as a signed note with one signature per signer key.
// The text is the exact YAML the province publishes; it must be UTF-8 with
// spaces (not tabs) and LF line endings, which the note format requires, and
// it gains a final newline if it has none.
func Sign(text []byte, signerKeys ...string) ([]byte, error) {
	if len(signerKeys) == 0 {
		return nil, errors.New("sign: no signer key")
	}
	if i := bytes.IndexAny(text, "\t\r"); i >= 0 {
		line := bytes.Count(text[:i], []byte("\n")) + 1
		return nil, fmt.Errorf("sign: line %d has a tab or carriage return; signed standards use spaces and LF line endings", line)
	}
	if !bytes.HasSuffix(text, []byte("\n")) {
		text = append(append([]byte(nil), text...), '\n')
	}
	signers := make([]note.Signer, 0, len(signerKeys))
	seen := map[string]bool{}
	for _, k := range signerKeys {
		s, err := note.NewSigner(strings.TrimSpace(k))
		if err != nil {
			return nil, fmt.Errorf("sign: signer key: %w", err)
		}
		id := fmt.Sprintf("%s+%08x", s.Name(), s.KeyHash())
		if seen[id] {
			continue // one key signs once: a repeated line would be refused as malformed
		}
		seen[id] = true
		signers = append(signers, s)
	}
	out, err := note.Sign(&note.Note{Text: string(text)}, signers...)
	if err != nil {
		return nil, fmt.Errorf("sign: %w", err)
	}
	return out, nil
}

// IsSigned reports whether data looks like a signed note (a text, a blank
// line and signature lines), as opposed to plain YAML.
func IsSigned(data []byte) bool {
	i := bytes.LastIndex(data, []byte("\n\n"))
	return i >= 0 && bytes.HasPrefix(data[i+2:], []byte("— "))
}

// Trust is the set of verifier keys a station pins (the province's) and how
// many distinct keys must sign a standard.
type Trust struct {
	verifiers []note.Verifier
	Threshold int
	// Holder names who pins the keys, for refusals ("this centre does not
	// trust"); empty means a station.
	Holder string
}

// UntrustedKeyError is the refusal of a note that no trusted key signed.
// It matches ErrUntrustedKey. Keys are named with their hash
// ("name+hash"): a rogue key may carry the very name of a trusted one.
type UntrustedKeyError struct {
	Holder  string   // who refuses: "station", "centre" (Trust.Holder)
	Signers []string // the keys that signed the note
	Trusted []string // the keys the holder trusts
}

func (e *UntrustedKeyError) Error() string {
	return fmt.Sprintf("signed only by keys this %s does not trust (signed by %s; trusted: %s)", e.Holder, strings.Join(e.Signers, ", "), strings.Join(e.Trusted, ", "))
}

// Is reports whether target is ErrUntrustedKey.
func (e *UntrustedKeyError) Is(target error) bool { return target == ErrUntrustedKey }

// NewTrust returns a Trust over verifier keys in text form.
func NewTrust(threshold int, verifierKeys ...string) (*Trust, error) {
	t := &Trust{Threshold: threshold}
	seen := map[string]bool{}
	for _, k := range verifierKeys {
		k = strings.TrimSpace(k)
		v, err := note.NewVerifier(k)
		if err != nil {
			return nil, fmt.Errorf("verifier key %q: %w", clip(k), err)
		}
		id := fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
		if seen[id] {
			continue // a key pinned twice is still one key
		}
		seen[id] = true
		t.verifiers = append(t.verifiers, v)
	}
	if len(t.verifiers) == 0 {
		return nil, errors.New("no verifier keys")
	}
	if threshold < 1 || threshold > len(t.verifiers) {
		return nil, fmt.Errorf("threshold %d: want 1 to %d (the number of distinct keys)", threshold, len(t.verifiers))
	}
	return t, nil
}

// LoadTrust reads verifier keys from files (one key per file, as written by
// `shicao standard keygen`).
func LoadTrust(threshold int, files ...string) (*Trust, error) {
	keys := make([]string, 0, len(files))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, fmt.Errorf("read verifier key: %w", err)
		}
		keys = append(keys, string(b))
	}
	return NewTrust(threshold, keys...)
}

// Names returns the names of the trusted keys.
func (t *Trust) Names() []string {
	out := make([]string, len(t.verifiers))
	for i, v := range t.verifiers {
		out[i] = v.Name()
	}
	return out
}

// Opened is a verified note: its text and the trusted keys that signed it.
type Opened struct {
	Text    []byte
	Signers []string
}

// Open verifies a signed note against the trusted keys and the threshold.
// Distinct keys count once each; a key whose signature line appears twice
// makes the note malformed (ErrDuplicateSignature), since no signing tool
// writes that and a threshold must never be met by repetition.
func (t *Trust) Open(msg []byte) (*Opened, error) {
	if !IsSigned(msg) {
		return nil, ErrNotNote
	}
	if err := duplicateSigners(msg); err != nil {
		return nil, err
	}
	n, err := note.Open(msg, note.VerifierList(t.verifiers...))
	if err != nil {
		var inv *note.InvalidSignatureError
		var unv *note.UnverifiedNoteError
		switch {
		case errors.As(err, &inv):
			return nil, fmt.Errorf("%w (key %s)", ErrBadSignature, inv.Name)
		case errors.As(err, &unv):
			return nil, t.untrusted(unv.Note.UnverifiedSigs)
		}
		return nil, fmt.Errorf("%w: %v", ErrNotNote, err)
	}
	o := &Opened{Text: []byte(n.Text)}
	for _, s := range n.Sigs {
		o.Signers = append(o.Signers, s.Name)
	}
	if len(o.Signers) < t.Threshold {
		return nil, fmt.Errorf("%w: %d of %d required (signed by %s)", ErrBelowThreshold, len(o.Signers), t.Threshold, strings.Join(o.Signers, ", "))
	}
	return o, nil
}

// untrusted is the refusal of a note signed by sigs only, none of them
// trusted.
func (t *Trust) untrusted(sigs []note.Signature) *UntrustedKeyError {
	e := &UntrustedKeyError{Holder: t.Holder, Trusted: make([]string, len(t.verifiers))}
	if e.Holder == "" {
		e.Holder = "station"
	}
	for _, s := range sigs {
		e.Signers = append(e.Signers, fmt.Sprintf("%s+%08x", s.Name, s.Hash))
	}
	for i, v := range t.verifiers {
		e.Trusted[i] = fmt.Sprintf("%s+%08x", v.Name(), v.KeyHash())
	}
	return e
}

// SplitNote returns a signed note's text without verifying it, for tools
// that only read (`shicao standard show`, `lint`). Plain YAML comes back as is.
func SplitNote(msg []byte) []byte {
	if !IsSigned(msg) {
		return msg
	}
	return msg[:bytes.LastIndex(msg, []byte("\n\n"))+1]
}

func duplicateSigners(msg []byte) error {
	sigs := msg[bytes.LastIndex(msg, []byte("\n\n"))+2:]
	seen := map[string]bool{}
	for _, line := range strings.Split(strings.TrimSuffix(string(sigs), "\n"), "\n") {
		rest, ok := strings.CutPrefix(line, "— ")
		if !ok {
			continue
		}
		name, b64, _ := strings.Cut(rest, " ")
		key := name
		if raw, err := base64.StdEncoding.DecodeString(b64); err == nil && len(raw) >= 4 {
			key += "+" + string(raw[:4]) // the first 4 bytes are the key hash
		}
		if seen[key] {
			return fmt.Errorf("%w (key %s)", ErrDuplicateSignature, name)
		}
		seen[key] = true
	}
	return nil
}
