package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"

	"shicao/cmd/shicao/internal/keyfile"
	"shicao/scoring"
	"shicao/standards"
)

const standardUsage = `shicao standard keygen|sign|verify|lint|test|show

  keygen [PATH/]NAME                 write NAME.key (signer, mode 0600) and NAME.pub (verifier)
  sign --key NAME.key FILE [-o OUT]  sign a standard or blueprint (it must lint clean and pass its vectors)
  verify --trust A.pub[,B.pub] [--threshold N] FILE
                                     check the signatures; print id, version, sha256
  lint FILE...                       every problem as file:line: field: message; runs the vectors
  test FILE...                       run the self-test vectors, one line each
  show FILE                          the scoring sheet as a table
`

func runStandard(ctx context.Context, e *env, args []string) error {
	return sub(e, "standard", args, map[string]func([]string) error{
		"keygen": func(a []string) error { return standardKeygen(e, a) },
		"sign":   func(a []string) error { return standardSign(e, a) },
		"verify": func(a []string) error { return standardVerify(e, a) },
		"lint":   func(a []string) error { return standardLint(e, a) },
		"test":   func(a []string) error { return standardTest(e, a) },
		"show":   func(a []string) error { return standardShow(e, a) },
	}, standardUsage)
}

func standardKeygen(e *env, args []string) error {
	fs := newFlags(e, "standard keygen", "standard keygen [--dir DIR] NAME|PATH/NAME",
		"  shicao standard keygen shandong-2026\n  shicao standard keygen /etc/shicao/keys/shandong-2026\n")
	dir := fs.String("dir", ".", "directory to write the key files in (a relative NAME is under it)")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("standard keygen: give one key NAME")
	}
	// NAME may carry a directory: the files go there and the key is named
	// by the last element (a key name holds no '/'). An absolute path is
	// taken as it is, not put under --dir.
	path := fs.Arg(0)
	if !filepath.IsAbs(path) {
		path = filepath.Join(*dir, path)
	}
	name := filepath.Base(path)
	if name == "." || name == ".." || strings.HasSuffix(fs.Arg(0), "/") {
		return usagef("standard keygen: %q names a directory; give the key's NAME after it", fs.Arg(0))
	}
	skey, vkey, err := standards.GenerateKey(name)
	if err != nil {
		return err
	}
	keyPath := path + ".key"
	pubPath := path + ".pub"
	if err := keyfile.WritePair(keyPath, pubPath, skey, vkey); err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "wrote %s (keep it secret) and %s\nverifier key: %s\n", keyPath, pubPath, vkey)
	return nil
}

type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }
func (l *listFlag) Set(s string) error {
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			*l = append(*l, p)
		}
	}
	return nil
}

func standardSign(e *env, args []string) error {
	fs := newFlags(e, "standard sign", "standard sign --key NAME.key [--key OTHER.key] FILE [-o OUT]",
		"  shicao standard sign --key shandong-2026.key sd-dg-k42.yaml -o sd-dg-k42.signed\n")
	var keys listFlag
	fs.Var(&keys, "key", "signer key file (repeat or comma-separate for several signatures)")
	out := fs.String("o", "", "write the signed note here instead of stdout")
	vocabFile := fs.String("vocabulary", "", "a vocabulary document (plain or signed) the standard's events are checked against, beside the built-in one")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(keys) == 0 || fs.NArg() != 1 {
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
	file := fs.Arg(0)
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	if standards.IsSigned(data) {
		return fmt.Errorf("%s is already signed: sign the plain YAML with every key at once", file)
	}
	// Never sign what a station would refuse.
	if standards.IsVocabularyDoc(data) {
		if _, err := extendedVocabulary(data); err != nil {
			return fmt.Errorf("%s: %w", file, err)
		}
	} else if err := lintOne(e, vocab, file, data); err != nil {
		return err
	}
	var skeys []string
	for _, k := range keys {
		b, err := os.ReadFile(k)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(strings.TrimSpace(string(b)), "PRIVATE+KEY+") {
			return fmt.Errorf("%s is not a signer key (a verifier .pub, perhaps): sign with the .key that standard keygen wrote beside it", k)
		}
		skeys = append(skeys, string(b))
	}
	signed, err := standards.Sign(data, skeys...)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if *out == "" {
		_, err = e.stdout.Write(signed)
		return err
	}
	return os.WriteFile(*out, signed, 0o644)
}

func standardVerify(e *env, args []string) error {
	fs := newFlags(e, "standard verify", "standard verify --trust A.pub[,B.pub] [--threshold N] FILE",
		"  shicao standard verify --trust province.pub sd-dg-k42.signed\n  shicao standard verify --trust a.pub,b.pub --threshold 2 sd-dg-k42.signed\n")
	var trust listFlag
	fs.Var(&trust, "trust", "verifier key files to trust (comma-separated or repeated)")
	threshold := fs.Int("threshold", 1, "how many distinct trusted keys must have signed")
	if err := parse(fs, args); err != nil {
		return err
	}
	if len(trust) == 0 || fs.NArg() != 1 {
		return usagef("standard verify: give --trust and one FILE")
	}
	t, err := standards.LoadTrust(*threshold, trust...)
	if err != nil {
		return usagef("standard verify: %v", err)
	}
	file := fs.Arg(0)
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	o, err := t.Open(data)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	c, err := standards.ParseAny(file, o.Text)
	if err != nil {
		return err
	}
	fmt.Fprintf(e.stdout, "id       %s\nversion  %d\nsha256   %s\nsigners  %s\n", c.ID, c.Version, c.SHA256, strings.Join(o.Signers, ", "))
	return nil
}

// loadText reads a standard or blueprint file, signed or plain, without
// verifying signatures (lint, test, show and score read; only install trusts).
func loadText(file string) ([]byte, error) {
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, err
	}
	return standards.SplitNote(data), nil
}

