package centre_test

import (
	"os"
	"testing"

	"shicao/cmd/shicao/internal/pgdb/pgdbtest"
)

// TestMain stops the throwaway PostgreSQL cluster that the tests on
// PostgreSQL start (one per test binary).
func TestMain(m *testing.M) { os.Exit(pgdbtest.Main(m)) }
