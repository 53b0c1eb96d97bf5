package demo

import (
	"testing"

	"shicao/cmd/shicao/internal/credential"
)

// The scale benchmark examines 100,000 made-up candidates on one plan: each
// needs its own valid 身份证号 (the numbers collided at 28,000 before).
func TestBulkPlan_DistinctValidNumbers(t *testing.T) {
	p := BulkPlan("2026-12-07", "TA-BIG", 100_000)
	seen := make(map[string]int, len(p.Candidates))
	for i, c := range p.Candidates {
		if _, err := credential.ValidIDNumber(c.IDNumber); err != nil {
			t.Fatalf("candidate %d: %v", i, err)
		}
		if j, dup := seen[c.IDNumber]; dup {
			t.Fatalf("candidates %d and %d share %s", j, i, c.IDNumber)
		}
		seen[c.IDNumber] = i
	}
}
