package centre_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestMigrations_BothEngines: every SQLite migration from 0010 on has
// its PostgreSQL twin of the same number (migrations/postgres/0010 is
// the schema of SQLite's 0001 to 0010): the two schemas move together.
func TestMigrations_BothEngines(t *testing.T) {
	t.Parallel()
	numbers := func(dir string) map[int]string {
		names, err := filepath.Glob(filepath.Join(dir, "*.sql"))
		if err != nil {
			t.Fatal(err)
		}
		out := map[int]string{}
		for _, n := range names {
			v, err := strconv.Atoi(strings.SplitN(filepath.Base(n), "_", 2)[0])
			if err != nil {
				t.Fatalf("%s: name must start with its number", n)
			}
			out[v] = filepath.Base(n)
		}
		return out
	}
	lite, pg := numbers("migrations"), numbers(filepath.Join("migrations", "postgres"))
	for v, name := range lite {
		if _, ok := pg[v]; v >= 10 && !ok {
			t.Errorf("SQLite migration %s has no PostgreSQL twin in migrations/postgres/", name)
		}
	}
	if _, err := os.Stat(filepath.Join("migrations", "postgres", "0010_init.sql")); err != nil {
		t.Error(err)
	}
}
