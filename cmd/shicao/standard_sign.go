package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"shicao/standards"
)

func standardSignCmd() *Command {
	c := &Command{
		UsageLine: "standard sign --key NAME.key [--key OTHER.key] FILE [-o OUT]",
		Short:     "sign a standard or blueprint (it must lint clean and pass its vectors)",
		Long:      "Examples:\n  shicao standard sign --key shandong-2026.key sd-dg-k42.yaml -o sd-dg-k42.signed\n",
	}
	var keys listFlag
	c.Flag.Var(&keys, "key", "signer key file (repeat or comma-separate for several signatures)")
	out := c.Flag.String("o", "", "write the signed note here instead of stdout")
	vocabFile := c.Flag.String("vocabulary", "", "a vocabulary document (plain or signed) the standard's events are checked against, beside the built-in one")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(keys) == 0 || len(args) != 1 {
			return usagef("standard sign: give --key and one FILE")
		}
		vocab := standards.DefaultVocabulary()
		if *vocabFile != "" {
			b, err := os.ReadFile(*vocabFile)
			if err != nil {
				return err
			}
			if vocab, err = extendedVocabulary(b); err != nil {
				return fmt.Errorf("%s: %w", *vocabFile, err)
			}
		}
		signed, err := standardSign(e, vocab, keys, args[0])
		if err != nil {
			return err
		}
		if *out == "" {
			_, err = e.stdout.Write(signed)
			return err
		}
		return os.WriteFile(*out, signed, 0o644)
	}
	return c
}

// standardSign returns file signed with every key, once it has checked
// the file as a station would: it never signs what a station refuses.
func standardSign(e *env, vocab *standards.Vocabulary, keys []string, file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	if standards.IsSigned(data) {
		return nil, fmt.Errorf("%s is already signed: sign the plain YAML with every key at once", file)
	}
	if standards.IsVocabularyDoc(data) {
		if _, err := extendedVocabulary(data); err != nil {
			return nil, fmt.Errorf("%s: %w", file, err)
		}
	} else if err := lintOne(e, vocab, file, data); err != nil {
		return nil, err
	}
	var skeys []string
	for _, k := range keys {
		b, err := os.ReadFile(k)
		if err != nil {
			return nil, err
		}
		if !strings.HasPrefix(strings.TrimSpace(string(b)), "PRIVATE+KEY+") {
			return nil, fmt.Errorf("%s is not a signer key (a verifier .pub, perhaps): sign with the .key that standard keygen wrote beside it", k)
		}
		skeys = append(skeys, string(b))
	}
	signed, err := standards.Sign(data, skeys...)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", file, err)
	}
	return signed, nil
}

// extendedVocabulary is the built-in vocabulary extended by a vocabulary
// document (plain or signed; the signature is not checked here).
func extendedVocabulary(b []byte) (*standards.Vocabulary, error) {
	doc, err := standards.ReadVocabulary(standards.SplitNote(b), b)
	if err != nil {
		return nil, err
	}
	return standards.DefaultVocabulary().Extend(doc)
}

func standardVerifyCmd() *Command {
	c := &Command{
		UsageLine: "standard verify --trust A.pub[,B.pub] [--threshold N] FILE",
		Short:     "check the signatures; print id, version, sha256",
		Long:      "Examples:\n  shicao standard verify --trust province.pub sd-dg-k42.signed\n  shicao standard verify --trust a.pub,b.pub --threshold 2 sd-dg-k42.signed\n",
	}
	var trust listFlag
	c.Flag.Var(&trust, "trust", "verifier key files to trust (comma-separated or repeated)")
	threshold := c.Flag.Int("threshold", 1, "how many distinct trusted keys must have signed")
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(trust) == 0 || len(args) != 1 {
			return usagef("standard verify: give --trust and one FILE")
		}
		t, err := standards.LoadTrust(*threshold, trust...)
		if err != nil {
			return usagef("standard verify: %v", err)
		}
		file := args[0]
		data, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		o, err := t.Open(data)
		if err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
		s, err := standards.ParseAny(file, o.Text)
		if err != nil {
			return err
		}
		fmt.Fprintf(e.stdout, "id       %s\nversion  %d\nsha256   %s\nsigners  %s\n", s.ID, s.Version, s.SHA256, strings.Join(o.Signers, ", "))
		return nil
	}
	return c
}