func standardLint(e *env, args []string) error {
	fs := newFlags(e, "standard lint", "standard lint FILE...", "  shicao standard lint standards/library/*.yaml\n")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("standard lint: give at least one FILE")
	}
	bad := 0
	var blueprints []*standards.Blueprint
	ids := map[string]bool{}
	for _, file := range fs.Args() {
		text, err := loadText(file)
		if err != nil {
			fmt.Fprintf(e.stderr, "%s: %v\n", file, err)
			bad++
			continue
		}
		if err := lintOne(e, standards.DefaultVocabulary(), file, text); err != nil {
			bad++
			continue
		}
		c, _ := standards.ParseAny(file, text)
		ids[c.ID] = true
		if c.Blueprint != nil {
			blueprints = append(blueprints, c.Blueprint)
		}
	}
	// Pools that name standards not in this lint run are reported only
	// when standards were linted alongside the blueprint.
	if len(ids) > len(blueprints) {
		for _, bp := range blueprints {
			for _, s := range bp.Subjects {
				for _, id := range s.Pool {
					if !ids[id] {
						fmt.Fprintf(e.stderr, "%s:%d: subjects.%s.pool: %s is not among the files linted\n", bp.File, s.At("pool"), s.ID, id)
						bad++
					}
				}
			}
		}
	}
	if bad > 0 {
		return silentError{fmt.Errorf("%d file(s) with problems", bad)}
	}
	fmt.Fprintf(e.stdout, "%d file(s) ok\n", fs.NArg())
	return nil
}

// lintOne prints every problem of one document and runs its vectors.
// extendedVocabulary is the built-in vocabulary extended by a vocabulary
// document (plain or signed; the signature is not checked here).
func extendedVocabulary(b []byte) (*standards.Vocabulary, error) {
	doc, err := standards.ReadVocabulary(standards.SplitNote(b), b)
	if err != nil {
		return nil, err
	}
	return standards.DefaultVocabulary().Extend(doc)
}

func lintOne(e *env, vocab *standards.Vocabulary, file string, text []byte) error {
	c, err := standards.ParseAnyWith(vocab, file, text)
	if err != nil {
		var ps standards.Problems
		if errors.As(err, &ps) {
			for _, p := range ps {
				fmt.Fprintln(e.stderr, p)
			}
			return silentError{err}
		}
		fmt.Fprintf(e.stderr, "%s: %v\n", file, err)
		return silentError{err}
	}
	var results []scoring.VectorResult
	var lines func(int) int
	if c.Standard != nil {
		results = scoring.RunVectors(c.Standard)
		lines = func(i int) int { return c.Standard.Tests[i].Line }
	} else {
		results = scoring.RunPaperVectors(c.Blueprint)
		lines = func(i int) int { return c.Blueprint.Tests[i].Line }
	}
	failed := false
	for i, r := range results {
		if !r.OK() {
			fmt.Fprintf(e.stderr, "%s:%d: tests[%d] %s\n", file, lines(i), i, strings.TrimPrefix(r.String(), "FAIL "))
			failed = true
		}
	}
	if failed {
		return silentError{errors.New("vectors fail")}
	}
	return nil
}

