package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"shicao/standards"
	examsync "shicao/sync"
)

// judgeInForce checks that every item and the blueprint were scored by
// the version in force on the exam date, as the centre does. The bundle
// holds only the versions used, which can show a version not yet
// effective or expired, but not that a newer one took effect: that needs
// the other published versions (--standards). It returns the line to
// print, or why the result is not scored by the standards in force.
func judgeInForce(v *examsync.Verified, files []string, trust *standards.Trust) (string, error) {
	d := v.Doc
	day, err := standards.ParseDate(d.Date)
	if err != nil {
		return "", fmt.Errorf("the result's date: %w", err)
	}
	known, n, err := loadVersions(files, trust)
	if err != nil {
		return "", err
	}
	var why []string
	for _, it := range d.Items {
		sp := v.Spans[it.Subject]
		if w := standards.NotInForce(it.Standard.ID, append(known[it.Standard.ID], sp), sp, day); w != "" {
			why = append(why, "subject "+it.Subject+": "+w)
		}
	}
	if w := standards.NotInForce(d.Blueprint.ID, append(known[d.Blueprint.ID], v.Blueprint), v.Blueprint, day); w != "" {
		why = append(why, "blueprint: "+w)
	}
	if len(why) > 0 {
		return "", fmt.Errorf("not scored by the standards in force on %s (the centre refuses it: standard-not-in-force): %s", day, strings.Join(why, "; "))
	}
	if len(files) == 0 {
		return fmt.Sprintf("in force on %s: by their own dates only; whether a newer version had taken effect is not checked (give --standards with every published version)", day), nil
	}
	return fmt.Sprintf("in force on %s: every item and the blueprint, judged against the %d versions given", day, n), nil
}

// loadVersions reads signed standards and blueprints from files and
// directories (checking their signatures when trust is given) and
// returns the dates of each version by id, and how many were read.
func loadVersions(paths []string, trust *standards.Trust) (map[string][]standards.Span, int, error) {
	var files []string
	for _, p := range paths {
		fi, err := os.Stat(p)
		if err != nil {
			return nil, 0, err
		}
		if !fi.IsDir() {
			files = append(files, p)
			continue
		}
		entries, err := os.ReadDir(p)
		if err != nil {
			return nil, 0, err
		}
		for _, x := range entries {
			if !x.IsDir() {
				files = append(files, filepath.Join(p, x.Name()))
			}
		}
	}
	out := map[string][]standards.Span{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, 0, err
		}
		text := standards.SplitNote(b)
		if trust != nil {
			o, err := trust.Open(b)
			if err != nil {
				return nil, 0, fmt.Errorf("--standards %s: %w", f, err)
			}
			text = o.Text
		}
		c, err := standards.ParseAny(f, text)
		if err != nil {
			return nil, 0, fmt.Errorf("--standards: %w", err)
		}
		out[c.ID] = append(out[c.ID], c.Span())
	}
	return out, len(files), nil
}
