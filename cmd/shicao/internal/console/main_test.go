package console_test

import (
	"os"
	"testing"

	"shicao/cmd/shicao/internal/paralleltest"
)

// TestMain runs six tests at once: each waits on its centre's and
// station's fsyncs and on a browser far more than it computes (1 m 42 s
// of CPU in a 585 s run, two at once).
func TestMain(m *testing.M) {
	paralleltest.Default(6)
	os.Exit(m.Run())
}