func standardTest(e *env, args []string) error {
	fs := newFlags(e, "standard test", "standard test FILE...", "  shicao standard test standards/library/sd-dg-k42-cpr.yaml\n")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() == 0 {
		return usagef("standard test: give at least one FILE")
	}
	pass, fail := 0, 0
	for _, file := range fs.Args() {
		text, err := loadText(file)
		if err != nil {
			return err
		}
		c, err := standards.ParseAny(file, text)
		if err != nil {
			return err
		}
		var results []scoring.VectorResult
		if c.Standard != nil {
			results = scoring.RunVectors(c.Standard)
		} else {
			results = scoring.RunPaperVectors(c.Blueprint)
		}
		for _, r := range results {
			fmt.Fprintf(e.stdout, "%s %s v%d %s\n", status(r.OK()), c.ID, c.Version, strings.TrimPrefix(strings.TrimPrefix(r.String(), "ok   "), "FAIL "))
			if r.OK() {
				pass++
			} else {
				fail++
			}
		}
	}
	fmt.Fprintf(e.stdout, "%d passed, %d failed\n", pass, fail)
	if fail > 0 {
		return silentError{fmt.Errorf("%d vector(s) failed", fail)}
	}
	return nil
}

func status(ok bool) string {
	if ok {
		return "ok  "
	}
	return "FAIL"
}

func standardShow(e *env, args []string) error {
	fs := newFlags(e, "standard show", "standard show FILE", "  shicao standard show standards/library/sd-dg-k42-cpr.yaml\n")
	if err := parse(fs, args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return usagef("standard show: give one FILE")
	}
	text, err := loadText(fs.Arg(0))
	if err != nil {
		return err
	}
	c, err := standards.ParseAny(fs.Arg(0), text)
	if err != nil {
		return err
	}
	if c.Blueprint != nil {
		return showBlueprint(e, c.Blueprint)
	}
	s := c.Standard
	fmt.Fprintf(e.stdout, "%s %s  version %d  effective %s  sha256 %s\n", s.ID, s.Title, s.Version, s.Effective, s.SHA256()[:16])
	fmt.Fprintf(e.stdout, "%s %s/%s  time %s  devices %s  examiners %d (tolerance %s)\n\n", s.Category, s.Subject, s.Code, s.TimeLimit, strings.Join(s.Devices, ","), s.Examiners, s.Tolerance)
	t := &table{right: map[int]bool{2: true, 4: true}}
	t.add("评分项", "", "配分", "扣分标准", "扣分")
	for _, it := range s.Items {
		t.add(it.ID, it.Title, it.Points.String(), "", "")
		for _, r := range it.Rules {
			d := "-" + r.Deduct.String()
			if r.Cap != nil {
				d += " (≤" + r.Cap.String() + ")"
			}
			t.add("", "", "", "[设备] "+r.Text, d)
		}
		for _, m := range it.Marks {
			d := "-" + m.Deduct.String()
			if m.MaxTimes() > 1 {
				d += " ×" + strconv.Itoa(m.MaxTimes())
			}
			t.add("", "", "", "[考评] "+m.Text, d)
		}
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	if o := s.Overtime; o != nil && o.Deduct > 0 {
		fmt.Fprintf(e.stdout, "\n超时: 每 %s 扣 %s 分, 超时 %s 后终止\n", o.Every, o.Deduct, o.StopAfter)
	}
	if len(s.Veto) > 0 {
		fmt.Fprintln(e.stdout, "\n否决项:")
		for _, v := range s.Veto {
			by := "设备"
			if v.Mark && v.When == "" {
				by = "考评员"
			} else if v.Mark {
				by = "设备/考评员"
			}
			fmt.Fprintf(e.stdout, "  %s  %s (%s)\n", v.ID, v.Text, by)
		}
	}
	fmt.Fprintf(e.stdout, "\n自测向量: %d\n", len(s.Tests))
	return nil
}

func showBlueprint(e *env, b *standards.Blueprint) error {
	fmt.Fprintf(e.stdout, "%s %s  version %d  effective %s\n%s  total time %s  pass %s  rounding %s\n\n", b.ID, b.Title, b.Version, b.Effective, b.Category, b.TimeLimit, b.Pass, b.Rounding)
	t := &table{right: map[int]bool{2: true}}
	t.add("科目", "", "权重", "题库")
	for _, s := range b.Subjects {
		t.add(s.ID, s.Title, s.Weight.String(), strings.Join(s.Pool, " "))
	}
	return t.write(e.stdout)
}
