package centre_test

import (
	"os"
	"testing"

	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
)

// TestMain stops the throwaway PostgreSQL cluster that the tests on
// PostgreSQL start (one per test binary). With peakRSSEnv set, the binary
// only runs a command and measures it (runMeasured).
func TestMain(m *testing.M) {
	if out := os.Getenv(peakRSSEnv); out != "" {
		os.Exit(peakRSSChild(out, os.Args[1:]))
	}
	os.Exit(pgdbtest.Main(m))
}
