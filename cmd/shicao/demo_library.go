package main

import (
	"fmt"

	"shicao/scoring"
	"shicao/standards"
	"shicao/standards/library"
)

// showLibrary lists the sample library and runs every vector.
func showLibrary(e *env) error {
	fmt.Fprintln(e.stdout, "shicao 实操 — sample scoring standards (standards/library)")
	fmt.Fprintln(e.stdout)
	t := &table{right: map[int]bool{3: true}}
	t.add("id", "title", "category", "ver", "effective", "vectors")
	bad := 0
	for _, name := range library.Names() {
		b, err := library.Read(name)
		if err != nil {
			return err
		}
		c, err := standards.ParseAny(name, b)
		if err != nil {
			return err
		}
		var results []scoring.VectorResult
		title, cat, eff := "", "", ""
		if c.Standard != nil {
			results = scoring.RunVectors(c.Standard)
			title, cat, eff = c.Standard.Title, c.Standard.Category, c.Standard.Effective.String()
		} else {
			results = scoring.RunPaperVectors(c.Blueprint)
			title, cat, eff = c.Blueprint.Title, c.Blueprint.Category, c.Blueprint.Effective.String()
		}
		ok := 0
		for _, r := range results {
			if r.OK() {
				ok++
			}
		}
		if ok != len(results) {
			bad++
		}
		t.add(c.ID, title, cat, fmt.Sprint(c.Version), eff, fmt.Sprintf("%d/%d ok", ok, len(results)))
	}
	if err := t.write(e.stdout); err != nil {
		return err
	}
	if bad > 0 {
		return fmt.Errorf("%d library file(s) fail their own vectors", bad)
	}
	return nil
}
