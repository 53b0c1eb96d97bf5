package station_test

import (
	"os"
	"testing"

	"shicao/cmd/shicao/internal/paralleltest"
)

// TestMain runs six tests at once: they wait on the station's workers,
// its fsyncs and its centre's (38 s of CPU in a 276 s run, two at once).
func TestMain(m *testing.M) {
	paralleltest.Default(6)
	os.Exit(m.Run())
}
