package standards

import (
	"fmt"
	"slices"
	"strings"
)

// suggest names the nearest known field, for the common typo.
func suggest(got string, fields map[string]int) string {
	// A suggestion must be near: at most 2 edits, and fewer than half the
	// name (so "Z" does not suggest "id").
	best, bestD := "", min(3, (len(got)+1)/2)
	for name := range fields {
		if dd := editDistance(got, name); dd < bestD || (dd == bestD && name < best) {
			best, bestD = name, dd
		}
	}
	if best == "" {
		names := make([]string, 0, len(fields))
		for name := range fields {
			names = append(names, name)
		}
		slices.Sort(names)
		return " (known: " + strings.Join(names, ", ") + ")"
	}
	return fmt.Sprintf(" (did you mean %q?)", best)
}

func editDistance(a, b string) int {
	if len(a) > 64 || len(b) > 64 {
		return 99
	}
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
