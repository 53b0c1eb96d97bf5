package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"shicao/scoring"
	"shicao/standards"
)

func standardLintCmd() *Command {
	c := &Command{
		UsageLine: "standard lint FILE...",
		Short:     "every problem as file:line: field: message; runs the vectors",
		Long:      "Examples:\n  shicao standard lint standards/library/*.yaml\n",
	}
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("standard lint: give at least one FILE")
		}
		bad := 0
		var blueprints []*standards.Blueprint
		ids := map[string]bool{}
		for _, file := range args {
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
			doc, _ := standards.ParseAny(file, text)
			ids[doc.ID] = true
			if doc.Blueprint != nil {
				blueprints = append(blueprints, doc.Blueprint)
			}
		}
		// Pools that name standards not in this lint run are reported only
		// when standards were linted alongside the blueprint.
		if len(ids) > len(blueprints) {
			bad += lintPools(e, blueprints, ids)
		}
		if bad > 0 {
			return silentError{fmt.Errorf("%d file(s) with problems", bad)}
		}
		fmt.Fprintf(e.stdout, "%d file(s) ok\n", len(args))
		return nil
	}
	return c
}

// lintPools reports every pool entry of the blueprints that is not among
// the ids linted, and returns how many.
func lintPools(e *env, blueprints []*standards.Blueprint, ids map[string]bool) int {
	bad := 0
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
	return bad
}

// lintOne prints every problem of one document and runs its vectors.
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
	results := runVectors(c)
	var lines func(int) int
	if c.Standard != nil {
		lines = func(i int) int { return c.Standard.Tests[i].Line }
	} else {
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

// runVectors runs a standard's or a blueprint's self-test vectors.
func runVectors(c *standards.Candidate) []scoring.VectorResult {
	if c.Standard != nil {
		return scoring.RunVectors(c.Standard)
	}
	return scoring.RunPaperVectors(c.Blueprint)
}

func standardTestCmd() *Command {
	c := &Command{
		UsageLine: "standard test FILE...",
		Short:     "run the self-test vectors, one line each",
		Long:      "Examples:\n  shicao standard test standards/library/sd-dg-k42-cpr.yaml\n",
	}
	c.Run = func(ctx context.Context, e *env, args []string) error {
		if len(args) == 0 {
			return usagef("standard test: give at least one FILE")
		}
		pass, fail := 0, 0
		for _, file := range args {
			text, err := loadText(file)
			if err != nil {
				return err
			}
			doc, err := standards.ParseAny(file, text)
			if err != nil {
				return err
			}
			for _, r := range runVectors(doc) {
				fmt.Fprintf(e.stdout, "%s %s v%d %s\n", status(r.OK()), doc.ID, doc.Version, strings.TrimPrefix(strings.TrimPrefix(r.String(), "ok   "), "FAIL "))
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
	return c
}

func status(ok bool) string {
	if ok {
		return "ok  "
	}
	return "FAIL"
}
