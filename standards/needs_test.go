package standards_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"shicao/standards"
)

// The fields a standard relies on are derived from its expressions.
func TestNeeds_CPRReadsDepthPositionRecoilVolume(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("library", "sd-dg-k42-cpr.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	s, err := standards.Parse("sd-dg-k42-cpr.yaml", b)
	if err != nil {
		t.Fatal(err)
	}
	got := s.NeedsOf("cpr.compression")
	for _, f := range []string{"depth_mm", "position", "recoil"} {
		if !slices.Contains(got, f) {
			t.Errorf("NeedsOf(cpr.compression) = %v, want it to hold %q", got, f)
		}
	}
	if v := s.NeedsOf("cpr.ventilation"); !slices.Contains(v, "volume_ml") {
		t.Errorf("NeedsOf(cpr.ventilation) = %v, want volume_ml", v)
	}
	for _, n := range s.Needs() {
		if n.Field == "seq" || n.Field == "t_ms" {
			t.Errorf("Needs lists the log's own field %v", n)
		}
	}
}
