// Package paralleltest sets how many parallel tests a package's test
// binary runs at once, for packages whose tests spend their time waiting
// (on a station's workers, a demo's scaled clock, a child process's
// fsyncs) rather than computing. go test's default, GOMAXPROCS, leaves a
// two-core machine mostly idle through such a package.
package paralleltest

import (
	"flag"
	"strconv"
)

// Default runs n parallel tests at once unless -parallel was given on the
// command line, which always wins. Call it from TestMain before m.Run.
func Default(n int) {
	if !flag.Parsed() {
		flag.Parse()
	}
	given := false
	flag.Visit(func(f *flag.Flag) { given = given || f.Name == "test.parallel" })
	if !given {
		flag.Set("test.parallel", strconv.Itoa(n))
	}
}

// Runner is what TestMain runs: *testing.M, or a wrapper of it.
type Runner interface{ Run() int }

// With returns m, set to run n parallel tests at once (as Default) when
// it runs. For test binaries that are also re-executed as commands
// (testscript's), whose flags must not be parsed as the test's.
func With(m Runner, n int) Runner { return with{m, n} }

type with struct {
	m Runner
	n int
}

func (w with) Run() int {
	Default(w.n)
	return w.m.Run()
}
