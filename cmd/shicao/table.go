package main

import (
	"io"
	"strings"

	"github.com/mattn/go-runewidth"
)

// table prints rows with columns aligned by display width, so Chinese
// titles (two columns per character) line up with ASCII.
type table struct {
	rows  [][]string
	right map[int]bool // right-aligned columns (numbers)
}

func (t *table) add(cells ...string) { t.rows = append(t.rows, cells) }

func (t *table) write(w io.Writer) error {
	widths := map[int]int{}
	for _, r := range t.rows {
		for i, c := range r {
			widths[i] = max(widths[i], runewidth.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		for i, c := range r {
			pad := strings.Repeat(" ", widths[i]-runewidth.StringWidth(c))
			if i == len(r)-1 && !t.right[i] {
				b.WriteString(c)
				break
			}
			if t.right[i] {
				b.WriteString(pad + c)
			} else {
				b.WriteString(c + pad)
			}
			if i < len(r)-1 {
				b.WriteString("  ")
			}
		}
		trimmed := strings.TrimRight(b.String(), " ")
		b.Reset()
		b.WriteString(trimmed)
		b.WriteString("\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
